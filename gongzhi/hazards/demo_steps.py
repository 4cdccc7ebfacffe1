"""Demo hazards in 安象街社区: found by the resident 黄丽 (13800000001), the rider 王强 and the
community worker 张敏 (13800000007), in every step — waiting for assessment, with the property
company, rectified and waiting for re-inspection, closed after a failed and a passed
re-inspection (黄丽 rewarded), and one major hazard overdue. The property company's repairman
(13800000215, 周建华) accepts and reports the rectifications. Skipped when present."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import membership_grant, user_create
from gongzhi.areas.models import Area
from gongzhi.directory.models import Organisation, OrgKind
from gongzhi.tickets.models import Ticket
from gongzhi.tickets.services import ticket_accept, ticket_resolve

from .models import Hazard
from .services import hazard_assess, hazard_reinspect, hazard_report

ORDER = 72  # after points (the reward rule) and sentinel (the property company)
ANXIANGJIE = "510185001001"
RESIDENT, RIDER, WORKER = "13800000001", "13800000002", "13800000007"
REPAIRMAN = "13800000215"
PASSWORD = "Demo@2026"  # noqa: S105 - the published demo password (gongzhi.demo.seed)
PROPERTY = "安象街物业服务有限公司"


def photo(colour=(120, 120, 120), name="photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _repairman(owner: Organisation, area: Area) -> User:
    try:
        return User.objects.get_by_natural_key(REPAIRMAN)
    except User.DoesNotExist:
        user = user_create(mobile=REPAIRMAN, name="周建华", password=PASSWORD)
        membership_grant(user=user, role=Role.ORG_MEMBER, area=area, organisation=owner)
        return user


def seed(ctx) -> None:
    resident, rider, worker = ctx.users.get(RESIDENT), ctx.users.get(RIDER), ctx.users.get(WORKER)
    if resident is None or worker is None or Hazard.objects.filter(ticket__submitter=resident).exists():
        return
    area = Area.objects.get(code=ANXIANGJIE)
    owner = Organisation.objects.filter(name=PROPERTY).first() or Organisation.objects.create(
        name=PROPERTY, kind=OrgKind.PROPERTY, area=area
    )
    repairman = _repairman(owner, area)
    lat, lng = area.lat, area.lng

    def report(reporter, category, text, d_lat=0.0, d_lng=0.0, **kwargs):
        return hazard_report(
            reporter=reporter,
            category=category,
            area=area,
            text=text,
            lat=lat + d_lat,
            lng=lng + d_lng,
            photos=[photo()],
            **kwargs,
        )

    def rectify(ticket, risk, note):
        hazard_assess(ticket=ticket, actor=worker, risk_level=risk, owner=owner)
        ticket_accept(ticket=ticket, actor=repairman)
        ticket_resolve(ticket=ticket, actor=repairman, note=note, photos=[photo((60, 160, 90))])
        ticket.refresh_from_db()
        return ticket

    report(resident, "electric", "3栋楼道里有人从三楼窗户飞线给电动车充电", 0.0003)  # waiting
    sent = report(rider or resident, "road", "小区东门井盖破损下陷，夜里电动车容易摔", -0.0002, 0.0003)
    hazard_assess(ticket=sent, actor=worker, risk_level="larger", owner=owner, note="请尽快设置警示并更换")
    rectify(
        report(resident, "building", "2栋外墙瓷砖松动，有掉落风险", 0.0001, -0.0004),
        "larger",
        "已拆除松动瓷砖并重新铺贴",
    )
    closed = rectify(
        report(resident, "fire", "5栋消防通道堆满纸箱和旧家具", -0.0004), "general", "已清理堆放物"
    )
    hazard_reinspect(ticket=closed, actor=worker, passed=False, note="一楼仍有旧沙发未清走", photos=[photo()])
    closed.refresh_from_db()
    ticket_accept(ticket=closed, actor=repairman)
    ticket_resolve(ticket=closed, actor=repairman, note="旧沙发已清运，张贴禁止堆放提示", photos=[photo()])
    hazard_reinspect(ticket=closed, actor=worker, passed=True, note="通道畅通，整改到位", photos=[photo()])
    late = report(
        worker, "gas", "农贸市场后巷燃气管道锈蚀严重", 0.0005, 0.0005, source="inspection", risk_level="major"
    )
    hazard_assess(ticket=late, actor=worker, risk_level="major", owner=owner, note="需燃气公司配合制定方案")
    Ticket.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(days=2))
    ctx.counts["hazards"] = Hazard.objects.count()

"""Demo data of city sentinels: four categories with their units, and leads of the rider login
13800000002 (王强) in 安象街社区 in several states — waiting, sent to the unit, being handled,
done and waiting for his confirmation, closed and rewarded, and one merged into another.
Runs after the points steps (so the closed lead pays); skipped when present."""

from __future__ import annotations

from gongzhi.areas.models import Area
from gongzhi.directory.models import Organisation, OrgKind
from gongzhi.tickets import services as tickets
from gongzhi.tickets.policies import PartyRef

from .models import Lead, SentinelCategory
from .services import CategoryInput, category_create, category_update, lead_merge, lead_report

ORDER = 70
CITY, ANXIANGJIE = "510185000000", "510185001001"
RIDER, WORKER, CITY_STAFF = "13800000002", "13800000007", "13800000009"

CATEGORIES = [
    # code, name, unit (name, kind, area) or None for the community's own queue, deadline hours
    ("illegal_ads", "违规小广告", ("简阳市综合行政执法局", OrgKind.DEPARTMENT, CITY), 48),
    ("fraud", "疑似诈骗", ("简阳市公安局", OrgKind.DEPARTMENT, CITY), 24),
    (
        "property",
        "物业问题（井盖、路灯、垃圾）",
        ("安象街物业服务有限公司", OrgKind.PROPERTY, ANXIANGJIE),
        72,
    ),
    ("community", "社区治理其他问题", None, 72),
]


def seed(ctx) -> None:
    rider, worker, staff = ctx.users.get(RIDER), ctx.users.get(WORKER), ctx.users.get(CITY_STAFF)
    if (
        rider is None
        or worker is None
        or staff is None
        or Lead.objects.filter(ticket__submitter=rider).exists()
    ):
        return
    for i, (code, name, unit, hours) in enumerate(CATEGORIES):
        org = None
        if unit is not None:
            org = Organisation.objects.filter(name=unit[0]).first() or Organisation.objects.create(
                name=unit[0], kind=unit[1], area_id=unit[2]
            )
        data = CategoryInput(code=code, name=name, unit=org, deadline_hours=hours, order=i)
        existing = SentinelCategory.objects.filter(code=code).first()
        if existing is None:
            category_create(data=data, actor=staff)
        elif existing.unit_id is None and org is not None:
            category_update(category=existing, data=data, actor=staff)
    area = Area.objects.get(code=ANXIANGJIE)
    lat, lng = area.lat, area.lng

    def report(category, text, d_lat=0.0, d_lng=0.0):
        return lead_report(
            reporter=rider, category=category, area=area, lat=lat + d_lat, lng=lng + d_lng, text=text
        )

    def handle(ticket, note=None):
        """The community worker takes it over from the queue, and optionally finishes it."""
        if ticket.state != "submitted":
            tickets.ticket_reassign(
                ticket=ticket, parties=[PartyRef("user", worker.pk)], actor=worker, note="社区代为处置"
            )
        else:
            tickets.ticket_dispatch(ticket=ticket, parties=[PartyRef("user", worker.pk)], actor=worker)
        tickets.ticket_accept(ticket=ticket, actor=worker)
        if note:
            tickets.ticket_resolve(ticket=ticket, actor=worker, note=note)
        return ticket

    report("community", "安象街12号楼下共享单车堆满人行道", 0.0004)  # waiting in the community's queue
    first = report("illegal_ads", "安象街公交站牌贴满办证小广告", -0.0003, 0.0002)  # sent to 综合执法局
    duplicate = report("illegal_ads", "公交站那边又看到办证小广告", -0.0002, 0.0002)
    lead_merge(duplicate=duplicate, into=first, actor=worker)
    handle(report("property", "小区东门井盖松动，电动车经过会响", 0.0002, -0.0003))  # being handled
    handle(report("property", "安象街8号路灯不亮已三天", -0.0005), note="已联系物业更换灯泡，路灯恢复")
    done = handle(
        report("fraud", "有人在菜市场门口推销高息理财，疑似诈骗", 0.0001, 0.0004), note="民警已到场劝离并登记"
    )
    tickets.ticket_rate(ticket=done, actor=rider, rating=5, comment="处理很快")
    ctx.counts["sentinel leads"] = Lead.objects.count()

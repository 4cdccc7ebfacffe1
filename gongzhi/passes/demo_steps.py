"""Demo data of the rider pass: the seed's six rider-friendly communities of 简城街道, gates of
安象街社区 with the demo guard, riders (the demo rider 王强 verified, insured, with a live pass),
and two weeks of gate scans for the figures.

Idempotent: a second run leaves what is there. It does not import ``gongzhi.demo`` (that layer
sits above the apps), so the demo logins are found in ``ctx.users`` by mobile number.
"""

from __future__ import annotations

import io
import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import membership_grant, user_create
from gongzhi.areas.models import Area
from gongzhi.lib import passes as lib

from . import services
from .models import AccessEvent, Gate, InsuranceKind, Platform, Rider, RiderFriendlyCommunity, RiderStatus

ORDER = 40
RIDER_MOBILE = "13800000002"
WORKER_MOBILE = "13800000007"
GUARD_MOBILE = "13800000010"
ANXIANGJIE = "510185001001"
# 简城街道's communities: the seed's "建设骑手友好型社区6个".
FRIENDLY = {
    "510185001001": dict(
        rest_stop=True, charging=True, water=True, toilet=True, notes="北门旁暖心驿站，可充电、喝水、歇脚"
    ),
    "510185001002": dict(rest_stop=True, water=True, toilet=True, notes="社区服务中心一楼"),
    "510185001003": dict(water=True, toilet=True),
    "510185001004": dict(rest_stop=True, charging=True),
    "510185001006": dict(water=True),
    "510185001013": dict(rest_stop=True, water=True, toilet=True),
}
GATES = ["北门", "南门", "东门"]
RIDERS = [  # name, platform, station, community
    ("李师傅", "eleme", "饿了么简阳城南站", "510185001001"),
    ("张伟", "meituan", "美团简城站", "510185001002"),
    ("刘洋", "sf", "顺丰简阳营业部", "510185001001"),
    ("陈杰", "dada", "达达简城站", "510185001003"),
    ("杨磊", "meituan", "美团简城站", "510185001004"),
    ("赵勇", "didi", "滴滴简阳", "510185001006"),
    ("黄涛", "eleme", "饿了么简阳城南站", "510185001013"),
    ("周明", "jd", "京东简阳站", "510185001001"),
    ("吴超", "shansong", "闪送简阳", "510185001002"),
    ("孙鹏", "meituan", "美团简城站", "510185001001"),
]


def _photo(rng: random.Random, name: str) -> SimpleUploadedFile:
    """A synthetic portrait: a coloured head-and-shoulders silhouette (no real person)."""
    image = Image.new("RGB", (320, 400), tuple(rng.randint(150, 230) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    skin = (224, 188, 160)
    draw.ellipse((100, 70, 220, 200), fill=skin)
    draw.rectangle((60, 250, 260, 400), fill=tuple(rng.randint(20, 120) for _ in range(3)))
    draw.ellipse((60, 200, 260, 320), fill=tuple(rng.randint(20, 120) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile(f"{name}.png", out.getvalue(), content_type="image/png")


def _rider(ctx, *, user, platform: str, station: str, area_code: str, worker, plate: str, insured: bool):
    rider = Rider.objects.filter(user=user).first()
    if rider is not None:
        return rider
    actor = worker if area_code == ANXIANGJIE else user  # elsewhere the rider registers themself
    rider = services.rider_register(
        user=user,
        platform=Platform.objects.get(code=platform),
        station=station,
        area=Area.objects.get(code=area_code),
        plate=plate,
        photo=_photo(ctx.rng, user.name),
        actor=actor,
    )
    if insured:
        today = timezone.localdate()
        start = today - timedelta(days=ctx.rng.randint(30, 300))
        services.insurance_add(
            rider=rider,
            kind=InsuranceKind.OCCUPATIONAL_INJURY,
            insurer=ctx.rng.choice(["中国人民财产保险", "中国平安财产保险", "中国太平洋财产保险"]),
            number=f"PDEA2025{ctx.rng.randint(10**9, 10**10 - 1)}",
            starts_on=start,
            ends_on=start + timedelta(days=364),
            actor=actor,
        )
    return rider


def seed(ctx) -> None:
    worker = ctx.users.get(WORKER_MOBILE)
    guard = ctx.users.get(GUARD_MOBILE)
    rider_user = ctx.users.get(RIDER_MOBILE)
    if worker is None or guard is None or rider_user is None:
        return
    for code, offered in FRIENDLY.items():
        if not RiderFriendlyCommunity.objects.filter(area_id=code).exists():
            area = Area.objects.get(code=code)
            # The worker of 安象街 manages only their own community; the others are set up as the
            # system (their own workers would do it in a real city).
            community = RiderFriendlyCommunity(area=area, honours_pass=True, **offered)
            community.save()
    anxiangjie = Area.objects.get(code=ANXIANGJIE)
    gates = []
    for name in GATES:
        gate = Gate.objects.filter(area=anxiangjie, name=name).first() or services.gate_create(
            area=anxiangjie, name=name, actor=worker
        )
        if not gate.guards.filter(pk=guard.pk).exists():
            services.gate_guard_add(gate=gate, guard_mobile=GUARD_MOBILE, actor=worker)
        gates.append(gate)

    riders = [
        _rider(
            ctx,
            user=rider_user,
            platform="meituan",
            station="美团简城站",
            area_code=ANXIANGJIE,
            worker=worker,
            plate="简阳A·D3821",
            insured=True,
        )
    ]
    for i, (name, platform, station, code) in enumerate(RIDERS):
        mobile = f"1660185{i:04d}"
        user = ctx.users.get(mobile) or User.objects.filter(rider__station=station, name=name).first()
        if user is None:
            user = user_create(mobile=mobile, name=name)
            membership_grant(user=user, role=Role.RIDER, area=Area.objects.get(code=code))
        ctx.users[mobile] = user
        riders.append(
            _rider(
                ctx,
                user=user,
                platform=platform,
                station=station,
                area_code=code,
                worker=worker,
                plate=f"简阳{chr(65 + i)}·{ctx.rng.randint(10000, 99999)}",
                insured=i % 4 != 3,
            )
        )
    for i, rider in enumerate(riders):
        if rider.status == RiderStatus.PENDING and (i == 0 or i % 5 != 4):
            if rider.area_id == ANXIANGJIE:
                services.rider_transition(
                    rider=rider, to=RiderStatus.VERIFIED, actor=worker, note="证件已核验"
                )
            else:
                rider.status, rider.verified_at = RiderStatus.VERIFIED, timezone.now()
                rider.save(update_fields=["status", "verified_at"])
    verified = [r for r in Rider.objects.filter(pk__in=[r.pk for r in riders], status=RiderStatus.VERIFIED)]
    records = {r.pk: services.pass_current(rider=r) for r in verified}

    if not AccessEvent.objects.filter(gate__in=gates).exists():
        now = timezone.now()
        events = []
        for day in range(14):
            for _ in range(ctx.rng.randint(12, 30)):
                rider = ctx.rng.choice(verified)
                at = now - timedelta(days=day, hours=ctx.rng.randint(0, 12), minutes=ctx.rng.randint(0, 59))
                ok = ctx.rng.random() > 0.06
                # Refusals: an expired screenshot (authentic, so the rider is known) or a forgery.
                forged = not ok and ctx.rng.random() < 0.5
                events.append(
                    AccessEvent(
                        gate=ctx.rng.choice(gates),
                        area=anxiangjie,
                        serial=None if forged else records[rider.pk].serial,
                        rider=None if forged else rider,
                        guard=guard,
                        at=at,
                        ok=ok,
                        reason=lib.Reason.OK.value
                        if ok
                        else lib.Reason.BAD_SIGNATURE.value
                        if forged
                        else lib.Reason.EXPIRED.value,
                    )
                )
        AccessEvent.objects.bulk_create(events)
        ctx.counts["gate scans"] = len(events)
    ctx.counts["riders"] = Rider.objects.count()

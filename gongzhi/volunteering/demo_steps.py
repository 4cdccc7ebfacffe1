"""Volunteering in the demo city: teams, the volunteer login 曾建国 of 蜀阳社区's 老党员工作室 with
activities for their target groups, approved hours (paid as points), training and an award, and a
certificate; caring mothers and neighbourhood guardians paired with the left-behind children and
elderly people living alone of 简阳市, some visited on schedule and some overdue, one visit's
concern opened as a care-concern case of the community. Deterministic for a seed; re-running adds nothing."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import membership_grant, user_create
from gongzhi.areas.models import Area, subtree_q
from gongzhi.people.models import Person

from . import selectors, services
from .models import PairType, Team, Volunteer

ORDER = 60

SHUYANG = "510185002001"  # 射洪坝街道蜀阳社区
COUNTY = "510185"  # 简阳市
COUNTY_CODE = "510185000000"
ANXIANGJIE = "510185001001"
VOLUNTEER_LOGIN = "13800000003"
ORGANISER_LOGIN = "13800000009"  # city staff: may organise anywhere in the city

TEAMS = [(SHUYANG, "老党员工作室"), (SHUYANG, "红色军属帮帮团"), (ANXIANGJIE, "青鹰行动")]
PAST = [  # days ago, category, title, hours
    (35, "haircut", "公益理发进小区", 3),
    (21, "tea", "爱心茶铺·邻里茶话", 2),
    (14, "anti_fraud", "反诈宣传进院坝", 2),
    (7, "health", "老年人健康讲座", 2),
]
UPCOMING = [
    (1, "tea", "爱心茶铺·周末茶话", 3),
    (4, "heritage", "非遗体验·剪纸", 2),
    (6, "childcare", "暑期托管·作业辅导", 3),
]
TARGETS = {  # whom each category serves (服务对象)
    "haircut": ("elderly", "disabled"),
    "tea": ("elderly", "riders"),
    "anti_fraud": ("elderly", "residents"),
    "health": ("elderly",),
    "heritage": ("children", "residents"),
    "childcare": ("children",),
}
RECORDS = [  # days ago, kind, title, issuer, hours, rating
    (200, "training", "志愿服务通用知识培训", "简阳市志愿服务联合会", "4", ""),
    (90, "award", "优秀志愿者", "射洪坝街道", None, ""),
    (30, "evaluation", "年度志愿服务考评", "蜀阳社区", None, "excellent"),
]
# Volunteers of each pair type, registered just before that type is paired: a volunteer's
# capacity counts every pairing, so with one shared group the left-behind children (paired first)
# took every place in a large city and no elderly person living alone had a guardian.
PAIR_VOLUNTEERS = {
    "caring_mother": ["刘秀英", "陈桂芳", "王淑华", "李春梅"],
    "neighbour_guardian": ["张玉兰", "杨德明", "黄志强", "周建华"],
}


def _jitter(rng: random.Random, area: Area) -> tuple[float, float]:
    lat, lng = area.lat or 30.39, area.lng or 104.55
    return lat + rng.uniform(-0.006, 0.006), lng + rng.uniform(-0.006, 0.006)


def seed(ctx) -> None:
    user = ctx.users.get(VOLUNTEER_LOGIN)
    organiser = ctx.users.get(ORGANISER_LOGIN)
    if user is None or organiser is None or Volunteer.objects.filter(user=user).exists():
        return
    rng = random.Random(ctx.seed * 7 + 3)
    shuyang = Area.objects.get(code=SHUYANG)
    teams = {}
    for code, name in TEAMS:
        teams[name] = Team.objects.filter(area_id=code, name=name).first() or services.team_create(
            name=name, area=Area.objects.get(code=code), actor=organiser
        )
    lat, lng = _jitter(rng, shuyang)
    me = services.volunteer_register(
        user=user,
        area=shuyang,
        team=teams["老党员工作室"],
        skills="理发、政策宣讲",
        availability="周末全天",
        pair_capacity=3,
        lat=lat,
        lng=lng,
        actor=organiser,
    )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for days, category, title, hours in PAST:
        start = now - timedelta(days=days, hours=-1)
        activity = services.activity_create(
            data=services.ActivityInput(
                title=title,
                category=category,
                starts_at=start,
                ends_at=start + timedelta(hours=hours),
                volunteer_capacity=6,
                participant_capacity=80,
                place=f"{shuyang.name}党群服务中心",
                team=teams["老党员工作室"],
                lat=shuyang.lat,
                lng=shuyang.lng,
                target_groups=TARGETS[category],
            ),
            area=shuyang,
            actor=organiser,
        )
        services.signup_create(activity=activity, user=user, now=start - timedelta(days=2))
        services.check_in_or_out(activity=activity, user=user, now=start - timedelta(minutes=10))
        signup = services.check_in_or_out(
            activity=activity, user=user, now=activity.ends_at + timedelta(minutes=5)
        )
        services.attendance_approve(signup=signup, actor=organiser)
        services.activity_record_served(activity=activity, served=rng.randint(25, 70), actor=organiser)
    for days, category, title, hours in UPCOMING:
        start = now + timedelta(days=days, hours=2)
        services.activity_create(
            data=services.ActivityInput(
                title=title,
                category=category,
                starts_at=start,
                ends_at=start + timedelta(hours=hours),
                volunteer_capacity=4,
                participant_capacity=40,
                place=f"{shuyang.name}党群服务中心",
                team=teams["红色军属帮帮团"],
                lat=shuyang.lat,
                lng=shuyang.lng,
                check_distance_m=300,
                target_groups=TARGETS[category],
            ),
            area=shuyang,
            actor=organiser,
        )
    services.certificate_issue(
        volunteer=me,
        organisation=f"{shuyang.name}志愿服务站",
        responsible="孙海",
        handler="李晓燕",
        contact="028-27000000",
        actor=organiser,
    )
    for days, kind, title, issuer, hours, rating in RECORDS:
        services.volunteer_record_add(
            volunteer=me,
            kind=kind,
            title=title,
            day=timezone.localdate() - timedelta(days=days),
            issuer=issuer,
            hours=Decimal(hours) if hours else None,
            rating=rating,
            actor=organiser,
        )
    _seed_pairings(ctx, rng, organiser)
    ctx.counts["volunteering.activities"] = len(PAST) + len(UPCOMING)


def _seed_pairings(ctx, rng: random.Random, organiser) -> None:
    tagged = Person.objects.filter(
        subtree_q("area_id", COUNTY), tags__tag__in=["left_behind_child", "elderly_alone"]
    )
    # Demo residents carry no coordinates: place the ones to be cared for near their community.
    for person in tagged.filter(lat__isnull=True).select_related("area").distinct().order_by("pk"):
        plat, plng = _jitter(rng, person.area)
        Person.objects.filter(pk=person.pk).update(lat=plat, lng=plng)
    # Guardians live in the communities with the most people to care for (蜀阳 first).
    busiest = list(
        tagged.values("area_id")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "area_id")[: max(len(names) for names in PAIR_VOLUNTEERS.values())]
    )
    codes = [SHUYANG] + [row["area_id"] for row in busiest if row["area_id"] != SHUYANG]
    today = timezone.localdate()
    n = 0
    for pair_type in PairType.objects.order_by("code"):
        for name in PAIR_VOLUNTEERS.get(pair_type.code, []):
            area = Area.objects.get(code=codes[n % len(codes)])
            user = user_create(mobile=f"1380001{n:04d}", name=name)
            membership_grant(user=user, role=Role.VOLUNTEER, area=area)
            glat, glng = _jitter(rng, area)
            services.volunteer_register(
                user=user, area=area, pair_capacity=3, lat=glat, lng=glng, actor=organiser
            )
            n += 1
        result = selectors.pairing_suggestions(viewer=organiser, pair_type=pair_type, area_code=COUNTY_CODE)
        for k, s in enumerate(result.pairs):
            pairing = services.pairing_create(
                pair_type=pair_type, volunteer=s.volunteer, person=s.person, actor=organiser
            )
            pairing.started_on = today - timedelta(days=60)
            pairing.save(update_fields=["started_on"])
            if k % 4 != 3:  # every fourth is left overdue, for the alerts
                concern = k == 0 and pair_type.code == "neighbour_guardian"
                services.visit_record(
                    pairing=pairing,
                    day=today - timedelta(days=rng.randint(0, pair_type.visit_every_days - 1)),
                    kind=rng.choice(["home", "call", "activity"]),
                    notes="身体和生活情况良好" if not concern else "老人腿脚不便，独自上下楼困难",
                    concerns="家中楼道照明损坏，夜间出行有跌倒风险" if concern else "",
                    open_ticket=concern,
                    concern_category="safety",
                    actor=organiser,
                )
        ctx.counts[f"volunteering.pairings.{pair_type.code}"] = len(result.pairs)

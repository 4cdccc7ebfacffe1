"""The demo city: real Jianyang and Weibin areas, synthetic people, staff of every role.

Deterministic for a given ``seed`` (names, ID numbers, tags, organisations are the same every
run; only ciphertexts differ, since encryption uses random nonces). Later apps add their own demo
data by defining ``demo_steps.py`` with ``ORDER`` and ``seed(ctx)``; they run after these steps.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import membership_grant, user_create
from gongzhi.areas.models import Area, Level
from gongzhi.areas.services import areas_import_csv
from gongzhi.directory.models import Organisation, OrgKind
from gongzhi.lib import idcodes
from gongzhi.people.models import Tag
from gongzhi.people.services import ConsentInput, PersonRow, person_bulk_import

DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - the published demo password
CITY = "510185000000"
JIANCHENG = "510185001000"
ANXIANGJIE = "510185001001"  # 安象街社区, where the seed's resident Ms Huang lives
SHUYANG = "510185002001"  # 射洪坝街道蜀阳社区
BAIMATA = "510185001002"  # 白塔路社区: a second community for scoping checks
WEIBIN = "610302000000"
QINGJIANGLU = "610302003001"  # 宝鸡市渭滨区清姜路社区

# One demo login per role: (role, mobile, name, area, organisation key)
DEMO_LOGINS = [
    (Role.RESIDENT, "13800000001", "黄丽", ANXIANGJIE, None),
    (Role.RIDER, "13800000002", "王强", ANXIANGJIE, None),
    (Role.VOLUNTEER, "13800000003", "曾建国", SHUYANG, None),
    (Role.SOCIAL_WORKER, "13800000004", "李晓燕", JIANCHENG, "social_org"),
    (Role.ORG_MEMBER, "13800000005", "陈伟", JIANCHENG, "mass_org"),
    (Role.MERCHANT, "13800000006", "刘芳", ANXIANGJIE, "merchant"),
    (Role.COMMUNITY_WORKER, "13800000007", "张敏", ANXIANGJIE, None),
    (Role.TOWN_STAFF, "13800000008", "赵磊", JIANCHENG, None),
    (Role.CITY_STAFF, "13800000009", "孙海", CITY, None),
    (Role.GATE_GUARD, "13800000010", "周师傅", ANXIANGJIE, None),
    (Role.SECURITY_ADMIN, "13800000011", "吴安", CITY, None),
    (Role.AUDIT_ADMIN, "13800000012", "郑审", CITY, None),
    (Role.SYSTEM_ADMIN, "13800000013", "钱系", CITY, None),
    (Role.COMMUNITY_WORKER, "13800000014", "杨洁", QINGJIANGLU, None),
]

MASS_ORGS = [
    "简阳市总工会",
    "共青团简阳市委员会",
    "简阳市妇女联合会",
    "简阳市残疾人联合会",
    "简阳市科学技术协会",
    "简阳市归国华侨联合会",
    "简阳市文学艺术界联合会",
    "简阳市工商业联合会",
    "简阳市红十字会",
    "简阳市社会科学界联合会",
    "简阳市计划生育协会",
    "简阳市关心下一代工作委员会",
    "简阳市老龄协会",
    "简阳市青年联合会",
]
SOCIAL_ORG_WORDS = [
    "阳光",
    "暖心",
    "同心",
    "善行",
    "益路",
    "邻里",
    "康乐",
    "向日葵",
    "春晖",
    "星火",
    "绿洲",
    "启明",
]
SOCIAL_ORG_KINDS = [
    "社会工作服务中心",
    "志愿者协会",
    "养老服务中心",
    "青少年服务中心",
    "公益发展中心",
    "调解服务中心",
]
MERCHANT_KINDS = ["超市", "药房", "理发店", "茶铺", "面馆", "水果店", "五金店", "便利店", "眼镜店", "早餐店"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文辉鹏飞俊宇浩然欣怡子涵梓萱雨桐一诺思远嘉豪晨曦"
# Older county codes still printed on residents' ID cards (REQUIREMENTS-CN.md).
ID_AREA_CODES = ["510185", "512081", "512424", "511027", "511082", "513902"]


@dataclass
class SeedContext:
    seed: int
    scale: int
    rng: random.Random
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)  # role label, mobile, name, area
    users: dict[str, User] = field(default_factory=dict)  # by mobile
    progress: object = None
    counts: dict[str, int] = field(default_factory=dict)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _birth(rng: random.Random, today: date, min_age: int, max_age: int) -> date:
    return today - timedelta(days=rng.randint(min_age * 365 + 1, max_age * 365 - 1))


def seed_areas(ctx: SeedContext) -> None:
    if not Area.objects.filter(code=CITY).exists():
        areas_import_csv()
    ctx.counts["areas"] = Area.objects.count()


def seed_organisations(ctx: SeedContext) -> None:
    if Organisation.objects.exists():
        return
    rng = ctx.rng
    towns = list(Area.objects.filter(code__startswith="510185", level=Level.TOWN).order_by("code"))
    communities = list(Area.objects.filter(code__startswith="510185", level=Level.VILLAGE).order_by("code"))
    orgs = [
        Organisation(
            name="中共简阳市委社会工作部", short_name="市委社会工作部", kind=OrgKind.DEPARTMENT, area_id=CITY
        )
    ]
    for i, name in enumerate(MASS_ORGS):
        orgs.append(
            Organisation(
                name=name,
                kind=OrgKind.MASS_ORG,
                area_id=CITY,
                uscc=idcodes.make_uscc(area_code="510185", sequence=1000 + i, authority="1", category="3"),
            )
        )
    for i in range(37):  # 37 social organisations stationed at the service centres
        town = rng.choice(towns)
        name = f"简阳市{rng.choice(SOCIAL_ORG_WORDS)}{rng.choice(SOCIAL_ORG_KINDS)}"
        orgs.append(
            Organisation(
                name=f"{name}（{town.name}）",
                kind=OrgKind.SOCIAL_ORG,
                area=town,
                uscc=idcodes.make_uscc(area_code="510185", sequence=2000 + i, authority="5", category="2"),
                categories=rng.sample(
                    [
                        "elderly_care",
                        "child_care",
                        "mediation",
                        "legal",
                        "health",
                        "rider_service",
                        "housework",
                    ],
                    3,
                ),
            )
        )
    n_merchants = min(271, max(20, ctx.scale // 300))
    for i in range(n_merchants):  # caring merchants, up to the seed's 271
        community = rng.choice(communities)
        orgs.append(
            Organisation(
                name=f"{_name(rng)[0]}记{rng.choice(MERCHANT_KINDS)}",
                kind=OrgKind.MERCHANT,
                area=community,
                uscc=idcodes.make_uscc(area_code="510185", sequence=3000 + i, authority="9", category="2"),
                lat=community.lat,
                lng=community.lng,
            )
        )
    for town in towns:  # 22 task forces (攻坚队), one per town/street
        orgs.append(
            Organisation(
                name=f"{town.name}大群团攻坚队",
                kind=OrgKind.TEAM,
                area=town,
                categories=["mediation", "anti_fraud"],
            )
        )
    orgs.append(
        Organisation(
            name="射洪坝街道蜀阳社区老党员工作室",
            kind=OrgKind.TEAM,
            area_id=SHUYANG,
            categories=["elderly_care", "child_care"],
        )
    )
    orgs.append(
        Organisation(
            name="清姜路社区“3·15”共治联盟",
            kind=OrgKind.TEAM,
            area_id=QINGJIANGLU,
            categories=["consumer_rights"],
        )
    )
    orgs.append(
        Organisation(name="红色军属帮帮团", kind=OrgKind.TEAM, area_id=QINGJIANGLU, categories=["mediation"])
    )
    Organisation.objects.bulk_create(orgs)
    ctx.counts["organisations"] = len(orgs)


def seed_staff(ctx: SeedContext) -> None:
    by_kind = {
        k: Organisation.objects.filter(kind=k).order_by("id").first()
        for k in ("social_org", "mass_org", "merchant")
    }
    # One PBKDF2 run shared by the demo accounts: a real hash costs ~0.4 s, fourteen of them 6 s.
    demo_hash = make_password(DEMO_PASSWORD)
    for role, mobile, name, area_code, org_kind in DEMO_LOGINS:
        user = User.objects.filter(mobile_masked=idcodes.mask_mobile(mobile), name=name).first()
        if user is None:
            user = user_create(mobile=mobile, name=name)
            user.password = demo_hash
            user.save(update_fields=["password"])
        area = Area.objects.get(code=area_code)
        if not user.memberships.filter(role=role, area=area).exists():
            membership_grant(
                user=user, role=role, area=area, organisation=by_kind.get(org_kind) if org_kind else None
            )
        ctx.users[mobile] = user
        ctx.logins.append((str(role.label), mobile, name, area.name))


def seed_residents(ctx: SeedContext) -> None:
    rng, today = ctx.rng, timezone.localdate()
    communities = list(Area.objects.filter(level=Level.VILLAGE).order_by("code"))
    weights = [max(a.population, 1) for a in communities]
    rows: list[PersonRow] = []
    used: set[str] = set()
    for _ in range(ctx.scale):
        area = rng.choices(communities, weights)[0]
        roll = rng.random()
        tags: list[str] = []
        if roll < 0.05:
            age, tags = rng.randint(70, 95), [Tag.ELDERLY_ALONE, Tag.ELDERLY]
        elif roll < 0.20:
            age, tags = rng.randint(60, 90), [Tag.ELDERLY]
        elif roll < 0.215:
            age, tags = rng.randint(6, 13), [Tag.LEFT_BEHIND_CHILD]
        elif roll < 0.25:
            age = rng.randint(3, 13)
        elif roll < 0.28:
            age, tags = rng.randint(20, 45), [Tag.NEW_EMPLOYMENT]
        else:
            age = rng.randint(18, 70)
        if rng.random() < 0.02:
            tags.append(Tag.DISABLED)
        if rng.random() < 0.015 and age >= 30:
            tags.append(Tag.VETERAN)
        if rng.random() < 0.01:
            tags.append(Tag.SPECIAL_DIFFICULTY)
        birth = _birth(rng, today, age, age + 1)
        area6 = "610302" if area.code.startswith("610302") else rng.choice(ID_AREA_CODES)
        while True:
            number = idcodes.make_id_card(area6, birth, rng.randint(1, 999))
            if number not in used:
                used.add(number)
                break
        name = _name(rng)
        consent = None
        if age < 14:
            consent = ConsentInput(
                guardian_name=name[0] + rng.choice(GIVEN) + rng.choice(GIVEN),
                relationship=rng.choice(["parent", "grandparent"]),
                guardian_mobile=f"13{rng.randint(5, 9)}{rng.randint(0, 99999999):08d}",
                purpose="留守儿童关爱服务与结对帮扶",
                method="监护人签署书面同意书",
            )
        rows.append(
            PersonRow(
                name=name,
                area_code=area.code,
                id_number=number,
                mobile=f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"
                if age >= 14
                else "",
                address=f"{area.name}{rng.randint(1, 40)}栋{rng.randint(1, 6)}单元{rng.randint(1, 30)}{rng.randint(1, 4):02d}",
                tags=tuple(tags),
                consent=consent,
            )
        )
    person_bulk_import(rows=rows, progress=ctx.progress)
    ctx.counts["residents"] = len(rows)


def seed_login_people(ctx: SeedContext) -> None:
    """Give the resident and rider demo logins person records, so their pages show real data."""
    today = timezone.localdate()
    for role, mobile, name, area_code, _org in DEMO_LOGINS:
        if role not in (Role.RESIDENT, Role.RIDER, Role.VOLUNTEER):
            continue
        user = ctx.users[mobile]
        if user.person_id:
            continue
        birth = _birth(ctx.rng, today, 30, 50)
        number = idcodes.make_id_card("510185", birth, 100 + 2 * list(Role).index(role) + 1)
        tags = (
            [Tag.NEW_EMPLOYMENT]
            if role == Role.RIDER
            else [Tag.PARTY_MEMBER, Tag.RETIRED_CADRE]
            if role == Role.VOLUNTEER
            else []
        )
        person_bulk_import(
            rows=[
                PersonRow(name=name, area_code=area_code, id_number=number, mobile=mobile, tags=tuple(tags))
            ]
        )
        from gongzhi.people.services import person_find_by_id_number

        user.person = person_find_by_id_number(number)
        user.save(update_fields=["person"])


CORE_STEPS = [seed_areas, seed_organisations, seed_staff, seed_residents, seed_login_people]


def extra_steps() -> list:
    """``seed(ctx)`` functions of other apps' ``demo_steps`` modules, in their ORDER."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("gongzhi."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo_steps")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo_steps":
                raise
            continue
        found.append((getattr(module, "ORDER", 100), config.name, module.seed))
    return [fn for _, _, fn in sorted(found)]


def run(*, scale: int, seed: int, progress=None) -> SeedContext:
    ctx = SeedContext(seed=seed, scale=scale, rng=random.Random(seed), progress=progress)
    already = Area.objects.filter(code=CITY).exists() and User.objects.exists()
    with transaction.atomic():
        for step in CORE_STEPS:
            if step is seed_residents and already:
                continue  # residents are seeded once; re-running refreshes logins only
            step(ctx)
        for step in extra_steps():
            step(ctx)
    return ctx

"""Demo data of the three lists and of service orders, so every role's pages show something real.

Resources come from the demo organisations and from the volunteer, social-worker, organisation-
member and merchant logins; offerings and standing needs are set for 安象街社区, 简城街道, 蜀阳社区
and 清姜路社区; orders from the resident and rider logins stand in every state of the life cycle
(waiting, offered, taken, being done, done, rated, rated badly with a follow-up call due, cancelled,
reopened, overdue and escalated to the street). Runs after the core steps; skipped when present.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gongzhi.areas.models import Area
from gongzhi.directory.models import Organisation, OrgKind
from gongzhi.people.models import Person, Tag
from gongzhi.tickets import services as tickets
from gongzhi.tickets.models import RoutingRule, Ticket

from .models import NeedSource, Resource, ResourceKind, ServiceOffering, Subject, Urgency
from .policy import KIND
from .services import need_create, offering_create, order_place, resource_create

ORDER = 50
# The demo city's areas (gongzhi.demo.seed), by code: this module is imported by the seed, not the reverse.
CITY, JIANCHENG, ANXIANGJIE = "510185000000", "510185001000", "510185001001"
SHUYANG, QINGJIANGLU = "510185002001", "610302003001"

RESIDENT, RIDER, VOLUNTEER, SOCIAL_WORKER, ORG_MEMBER, MERCHANT, WORKER = (
    "13800000001",
    "13800000002",
    "13800000003",
    "13800000004",
    "13800000005",
    "13800000006",
    "13800000007",
)
MERCHANT_CATEGORIES = {
    "理发店": ["haircut"],
    "药房": ["health"],
    "五金店": ["repair"],
    "超市": ["meal", "housework"],
    "便利店": ["meal"],
    "面馆": ["meal"],
    "早餐店": ["meal"],
    "茶铺": ["rider_service"],
    "水果店": ["meal"],
    "眼镜店": ["health"],
}
MASS_ORG_CATEGORIES = {
    "简阳市总工会": ["rider_service", "employment", "legal"],
    "共青团简阳市委员会": ["child_care", "psych"],
    "简阳市妇女联合会": ["child_care", "employment", "mediation"],
    "简阳市残疾人联合会": ["disability", "companion"],
    "简阳市红十字会": ["health", "emergency_help"],
    "简阳市老龄协会": ["elderly_care", "companion"],
}


def _area(code: str) -> Area:
    return Area.objects.get(code=code)


def seed_resources(ctx) -> dict[str, Resource]:
    rng = ctx.rng
    made: dict[str, Resource] = {}
    for org in Organisation.objects.filter(kind=OrgKind.SOCIAL_ORG, is_active=True).order_by("id"):
        made[f"org:{org.pk}"] = resource_create(
            actor=None,
            name=org.name,
            kind=ResourceKind.ORGANISATION,
            organisation=org,
            area=org.area,
            categories=org.categories or ["elderly_care"],
            capacity=rng.choice([3, 5, 8]),
            availability="工作日 9:00-17:30",
            lat=org.area.lat,
            lng=org.area.lng,
        )
    for org in Organisation.objects.filter(
        kind=OrgKind.MASS_ORG, name__in=list(MASS_ORG_CATEGORIES)
    ).order_by("id"):
        made[f"org:{org.pk}"] = resource_create(
            actor=None,
            name=org.name,
            kind=ResourceKind.ORGANISATION,
            organisation=org,
            area=org.area,
            categories=MASS_ORG_CATEGORIES[org.name],
            capacity=10,
            availability="工作日",
            lat=_area(CITY).lat,
            lng=_area(CITY).lng,
        )
    for org in Organisation.objects.filter(kind=OrgKind.TEAM, is_active=True).order_by("id"):
        made[f"org:{org.pk}"] = resource_create(
            actor=None,
            name=org.name,
            kind=ResourceKind.ORGANISATION,
            organisation=org,
            area=org.area,
            categories=[
                c
                for c in org.categories
                if c
                in MASS_ORG_CATEGORIES["简阳市妇女联合会"]
                + ["anti_fraud", "consumer_rights", "elderly_care", "child_care"]
            ]
            or ["mediation"],
            capacity=4,
            availability="随时",
        )
    merchant_user = ctx.users.get(MERCHANT)
    merchant_org = (
        next((m.organisation for m in merchant_user.memberships.all() if m.organisation_id), None)
        if merchant_user
        else None
    )
    for org in Organisation.objects.filter(kind=OrgKind.MERCHANT, is_active=True).order_by("id")[:60]:
        kind_word = next((k for k in MERCHANT_CATEGORIES if org.name.endswith(k)), "便利店")
        # The merchant login's shop serves the resident login's community, so the loop can be tried.
        area = _area(ANXIANGJIE) if merchant_org and org.pk == merchant_org.pk else org.area
        categories = (
            ["haircut", "meal"]
            if merchant_org and org.pk == merchant_org.pk
            else MERCHANT_CATEGORIES[kind_word]
        )
        made[f"org:{org.pk}"] = resource_create(
            actor=None,
            name=org.name,
            kind=ResourceKind.MERCHANT,
            organisation=org,
            area=area,
            categories=categories,
            capacity=2,
            availability="每天 8:00-20:00",
            lat=area.lat,
            lng=area.lng,
        )
    volunteer = ctx.users.get(VOLUNTEER)
    if volunteer is not None:
        made[f"user:{volunteer.pk}"] = resource_create(
            actor=None,
            name=volunteer.name,
            kind=ResourceKind.VOLUNTEER,
            user=volunteer,
            area=_area(JIANCHENG[:6] + "002000"),  # 射洪坝街道: he serves his whole street
            categories=["elderly_care", "companion", "child_care"],
            skills=["陪诊", "老党员工作室"],
            capacity=3,
            availability="周末全天",
            contact_name=volunteer.name,
        )
    repairers, _created = Organisation.objects.get_or_create(
        name="安象街社区便民维修志愿队",
        defaults={"kind": OrgKind.TEAM, "area": _area(ANXIANGJIE), "categories": ["repair"]},
    )
    made[f"org:{repairers.pk}"] = resource_create(
        actor=None,
        name=repairers.name,
        kind=ResourceKind.ORGANISATION,
        organisation=repairers,
        area=_area(ANXIANGJIE),
        categories=["repair", "housework"],
        skills=["水电", "家电"],
        capacity=4,
        availability="每天 18:00-21:00、周末全天",
        lat=_area(ANXIANGJIE).lat,
        lng=_area(ANXIANGJIE).lng,
    )
    resource_create(
        actor=None,
        name="安象街社区党群服务中心活动室",
        kind=ResourceKind.VENUE,
        area=_area(ANXIANGJIE),
        capacity=40,
        availability="每天 8:30-21:00",
    )
    resource_create(
        actor=None,
        name="简阳市慈善会“一老一小”关爱基金",
        kind=ResourceKind.FUND,
        area=_area(CITY),
        capacity=1,
        availability="按季度申请",
    )
    return made


def _org(name_part: str, kind: str | None = None) -> Organisation | None:
    qs = Organisation.objects.filter(name__contains=name_part)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("id").first()


def _resource_of(org: Organisation | None) -> Resource | None:
    return Resource.objects.filter(organisation=org).first() if org else None


def seed_needs(ctx) -> None:
    rng = ctx.rng
    resident = ctx.users.get(RESIDENT)
    lonely = list(Person.objects.filter(area_id=ANXIANGJIE, tags__tag=Tag.ELDERLY_ALONE).order_by("id")[:5])
    for person in lonely:
        need_create(
            actor=None,
            title="独居老人每周上门探访",
            category="elderly_care",
            area=_area(ANXIANGJIE),
            subject=Subject.PERSON,
            person=person,
            urgency=Urgency.HIGH,
            source=NeedSource.VISIT,
            frequency="每周一次",
            description="测血压、聊聊天、看看家里安全",
        )
    if resident is not None and resident.person_id:
        need_create(
            actor=None,
            title="老房水管老化，需要定期检修",
            category="repair",
            area=_area(ANXIANGJIE),
            subject=Subject.PERSON,
            person=resident.person,
            urgency=Urgency.NORMAL,
            source=NeedSource.RESIDENT,
            frequency="每季度一次",
        )
        need_create(
            actor=None,
            title="想学手机挂号和视频通话",
            category="elderly_care",
            area=_area(ANXIANGJIE),
            subject=Subject.PERSON,
            person=resident.person,
            urgency=Urgency.LOW,
            source=NeedSource.RESIDENT,
        )
    need_create(
        actor=None,
        title="简城街道骑手：休息、充电、饮水的驿站",
        category="rider_service",
        area=_area(JIANCHENG),
        subject=Subject.GROUP,
        group_tag=Tag.NEW_EMPLOYMENT,
        beneficiaries=320,
        urgency=Urgency.HIGH,
        source=NeedSource.SURVEY,
        description="午间高峰后需要歇脚和给电动车充电的地方",
    )
    need_create(
        actor=None,
        title="留守儿童放学后托管和作业辅导",
        category="child_care",
        area=_area(ANXIANGJIE),
        subject=Subject.GROUP,
        group_tag=Tag.LEFT_BEHIND_CHILD,
        beneficiaries=rng.randint(12, 30),
        urgency=Urgency.HIGH,
        source=NeedSource.VISIT,
        frequency="每个工作日",
    )
    need_create(
        actor=None,
        title="独居老人防诈骗宣传",
        category="anti_fraud",
        area=_area(ANXIANGJIE),
        subject=Subject.GROUP,
        group_tag=Tag.ELDERLY_ALONE,
        beneficiaries=40,
        urgency=Urgency.NORMAL,
        source=NeedSource.GRID,
    )
    need_create(
        actor=None,
        title="老年人防范保健品消费陷阱",
        category="consumer_rights",
        area=_area(QINGJIANGLU),
        subject=Subject.GROUP,
        group_tag=Tag.ELDERLY,
        beneficiaries=150,
        urgency=Urgency.NORMAL,
        source=NeedSource.SURVEY,
    )
    need_create(
        actor=None,
        title="老党员结对帮扶困境家庭",
        category="elderly_care",
        area=_area(SHUYANG),
        subject=Subject.GROUP,
        group_tag=Tag.SPECIAL_DIFFICULTY,
        beneficiaries=25,
        urgency=Urgency.NORMAL,
        source=NeedSource.REFERRAL,
    )


def seed_offerings(ctx, made: dict[str, Resource]) -> dict[str, ServiceOffering]:
    offerings: dict[str, ServiceOffering] = {}
    social = (
        Resource.objects.filter(
            kind=ResourceKind.ORGANISATION, organisation__kind=OrgKind.SOCIAL_ORG, area_id=JIANCHENG
        )
        .order_by("id")
        .first()
    )
    social = (
        social
        or Resource.objects.filter(kind=ResourceKind.ORGANISATION, organisation__kind=OrgKind.SOCIAL_ORG)
        .order_by("id")
        .first()
    )
    union = _resource_of(_org("简阳市总工会"))
    women = _resource_of(_org("妇女联合会"))
    red_cross = _resource_of(_org("红十字会"))
    merchant_user = ctx.users.get(MERCHANT)
    merchant_org = (
        next((m.organisation for m in merchant_user.memberships.all() if m.organisation_id), None)
        if merchant_user
        else None
    )
    shop = _resource_of(merchant_org)
    hardware = _resource_of(_org("安象街社区便民维修志愿队"))
    task_force = _resource_of(_org("简城街道大群团攻坚队"))
    volunteer = Resource.objects.filter(kind=ResourceKind.VOLUNTEER).first()
    alliance = _resource_of(_org("3·15"))
    veterans = _resource_of(_org("红色军属帮帮团"))
    plan = [
        ("visit", social, "独居老人上门探访", "elderly_care", JIANCHENG, True, "", "每周二、四上午"),
        ("phone_class", social, "老年人智能手机课", "elderly_care", JIANCHENG, True, "", "每月第二个周六"),
        ("haircut", shop, "公益理发", "haircut", ANXIANGJIE, True, "", "每月第一个周六上午"),
        ("meal", shop, "老年助餐送餐", "meal", ANXIANGJIE, False, "12元/餐（满70岁补贴6元）", "每天午餐"),
        ("repair", hardware, "水电小修上门", "repair", ANXIANGJIE, True, "", "每天 18:00-21:00"),
        (
            "rider_station",
            union,
            "骑手暖心驿站：歇脚、充电、饮水",
            "rider_service",
            CITY,
            True,
            "",
            "全天开放",
        ),
        ("legal", union, "法治护航专席：劳动维权咨询", "legal", CITY, True, "", "每周三下午"),
        ("after_school", women, "放学后托管与作业辅导", "child_care", CITY, True, "", "工作日 16:30-18:30"),
        ("first_aid", red_cross, "应急救护与健康义诊", "health", CITY, True, "", "每月一次"),
        ("mediation", task_force, "邻里纠纷调解", "mediation", JIANCHENG, True, "", "随时预约"),
        ("anti_fraud", task_force, "反诈宣传进楼院", "anti_fraud", JIANCHENG, True, "", "每月两次"),
        ("companion", volunteer, "陪同就医", "companion", SHUYANG[:9] + "000", True, "", "周末"),
        ("consumer", alliance, "消费维权咨询与调解", "consumer_rights", QINGJIANGLU, True, "", "每周五"),
        ("neighbours", veterans, "军属帮帮团邻里调解", "mediation", QINGJIANGLU, True, "", "随时预约"),
    ]
    for key, provider, title, category, area_code, free, price, schedule in plan:
        if provider is None:
            continue
        area = _area(area_code)
        if not area.code.startswith(provider.area.prefix):
            area = provider.area
        offerings[key] = offering_create(
            actor=None,
            title=title,
            category=category,
            provider=provider,
            area=area,
            capacity=provider.capacity,
            is_free=free,
            price=price,
            schedule=schedule,
        )
    return offerings


def seed_orders(ctx, offerings: dict[str, ServiceOffering]) -> None:
    """Orders by the resident and rider logins, walked through the engine into every state."""
    resident, rider, worker = ctx.users.get(RESIDENT), ctx.users.get(RIDER), ctx.users.get(WORKER)
    volunteer, social_worker = ctx.users.get(VOLUNTEER), ctx.users.get(SOCIAL_WORKER)
    org_member, merchant = ctx.users.get(ORG_MEMBER), ctx.users.get(MERCHANT)
    if None in (resident, rider, worker, volunteer, social_worker, org_member, merchant):
        return
    home = _area(ANXIANGJIE)

    def org_of(user):
        return next(m.organisation for m in user.memberships.all() if m.organisation_id)

    def order(by, title, category="", offering="", **kw):
        listed = offerings.get(offering)
        if (
            listed is not None
            and not ServiceOffering.objects.catalogue_for(by, ANXIANGJIE).filter(pk=listed.pk).exists()
        ):
            category, listed = listed.category, None
        return order_place(resident=by, area=home, title=title, category=category, offering=listed, **kw)

    def dispatch(t, *parties):
        tickets.ticket_dispatch(ticket=t, parties=list(parties), actor=worker, note="请及时联系居民")

    def take(t, party, user):
        dispatch(t, party)
        tickets.ticket_accept(ticket=t, actor=user)

    shop, social, union = org_of(merchant), org_of(social_worker), org_of(org_member)
    # Waiting in the queue: the dispatcher sees ranked suggestions for each.
    order(
        resident, "家里大扫除需要帮手", "housework", preferred_time="本周六上午", address="安象街12栋2单元301"
    )
    order(rider, "午间想找个地方给电动车充电", offering="rider_station")
    order(resident, "想请人教我用手机挂号", "elderly_care", description="孩子在外地，挂号总是挂不上")
    # Offered and waiting for an answer: the merchant and the organisation member see these.
    dispatch(order(resident, "预约公益理发", offering="haircut", preferred_time="下个月第一个周六"), shop)
    dispatch(order(rider, "咨询被拖欠的配送费怎么维权", offering="legal"), union)
    # Taken, and being done.
    take(order(resident, "每周上门探访我母亲", offering="visit"), social, social_worker)
    t = order(resident, "陪同去市人民医院复查", "companion", preferred_time="周六上午8点")
    take(t, volunteer, volunteer)
    tickets.ticket_start(ticket=t, actor=volunteer, note="已电话联系，周六七点半楼下见")
    # Done, waiting for the resident to confirm and rate.
    t = order(resident, "预约助餐送餐", offering="meal", preferred_time="每天中午")
    take(t, shop, merchant)
    tickets.ticket_resolve(ticket=t, actor=merchant, note="已开始每天中午送餐，第一周已送达")
    # Rated well; rated badly (a follow-up call is now due for the community worker).
    t = order(resident, "公益理发", offering="haircut")
    take(t, shop, merchant)
    tickets.ticket_resolve(ticket=t, actor=merchant, note="已理发")
    tickets.ticket_rate(ticket=t, actor=resident, rating=5, comment="师傅手艺好，很耐心")
    t = order(resident, "厨房水龙头漏水", "repair")
    take(t, shop, merchant)
    tickets.ticket_resolve(ticket=t, actor=merchant, note="已更换阀芯")
    tickets.ticket_rate(ticket=t, actor=resident, rating=2, comment="第二天又开始滴水")
    # Cancelled by the resident; declined by every party and back in the queue; reopened.
    tickets.ticket_cancel(
        ticket=order(resident, "想报名智能手机课", offering="phone_class"), actor=resident, note="已经学会了"
    )
    t = order(rider, "下雨天能否在驿站避雨", offering="rider_station")
    dispatch(t, union)
    tickets.ticket_decline(ticket=t, actor=org_member, note="驿站本周装修，请改派")
    t = order(resident, "楼道邻居装修噪音调解", "mediation")
    take(t, social, social_worker)
    tickets.ticket_resolve(ticket=t, actor=social_worker, note="已约双方面谈，约定晚八点后不施工")
    tickets.ticket_reopen(ticket=t, actor=resident, note="昨晚十点还在施工")
    # Overdue and escalated to the street (督办): on the town staff's workbench.
    t = order(resident, "小区门口路灯不亮", "repair")
    take(t, social, social_worker)
    past = timezone.now() - timedelta(days=3)
    Ticket.objects.filter(pk=t.pk).update(created_at=past - timedelta(days=1), deadline=past)
    t.refresh_from_db()
    tickets.ticket_escalate(ticket=t, actor=None)
    # A rule of the community: repairs go to the best-ranked provider at once.
    tickets.routing_rule_create(
        kind=KIND, category="repair", area=home, actor=None, strategy=RoutingRule.Strategy.BEST_MATCH
    )
    order(resident, "卫生间灯不亮了", "repair", preferred_time="今晚")  # dispatched automatically by the rule
    ctx.counts["service_orders"] = Ticket.objects.filter(kind=KIND).count()


def seed(ctx) -> None:
    if Resource.objects.exists() or ServiceOffering.objects.exists():
        return
    made = seed_resources(ctx)
    seed_needs(ctx)
    offerings = seed_offerings(ctx, made)
    seed_orders(ctx, offerings)
    ctx.counts["resources"] = Resource.objects.count()
    ctx.counts["service_offerings"] = ServiceOffering.objects.count()

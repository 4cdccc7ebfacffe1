"""Points in the demo city: budgets and the default earning rules, caring merchants in the
scheme (the demo merchant login works its till), a points shop, a year of awards and payments,
and a published honour roll. Deterministic for a seed; re-running adds nothing twice."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Role
from gongzhi.areas.models import Area
from gongzhi.directory.models import Organisation, OrgKind

from .models import Budget, EarningRule, Merchant, Nomination, ShopItem, Transfer
from .services import earning, honour, redemption, shop

ORDER = 50

CITY = "510185000000"
WEIBIN = "610302000000"
ANXIANGJIE = "510185001001"
JIANCHENG = "510185001000"
SHUYANG = "510185002001"
QINGJIANGLU = "610302003001"

# (code, name, description, points, unit, daily cap, monthly cap)
DEFAULT_RULES = [
    ("volunteer.hour", "志愿服务时长", "以时长换积分：每服务1小时", 10, "hour", 80, 600),
    ("sentinel.resolved", "城市哨兵线索办结", "上报的城市治理问题线索核实办结", 20, "event", 100, 600),
    ("hazard.verified", "隐患上报属实", "上报的安全隐患经核实", 30, "event", 120, 600),
    ("mediation.agreement", "调解达成协议", "参与矛盾纠纷调解并达成协议", 50, "event", 150, 800),
    ("suggestion.adopted", "居民建议被采纳", "提出的建议被社区或部门采纳", 20, "event", 60, 200),
    ("service.rated_well", "服务获好评", "提供的服务获居民4–5星评价", 5, "event", 30, 300),
    ("honour.published", "登上“好样的！你”", "事迹入选“好样的！你”展播", 100, "event", None, None),
]
SHOP_GOODS = [
    ("食用油 5L", "非转基因菜籽油", 300, 20),
    ("洗衣液 2kg", "日用洗护", 120, 40),
    ("大米 10斤", "本地优质大米", 200, 30),
    ("抽纸一提", "家庭装", 60, 80),
    ("理发券", "社区公益理发一次", 50, 50),
]
STORIES = [
    (
        "person",
        "曾建国",
        "曾先生",
        "退休不褪色的老党员",
        "射洪坝街道蜀阳社区退休干部曾先生牵头成立老党员工作室，凝聚起200余名老干部、老党员，"
        "参与养老、托育、创业就业等群团服务，累计提供志愿服务600余次，受到社区群众一致好评。",
        SHUYANG,
    ),
    (
        "person",
        "黄丽",
        "黄女士",
        "一条建议让公园更安静",
        "安象街社区黄女士建议控制人民公园内舞蹈队的音响音量，建议很快被采纳处理，"
        "她说：“参与社区治理，真正有获得感。”",
        ANXIANGJIE,
    ),
    (
        "collective",
        "简城街道大群团攻坚队",
        "简城街道大群团攻坚队",
        "走进楼院化解邻里纠纷",
        "攻坚队深入小区楼院开展矛盾调处、反诈宣传，调解邻里纠纷数百件，整改安全隐患数十处，"
        "让“小事不出楼院、大事不出社区”。",
        JIANCHENG,
    ),
]


def seed(ctx) -> None:
    city_staff = ctx.users.get("13800000009")
    worker = ctx.users.get("13800000007")
    if city_staff is None or worker is None:
        return
    city = Area.objects.get(code=CITY)
    budget = Budget.objects.filter(area=city, name="简阳市2026年度积分预算").first() or earning.budget_create(
        name="简阳市2026年度积分预算",
        area=city,
        ceiling=5_000_000,
        actor=city_staff,
        valid_from=date(timezone.localdate().year, 1, 1),
        note="市委社会工作部统筹，以时长换积分、以服务换积分",
    )
    weibin_staff = ctx.users.get("13800000014")
    _rules(budget, city, city_staff)
    if weibin_staff is not None:
        weibin = Area.objects.get(code=WEIBIN)
        wb_budget = Budget.objects.filter(area=weibin).first() or earning.budget_create(
            name="渭滨区积分预算", area=weibin, ceiling=1_000_000, actor=None, shard_count=4
        )
        _rules(wb_budget, weibin, None)
    merchants = _merchants(ctx, worker, city_staff)
    _shop(worker)
    _activity(ctx, merchants)
    _honour(ctx, worker)
    ctx.counts["points transfers"] = Transfer.objects.count()


def _rules(budget: Budget, area: Area, actor) -> None:
    for code, name, description, points, unit, daily, monthly in DEFAULT_RULES:
        if EarningRule.objects.filter(code=code, area=area).exists():
            continue
        earning.rule_create(
            data=earning.RuleInput(
                code=code,
                name=name,
                description=description,
                points=points,
                unit=unit,
                daily_cap=daily,
                monthly_cap=monthly,
                budget=budget,
            ),
            area=area,
            actor=actor,
        )


def _merchants(ctx, worker, city_staff) -> list[Merchant]:
    """The demo merchant login's shop and a share of the city's caring merchants join the scheme."""
    operator = ctx.users.get("13800000006")
    orgs = list(
        Organisation.objects.filter(kind=OrgKind.MERCHANT, area__code__startswith="510185").order_by("id")
    )
    wanted = orgs[: max(5, len(orgs) * 2 // 3)]
    home = [
        m.organisation
        for m in (
            operator.memberships.filter(role=Role.MERCHANT).select_related("organisation") if operator else []
        )
    ]
    for org in {o.pk: o for o in [*home, *wanted] if o is not None}.values():
        if not Merchant.objects.filter(organisation=org).exists():
            actor = worker if worker.access.can("points.manage_merchants", org.area_id) else city_staff
            if not actor.access.can("points.manage_merchants", org.area_id):
                continue
            redemption.merchant_enrol(organisation=org, actor=actor)
    return list(
        Merchant.objects.filter(organisation__in=[*home, *wanted]).select_related("organisation", "area")
    )


def _shop(worker) -> None:
    area = Area.objects.get(code=ANXIANGJIE)
    for name, description, price, stock in SHOP_GOODS:
        if not ShopItem.objects.filter(area=area, name=name).exists():
            shop.shop_item_create(
                area=area,
                name=name,
                description=description,
                price=price,
                stock=stock,
                pickup="安象街社区大群团服务站",
                actor=worker,
            )


def _activity(ctx, merchants: list[Merchant]) -> None:
    """Residents with logins earn under the default rules; some spend at merchants."""
    earners = [ctx.users[m] for m in ("13800000001", "13800000002", "13800000003") if m in ctx.users]
    codes = [r[0] for r in DEFAULT_RULES if r[0] != "honour.published"]
    for user in earners:
        for n in range(8):
            code = codes[(n + user.pk) % len(codes)]
            earning.points_award(
                rule_code=code,
                beneficiary=user,
                source_type="demo.deed",
                source_id=f"{user.pk}-{n}",
                area_code=redemption.ledger.account_for_user(user).area_id,
                quantity=1 + (n + user.pk) % 3 if code == "volunteer.hour" else 1,  # same on every re-run
                note="演示数据",
            )
    operator = ctx.users.get("13800000006")
    local = [m for m in merchants if operator is not None and redemption.is_operator(operator, m)]
    for user in earners[:2]:
        account = redemption.ledger.account_for_user(user)
        account.refresh_from_db()
        if (
            not local
            or account.balance < 40
            or Transfer.objects.filter(kind="payment", debit=account).exists()
        ):
            continue
        code = redemption.pay_code_issue(user=user).code
        redemption.pay_code_collect(merchant=local[0], code=code, amount=10 + user.pk % 20, operator=operator)


def _honour(ctx, worker) -> None:
    if Nomination.objects.exists():
        return
    for kind, name, display, title, story, area_code in STORIES:
        nominee = User.objects.filter(name=name).first() if kind == "person" else None
        nomination = honour.nomination_submit(
            nominee_kind=kind,
            nominee_name=name,
            display_name=display,
            consent="本人（负责人）同意公开展示，2026年1月",
            title=title,
            story=story,
            area=Area.objects.get(code=area_code),
            nominee_user=nominee,
            nominated_by=worker,
        )
        staff = [ctx.users.get(m) for m in ("13800000007", "13800000008", "13800000009")]
        reviewer = next(
            (u for u in staff if u is not None and u.access.can("points.review_nominations", area_code)), None
        )
        if reviewer is not None:
            honour.nomination_review(nomination=nomination, publish=True, note="事迹属实", actor=reviewer)
    resident = ctx.users.get("13800000001")
    if resident is not None:
        honour.ranking_choose(user=resident, show=True, name="热心居民黄女士")

"""Demo disputes and consumer complaints of the resident login 13800000001 (黄丽) in 安象街社区:
disputes waiting, sent to 简城街道大群团攻坚队, being mediated, settled by agreement (the
mediator 陈伟, 13800000005, is rewarded) and failed and referred to the legal desk; complaints
about caring merchants of the points scheme, one upheld (on the merchant's civility record).
Runs after the points steps (the reward rule and the merchants); skipped when present."""

from __future__ import annotations

from django.utils import timezone

from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import membership_grant
from gongzhi.areas.models import Area
from gongzhi.directory.models import Organisation, OrgKind
from gongzhi.tickets import services as tickets

from . import services
from .models import Dispute
from .services import PartyInput

ORDER = 75
ANXIANGJIE, JIANCHENG = "510185001001", "510185001000"
RESIDENT, MEDIATOR, WORKER = "13800000001", "13800000005", "13800000007"
TASK_FORCE = "简城街道大群团攻坚队"
ALLIANCE = "简城街道消费维权联盟"

DISPUTES = [
    # type, what happened, other party (name, mobile), how far it goes
    ("neighbour", "楼上住户深夜跳绳噪音扰民，多次沟通无果", ("周建华", "13981230001"), "waiting"),
    ("property", "物业公司未经业主同意占用消防通道划车位收费", ("安象街物业服务有限公司", ""), "sent"),
    ("family", "兄弟三人对母亲赡养费用分摊意见不一", ("黄小兵", "13981230002"), "session"),
    ("neighbour", "楼上卫生间漏水到我家厨房，天花板发霉", ("王建国", "13981230003"), "agreement"),
    ("labour", "装修公司拖欠两个月工资共8600元", ("简阳某装饰工程有限公司", ""), "failed"),
]


def _member_of(name: str, *, kind: str, user) -> Organisation:
    org = Organisation.objects.filter(name=name).first() or Organisation.objects.create(
        name=name, kind=kind, area_id=JIANCHENG, categories=["mediation"]
    )
    if not user.memberships.filter(role=Role.ORG_MEMBER, organisation=org).exists():
        membership_grant(
            user=user, role=Role.ORG_MEMBER, area=Area.objects.get(code=JIANCHENG), organisation=org
        )
    return org


def seed(ctx) -> None:
    resident, mediator, worker = (ctx.users.get(m) for m in (RESIDENT, MEDIATOR, WORKER))
    if resident is None or mediator is None or worker is None:
        return
    if Dispute.objects.filter(ticket__submitter=resident).exists():
        return
    task_force = _member_of(TASK_FORCE, kind=OrgKind.TEAM, user=mediator)
    alliance = _member_of(ALLIANCE, kind=OrgKind.TEAM, user=mediator)
    area = Area.objects.get(code=ANXIANGJIE)
    today = timezone.localdate()

    for category, text, (name, mobile), stage in DISPUTES:
        ticket = services.dispute_submit(
            submitter=resident,
            area=area,
            category=category,
            text=text,
            parties=[PartyInput(resident.name, "", "applicant"), PartyInput(name, mobile, "respondent")],
        )
        if stage == "waiting":
            continue
        services.case_assign(ticket=ticket, organisation=task_force, actor=worker, note="请攻坚队组织调解")
        if stage == "sent":
            continue
        tickets.ticket_accept(ticket=ticket, actor=mediator)
        services.session_record(
            ticket=ticket,
            actor=mediator,
            held_on=today,
            mediators="陈伟、社区律师李明",
            result={"agreement": "agreement", "failed": "no_agreement"}.get(stage, "progress"),
            notes="双方到场，陈述各自诉求",
        )
        if stage == "agreement":
            services.dispute_conclude(
                ticket=ticket,
                actor=mediator,
                outcome="agreement",
                agreement="王建国一周内请人修复卫生间防水，并承担厨房天花板修补费用800元。",
                summary="双方达成调解协议",
            )
            tickets.ticket_rate(ticket=ticket, actor=resident, rating=5, comment="调解员很耐心")
        elif stage == "failed":
            services.dispute_conclude(
                ticket=ticket, actor=mediator, outcome="failed", referral="legal_desk", summary="对方拒绝调解"
            )
            tickets.ticket_close(ticket=ticket, actor=worker, note="已转法治护航专席，协助申请劳动仲裁")

    merchants = list(services.complaint_merchants(near_area_code=ANXIANGJIE)[:2])
    if merchants:
        outcomes = [("goods", "买到的牛奶已过保质期", "23.80", "refund", "upheld")]
        outcomes.append(("price", "价签写9.9元，结账收12.9元", "3.00", "refund", "not_upheld"))
        outcomes.append(("service", "店员态度恶劣，拒绝开发票", "0", "apology", None))
        for i, (category, text, amount, ask, outcome) in enumerate(outcomes):
            ticket = services.complaint_submit(
                submitter=resident,
                area=area,
                category=category,
                merchant_id=merchants[i % len(merchants)].pk,
                amount=amount,
                ask=ask,
                text=text,
            )
            if outcome is None:
                continue
            services.case_assign(ticket=ticket, organisation=alliance, actor=worker)
            tickets.ticket_accept(ticket=ticket, actor=mediator)
            services.complaint_conclude(
                ticket=ticket,
                actor=mediator,
                outcome=outcome,
                summary="商家已退款并道歉" if outcome == "upheld" else "核实为系统调价延迟，已向消费者解释",
                referral="" if outcome == "upheld" else "legal_desk",
            )
            tickets.ticket_rate(ticket=ticket, actor=resident, rating=4)
    ctx.counts["disputes"] = Dispute.objects.count()

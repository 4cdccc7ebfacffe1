"""Demo suggestions in 安象街社区: the resident 黄丽 (13800000001) has one adopted (the seed's
story of the dance music in 人民公园; she earns points), one not adopted with its reason, one
under review and one waiting; the rider 王强 has one waiting. 张敏 (13800000007) answers them;
the adopted one shows on the public list /suggestions/adopted/. Skipped when present."""

from __future__ import annotations

from gongzhi.areas.models import Area

from .models import Suggestion
from .services import suggestion_decide, suggestion_review, suggestion_submit

ORDER = 74  # after points (the reward rule)
ANXIANGJIE = "510185001001"
RESIDENT, RIDER, WORKER = "13800000001", "13800000002", "13800000007"


def seed(ctx) -> None:
    resident, rider, worker = ctx.users.get(RESIDENT), ctx.users.get(RIDER), ctx.users.get(WORKER)
    if resident is None or worker is None or Suggestion.objects.filter(ticket__submitter=resident).exists():
        return
    area = Area.objects.get(code=ANXIANGJIE)

    def suggest(author, topic, text):
        return suggestion_submit(author=author, topic=topic, area=area, text=text)

    adopted = suggest(resident, "environment", "人民公园早晚跳舞的音响太大声，建议控制音量和时段")
    suggestion_review(ticket=adopted, actor=worker)
    suggestion_decide(
        ticket=adopted,
        actor=worker,
        adopted=True,
        reason="已与舞蹈队约定音量上限和活动时段（早7点后、晚9点前），社区志愿者定期巡查。",
    )
    suggestion_decide(
        ticket=suggest(resident, "culture", "建议在安象街晚上开设夜市"),
        actor=worker,
        adopted=False,
        reason="该路段是消防通道，不具备设置夜市的条件；已向街道推荐附近步行街的便民集市。",
    )
    suggestion_review(
        ticket=suggest(resident, "elderly_children", "公交站旁放几张长椅，方便老人候车"), actor=worker
    )
    suggest(resident, "traffic", "小区门口早高峰电动车乱停，建议划定停放区")
    if rider is not None and rider.access.has("suggestions.submit"):
        suggest(rider, "other", "快递柜旁边建议加装雨棚，下雨天取件方便")
    ctx.counts["suggestions"] = Suggestion.objects.count()

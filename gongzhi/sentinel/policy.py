"""The sentinel kind of ticket (城市哨兵线索): categories live in the database (staff edit them),
the deadline comes from the category, and closing a verified lead rewards its reporter once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Literal

import pydantic
from django.db import transaction
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import field_error
from gongzhi.tickets.policies import Category, KindPolicy, Resolution, register

logger = logging.getLogger("gongzhi.sentinel")

KIND = "sentinel"
REWARD_RULE = "sentinel.resolved"


class SentinelExtra(pydantic.BaseModel):
    """What a lead may carry besides its text: the Open311 attributes of every service."""

    model_config = pydantic.ConfigDict(extra="forbid")
    severity: Literal["low", "medium", "high"] | None = None
    source: Literal["app", "open311"] = "app"
    client: str = pydantic.Field("", max_length=100)


ATTRIBUTES = (
    # (code, datatype, required, description, values) — the Open311 service definition of every category
    (
        "severity",
        "singlevaluelist",
        False,
        _("How serious is it?"),
        (
            ("low", pgettext_lazy("severity", "Low")),
            ("medium", pgettext_lazy("severity", "Medium")),
            ("high", pgettext_lazy("severity", "High")),
        ),
    ),
)


@register
class SentinelPolicy(KindPolicy):
    code = KIND
    label = _("Sentinel lead")
    resolution = Resolution(note=True, photos=0)
    auto_close_days = 7
    follow_up_low_rating = False
    reward_rule = REWARD_RULE
    extra_schema = SentinelExtra

    def __init__(self) -> None:  # categories are rows, read when asked (see ``by_code``)
        pass

    @property
    def by_code(self) -> dict[str, Category]:
        from .models import SentinelCategory

        return {
            c.code: Category(c.code, c.name, limit="general")
            for c in SentinelCategory.objects.filter(is_active=True)
        }

    @property
    def categories(self):  # type: ignore[override]
        return tuple(self.by_code.values())

    def category(self, code: str) -> Category:
        from .models import SentinelCategory

        row = SentinelCategory.objects.filter(code=str(code)[:40], is_active=True).first()
        if row is None:
            raise field_error(
                "category", gettext("Choose one of the listed categories."), "sentinel.unknown_category"
            )
        return Category(row.code, row.name, limit="general")

    def deadline_for(self, category: str, priority: int, now: datetime) -> datetime:
        from .models import SentinelCategory

        row = SentinelCategory.objects.get(code=category)
        return now + timedelta(hours=row.deadline_hours)

    def may_submit(self, user, area) -> bool:
        return user is not None and user.access.has("sentinel.report")

    def on_close(self, ticket, *, actor) -> None:
        """A verified, resolved lead pays its reporter (and, if the category says so, the reporters
        of the leads merged into it) once: the ledger refuses a second payment per rule and source."""
        from .models import DuplicateReward, Lead

        lead = Lead.objects.select_related("category").filter(ticket=ticket).first()
        if lead is None or lead.merged_into_id is not None:
            return
        pay = [ticket]
        if lead.category.duplicate_reward == DuplicateReward.ALL:
            pay += [m.ticket for m in lead.merged.select_related("ticket")]
        for paid_ticket in pay:
            pay_reporter(paid_ticket, quantity=lead.category.reward_units, actor=actor)
        from .services import share_outcome

        share_outcome(lead=lead)


def pay_reporter(ticket, *, quantity: int, actor) -> None:
    from gongzhi.core.rewards import NoRewardHandler, RewardRequest, reward
    from gongzhi.tickets.models import Action, TicketEvent, Visibility

    if not ticket.submitter_id or quantity < 1:
        return
    request = RewardRequest(
        rule=REWARD_RULE,
        beneficiary_user_id=ticket.submitter_id,
        source_type="tickets.ticket",
        source_id=str(ticket.pk),
        area_code=ticket.area_id,
        quantity=quantity,
        actor_id=getattr(actor, "pk", None),
        note=ticket.title[:100],
    )
    try:
        with transaction.atomic():  # a savepoint: a failing ledger never undoes the closing
            result = reward(request)
    except NoRewardHandler:
        logger.warning("no points handler: reward for lead %s skipped", ticket.pk)
        return
    except Exception:
        logger.exception("reward for lead %s failed", ticket.pk)
        return
    if result.paid:
        TicketEvent.objects.create(
            ticket=ticket,
            actor_label="system",
            action=Action.COMMENT,
            from_state=ticket.state,
            to_state=ticket.state,
            visibility=Visibility.PUBLIC,
            note=gettext("Thank you: %(points)d points for this lead.") % {"points": result.points},
            data={"reward_rule": REWARD_RULE, "paid": True, "points": result.points},
        )

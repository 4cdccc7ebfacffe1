"""The hazard kind of ticket (隐患): the deadline follows the risk level, the owner's
rectification report needs a note and a photo, and a hazard closes only after a re-inspection
(with a photo, by someone other than the owner) has passed; then whoever found it is rewarded
once with rule ``hazard.verified``."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.tickets.policies import Category, KindPolicy, Resolution, pay_reward, register

from . import conf

KIND = "hazard"
REWARD_RULE = "hazard.verified"


@register
class HazardPolicy(KindPolicy):
    page_url_name = "hazards:detail"
    actions_on_own_page = frozenset({"rate", "close"})
    code = KIND
    label = _("Safety hazard")
    categories = (
        Category("fire", _("Fire safety (blocked exits, extinguishers)")),
        Category("electric", _("Electric wiring and charging")),
        Category("gas", _("Gas")),
        Category("building", _("Buildings, walls and falling objects")),
        Category("road", _("Roads, manholes and traffic")),
        Category("water", _("Water, ponds and flooding")),
        Category("other", _("Other hazards")),
    )
    resolution = Resolution(note=True, photos=1)  # the rectification report: what was done, and a photo
    auto_close_days = None  # only a passed re-inspection closes a hazard
    follow_up_low_rating = False
    reward_rule = REWARD_RULE

    def may_submit(self, user, area) -> bool:
        # Anyone holding the permission, anywhere in the city: the position is checked against the area.
        return user is not None and user.access.has("hazards.report")

    def deadline_for(self, category: str, priority: int, now: datetime) -> datetime:
        from .models import RISK_OF_PRIORITY

        self.category(category)
        return now + conf.deadline(RISK_OF_PRIORITY.get(priority, "general"))

    def on_close(self, ticket, *, actor) -> None:
        """Refuse to close without a passed re-inspection of the current rectification (raising
        undoes the closing transaction); otherwise pay whoever found it, once."""
        from .models import Reinspection

        passed = Reinspection.objects.filter(hazard_id=ticket.pk, passed=True)
        if ticket.resolved_at is not None:
            passed = passed.filter(at__gte=ticket.resolved_at)
        if not passed.exists():
            raise ValidationError(
                gettext(
                    "A hazard closes only after a re-inspection with a photo has passed; "
                    "record the re-inspection on the hazard's page."
                ),
                code="hazard.close_without_reinspection",
            )
        if ticket.submitter_id:
            pay_reward(
                ticket, rule=REWARD_RULE, actor=actor, beneficiary_user_id=ticket.submitter_id, public=True
            )

"""The suggestion kind of ticket (居民建议): topics are its categories; it closes only once
answered (adopted or not, with a public reason); an adopted suggestion pays its author once with
rule ``suggestion.adopted``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.tickets.policies import Category, KindPolicy, Resolution, pay_reward, register

KIND = "suggestion"
REWARD_RULE = "suggestion.adopted"


@register
class SuggestionPolicy(KindPolicy):
    page_url_name = "suggestions:detail"
    actions_on_own_page = frozenset({"resolve", "close"})
    code = KIND
    label = _("Resident suggestion")
    categories = (  # an answer within 15 days (the "complex" limit class)
        Category("environment", _("Environment and cleanliness"), limit="complex"),
        Category("traffic", _("Traffic and parking"), limit="complex"),
        Category("elderly_children", _("The elderly and children"), limit="complex"),
        Category("safety", _("Safety and order"), limit="complex"),
        Category("culture", _("Culture and activities"), limit="complex"),
        Category("property", _("Property management"), limit="complex"),
        Category("other", _("Other"), limit="complex"),
    )
    resolution = Resolution(note=True, photos=0)  # the answer is the public reason
    auto_close_days = None  # answering closes it
    follow_up_low_rating = False
    reward_rule = REWARD_RULE

    def may_submit(self, user, area) -> bool:
        """Residents suggest for the communities they belong to."""
        if user is None or not user.access.has("suggestions.submit"):
            return False
        return any(m.area_id and area.code.startswith(m.area.prefix) for m in user.access.memberships)

    def on_close(self, ticket, *, actor) -> None:
        """Refuse to close an unanswered suggestion (raising undoes the closing); pay the author
        of an adopted one (the ledger pays once per rule and ticket, however often it closes)."""
        from .models import Outcome, Suggestion

        suggestion = Suggestion.objects.filter(ticket_id=ticket.pk).first()
        if (
            suggestion is None
            or suggestion.outcome == Outcome.PENDING
            or suggestion.decided_round != ticket.reopen_count
        ):
            raise ValidationError(
                gettext("Answer the suggestion first: adopted or not, with a reason the resident will read."),
                code="suggestion.close_unanswered",
            )
        if suggestion.outcome == Outcome.ADOPTED and ticket.submitter_id:
            pay_reward(
                ticket, rule=REWARD_RULE, actor=actor, beneficiary_user_id=ticket.submitter_id, public=True
            )

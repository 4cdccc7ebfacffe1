"""The dispute and consumer-complaint kinds of ticket: categories, deadlines, and what closing
needs. Both refuse to close without an outcome of the current round; a dispute settled by
agreement pays its mediator the rule ``mediation.agreement`` once (the ledger pays a rule and
source once, however often the case is reopened and closed)."""

from __future__ import annotations

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import field_error
from gongzhi.tickets.policies import Category, KindPolicy, Resolution, pay_reward, register

DISPUTE = "dispute"
COMPLAINT = "complaint"
REWARD_RULE = "mediation.agreement"


class _ConcludedPolicy(KindPolicy):
    """Closing (by rating, by hand or automatically) needs the outcome of the current round."""

    resolution = Resolution(note=True, photos=0)
    case_model = ""  # the kind's own row, one-to-one with the ticket

    def conclusion_of(self, ticket):
        from django.apps import apps

        return apps.get_model("mediation", self.case_model).objects.filter(ticket=ticket).first()

    def on_close(self, ticket, *, actor) -> None:
        case = self.conclusion_of(ticket)
        if case is None or not case.has_current_outcome(ticket):
            raise field_error(
                "outcome",
                gettext("Record the outcome before the case is closed."),
                "mediation.outcome_required",
            )
        self.after_close(ticket, case, actor=actor)

    def after_close(self, ticket, case, *, actor) -> None:
        pass


@register
class DisputePolicy(_ConcludedPolicy):
    code = DISPUTE
    label = _("Dispute")
    page_url_name = "mediation:dispute"
    categories = (
        Category("neighbour", _("Neighbours"), limit="general"),
        Category("family", _("Family"), limit="general"),
        Category("property", pgettext_lazy("dispute type", "Property management"), limit="complex"),
        Category("labour", _("Labour and wages"), limit="complex"),
        Category("consumer", _("Consumer"), limit="general"),
        Category("land", _("Land and housing"), limit="complex"),
        Category("other", _("Other"), limit="complex"),
    )
    reward_rule = REWARD_RULE
    follow_up_after_close = True  # a call the day after: is the agreement being kept?
    case_model = "Dispute"

    def after_close(self, ticket, case, *, actor) -> None:
        from .models import DisputeOutcome

        if case.outcome == DisputeOutcome.AGREEMENT and ticket.accepted_by_id is not None:
            pay_reward(ticket, rule=REWARD_RULE, actor=actor)


@register
class ComplaintPolicy(_ConcludedPolicy):
    code = COMPLAINT
    label = _("Consumer complaint")
    page_url_name = "mediation:complaint"
    # What went wrong, along the civilised-merchant criteria (无假货、明标价、优服务).
    categories = (
        Category("goods", _("Fake or faulty goods"), limit="general"),
        Category("price", _("Prices not marked or overcharged"), limit="general"),
        Category("service", _("Poor service"), limit="general"),
        Category("other", _("Other"), limit="general"),
    )
    case_model = "Complaint"

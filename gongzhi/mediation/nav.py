from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Role
from gongzhi.core.nav import NavItem, register

from .policy import COMPLAINT, DISPUTE


def _waiting(kind: str):
    def count(user):
        from .selectors import case_list

        return case_list(viewer=user, kind=kind, state="submitted")

    return count


register(
    NavItem(
        key="mediation_dispute_new",
        label=_("Ask for mediation"),
        url_name="mediation:dispute_new",
        roles=frozenset({Role.RESIDENT, Role.RIDER, Role.VOLUNTEER}),
        icon="⚖",
        order=14,
        description=_(
            "A dispute with a neighbour, family, the property company or an employer: the task force mediates."
        ),
        layouts=frozenset({"phone"}),
    ),
    NavItem(
        key="mediation_complaint_new",
        label=_("Consumer complaint"),
        url_name="mediation:complaint_new",
        roles=frozenset({Role.RESIDENT, Role.RIDER, Role.VOLUNTEER}),
        icon="¥",
        order=15,
        description=_("A caring merchant sold fake goods, overcharged or served you badly."),
        layouts=frozenset({"phone"}),
    ),
    NavItem(
        key="mediation_disputes",
        badge=_waiting(DISPUTE),
        label=_("Disputes"),
        url_name="mediation:disputes",
        permission="tickets.view",
        roles=frozenset({Role.ORG_MEMBER}),
        icon="⚖",
        order=37,
        description=_("Disputes brought for mediation: task forces, sessions, agreements."),
        layouts=frozenset({"phone", "workbench"}),  # task-force members work on their phones
    ),
    NavItem(
        key="mediation_complaints",
        badge=_waiting(COMPLAINT),
        label=_("Consumer complaints"),
        url_name="mediation:complaints",
        permission="tickets.view",
        roles=frozenset({Role.ORG_MEMBER}),
        icon="¥",
        order=38,
        description=_("Complaints about caring merchants, their outcome and the merchants' civility record."),
        layouts=frozenset({"phone", "workbench"}),  # task-force members work on their phones
    ),
    NavItem(
        key="mediation_figures",
        label=_("Mediation figures"),
        url_name="mediation:figures",
        permission="tickets.view",
        icon="▤",
        order=39,
        description=_("Disputes mediated and the agreement rate; complaints by merchant and outcome."),
        layouts=frozenset({"workbench"}),
    ),
)

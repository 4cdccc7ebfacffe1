from django.utils.translation import gettext_lazy as _

from gongzhi.core.nav import NavItem, register

from .permissions import PROVIDER_ROLES


def offers_waiting(user):
    from .selectors import ticket_list_offered

    return ticket_list_offered(viewer=user)


def escalated_open(user):
    from .selectors import ticket_escalated

    return ticket_escalated(viewer=user)


def follow_ups_due(user):
    from .selectors import follow_up_list

    return follow_up_list(viewer=user)


register(
    NavItem(
        key="tickets_mine",
        label=_("My requests"),
        url_name="tickets:mine",
        icon="☷",
        order=12,
        roles=frozenset({"resident", "rider"}),
        description=_("Follow what you asked for, confirm it was done and rate it."),
        layouts=frozenset({"phone"}),
    ),
    # Offers and jobs first: they wait on the provider against a deadline, so on a phone they
    # belong in the tab bar, ahead of what the provider may do as a resident.
    NavItem(
        key="tickets_offers",
        label=_("Offers"),
        url_name="tickets:offers",
        icon="⚑",
        order=8,
        roles=PROVIDER_ROLES,
        badge=offers_waiting,
        description=_("Orders the community offers you or your organisation: accept or decline."),
        layouts=frozenset({"phone", "workbench"}),
    ),
    NavItem(
        key="tickets_jobs",
        label=_("My jobs"),
        url_name="tickets:jobs",
        icon="✔",
        order=9,
        roles=PROVIDER_ROLES,
        description=_("Orders you have taken: start, mark done with a note and photos."),
        layouts=frozenset({"phone", "workbench"}),
    ),
    NavItem(
        key="tickets_list",
        label=_("Tickets"),
        url_name="tickets:list",
        permission="tickets.view",
        icon="☷",
        order=32,
        description=_("Every ticket of your area, of every kind, with its timeline."),
        layouts=frozenset({"workbench"}),
    ),
    NavItem(
        key="tickets_escalated",
        label=_("Overdue and escalated"),
        url_name="tickets:escalated",
        permission="tickets.view",
        icon="⚠",
        order=33,
        badge=escalated_open,
        description=_("Tickets past their deadline and what was escalated to your level (督办)."),
        layouts=frozenset({"workbench"}),
    ),
    NavItem(
        key="tickets_follow_ups",
        label=_("Follow-up calls"),
        url_name="tickets:follow_ups",
        permission="tickets.follow_up",
        icon="☎",
        order=34,
        badge=follow_ups_due,
        description=_("Call back residents who were not satisfied (回访)."),
        layouts=frozenset({"workbench"}),
    ),
    NavItem(
        key="tickets_figures",
        label=_("Figures"),
        url_name="tickets:figures",
        permission="tickets.view",
        icon="∑",
        order=35,
        description=_("Response, resolution and satisfaction rates by area."),
        layouts=frozenset({"workbench"}),
    ),
    NavItem(
        key="tickets_routing",
        label=_("Dispatch rules"),
        url_name="tickets:routing",
        permission="tickets.routing",
        icon="⚙",
        order=36,
        description=_("Dispatch new tickets automatically, by category and area."),
        layouts=frozenset({"workbench"}),
    ),
)

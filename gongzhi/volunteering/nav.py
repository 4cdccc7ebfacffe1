from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Role
from gongzhi.core.nav import NavItem, register

register(
    NavItem(
        key="volunteering_board",
        label=_("Volunteer activities"),
        url_name="volunteering:board",
        permission="volunteering.join",
        icon="🤝",
        order=20,
        description=_("Find activities, sign up, check in by scanning the code at the place."),
        layouts=frozenset({"phone"}),
    ),
    NavItem(
        key="volunteering_me",
        label=_("My volunteering"),
        url_name="volunteering:me",
        permission="volunteering.join",
        icon="⏱",
        order=21,
        description=_("My hours, points, certificates and the people I care for."),
        layouts=frozenset({"phone"}),
    ),
    NavItem(
        key="volunteering_manage",
        label=_("Volunteer activities"),
        url_name="volunteering:manage",
        permission="volunteering.manage",
        icon="🤝",
        order=50,
        description=_("Publish activities, show the check-in code, approve hours, issue certificates."),
        layouts=frozenset({"workbench"}),
    ),
    NavItem(
        key="volunteering_pairings",
        label=_("Care pairings"),
        url_name="volunteering:pairings",
        permission="volunteering.pair",
        icon="❤",
        order=51,
        description=_(
            "Caring mothers and neighbourhood guardians: suggestions, visits, overdue alerts, coverage."
        ),
        layouts=frozenset({"workbench"}),
    ),
    NavItem(
        key="volunteering_nearby",
        label=_("Activities near me"),
        url_name="volunteering:board",
        permission="volunteering.attend",
        icon="📅",
        order=19,
        description=_("Free haircuts, tea, health talks … in your community first; register to take part."),
        layouts=frozenset({"phone"}),
    ),
    NavItem(
        key="volunteering_register",
        label=_("Become a volunteer"),
        url_name="volunteering:register",
        roles=frozenset({Role.RESIDENT}),
        unless_roles=frozenset({Role.VOLUNTEER}),
        icon="🙋",
        order=22,
        description=_("Register as a volunteer: your number, then activities near you."),
        layouts=frozenset({"phone"}),
    ),
    NavItem(
        key="volunteering_figures",
        label=_("Volunteer figures"),
        url_name="volunteering:figures",
        permission="volunteering.figures",
        icon="📊",
        order=52,
        description=_("Hours and person-times served by town, community, category and month."),
        layouts=frozenset({"workbench"}),
    ),
)

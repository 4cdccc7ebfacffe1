from django.utils.translation import gettext_lazy as _

from gongzhi.core.nav import NavItem, register


def hazards_waiting(user):
    """Hazards waiting for the office: to assess and dispatch, or to re-inspect."""
    from .selectors import hazard_list

    return hazard_list(viewer=user, state="waiting")


register(
    NavItem(
        key="hazards_report",
        label=_("Report a hazard"),
        url_name="hazards:report",
        permission="hazards.report",
        icon="⚠",
        order=13,
        description=_("A danger in your community: a photo, the place and a few words."),
        layouts=frozenset({"phone"}),
    ),
    NavItem(
        key="hazards_list",
        badge=hazards_waiting,
        label=_("Safety hazards"),
        url_name="hazards:list",
        permission="hazards.inspect",
        icon="⚠",
        order=37,
        description=_("Assess reported hazards, name the owner, re-inspect rectified ones."),
        layouts=frozenset({"workbench"}),
    ),
    NavItem(
        key="hazards_figures",
        label=_("Hazard figures"),
        url_name="hazards:figures",
        permission="tickets.view",
        icon="⚠",
        order=38,
        description=_("Hazards found, rectified and overdue, by risk level, community and month."),
        layouts=frozenset({"workbench"}),
    ),
)

from django.utils.translation import gettext_lazy as _

from gongzhi.core.nav import NavItem, register

register(
    NavItem(
        key="stations_find",
        label=_("Stations near me"),
        url_name="stations:find",
        permission="stations.find",
        icon="📍",
        order=30,
        description=_(
            "Service stations within a 15-minute walk: what they offer and whether they are open now."
        ),
        layouts=frozenset({"phone"}),
    ),
    NavItem(
        key="stations",
        label=_("Service stations"),
        url_name="stations:list",
        permission="stations.view",
        icon="🏠",
        order=40,
        description=_(
            "The station registry of your area: functions, owners, hours, photos and merge history."
        ),
        layouts=frozenset({"workbench"}),
    ),
    NavItem(
        key="stations_coverage",
        label=_("15-minute coverage"),
        url_name="stations:coverage",
        permission="stations.coverage",
        icon="◎",
        order=41,
        description=_(
            "Who lives within a 15-minute walk of a station, by town and by function; who does not."
        ),
        layouts=frozenset({"workbench"}),
    ),
    NavItem(
        key="stations_plans",
        label=_("Station planner"),
        url_name="stations:plans",
        permission="stations.plan",
        icon="⚖",
        order=42,
        description=_(
            "Which stations to keep, merge or add, proven optimal; every run kept with its parameters."
        ),
        layouts=frozenset({"workbench"}),
    ),
)

"""What each role may do with service stations, coverage and planning, in the one registry."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Role, register_permissions

_OFFICE = {Role.COMMUNITY_WORKER, Role.TOWN_STAFF, Role.CITY_STAFF}
_PLANNERS = {Role.TOWN_STAFF, Role.CITY_STAFF}

register_permissions(
    {
        # Stations are public places: every signed-in user may find the ones near them.
        "stations.find": (_("Find service stations near you"), set(Role.values)),
        "stations.view": (_("View the station registry"), _OFFICE | {Role.SOCIAL_WORKER}),
        "stations.manage": (_("Add and edit service stations, their hours and photos"), _OFFICE),
        "stations.merge": (_("Merge and close service stations"), _PLANNERS),
        "stations.functions.manage": (
            _("Maintain the list of station functions"),
            {Role.CITY_STAFF, Role.SYSTEM_ADMIN},
        ),
        "stations.coverage": (_("Read the 15-minute coverage and import population grids"), _PLANNERS),
        "stations.plan": (_("Run the station consolidation planner"), _PLANNERS),
    }
)

"""What each role may do with volunteers, activities, certificates and care pairings."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Role, register_permissions

_OFFICE = {Role.COMMUNITY_WORKER, Role.TOWN_STAFF, Role.CITY_STAFF}

register_permissions(
    {
        # Taking part: a volunteer sees open activities, signs up, checks in and reads own hours.
        "volunteering.join": (_("Join volunteer activities and check in"), {Role.VOLUNTEER}),
        # Taking part as a participant: residents register for an activity that asks for it.
        "volunteering.attend": (
            _("Find activities near me and register to take part"),
            {Role.RESIDENT, Role.RIDER, Role.VOLUNTEER},
        ),
        "volunteering.view": (
            _("View volunteers, activities and pairings"),
            _OFFICE | {Role.SOCIAL_WORKER, Role.ORG_MEMBER, Role.VOLUNTEER},
        ),
        "volunteering.manage": (
            _("Organise activities, approve hours and issue certificates"),
            _OFFICE | {Role.SOCIAL_WORKER, Role.ORG_MEMBER},
        ),
        "volunteering.pair": (_("Manage care pairings and follow visits"), _OFFICE | {Role.SOCIAL_WORKER}),
        "volunteering.figures": (
            _("Read volunteer hours and person-times served across an area"),
            {Role.TOWN_STAFF, Role.CITY_STAFF},
        ),
    }
)

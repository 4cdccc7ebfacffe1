"""What each role may do with tickets, whatever their kind (kinds add who may submit)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Role, register_permissions

OFFICE = {Role.COMMUNITY_WORKER, Role.TOWN_STAFF, Role.CITY_STAFF}
# Parties that accept and handle tickets offered to them or to their organisation (多元接单).
PROVIDER_ROLES = frozenset({Role.VOLUNTEER, Role.SOCIAL_WORKER, Role.ORG_MEMBER, Role.MERCHANT})

register_permissions(
    {
        "tickets.view": (_("See the tickets of an area"), OFFICE),
        "tickets.dispatch": (
            _("Dispatch, reassign, close and cancel tickets (派单)"),
            {Role.COMMUNITY_WORKER},
        ),
        "tickets.supervise": (
            _("Act on tickets escalated to one's level (督办)"),
            {Role.TOWN_STAFF, Role.CITY_STAFF},
        ),
        "tickets.handle": (
            _("Accept and handle tickets offered to oneself or one's organisation"),
            PROVIDER_ROLES | {Role.COMMUNITY_WORKER},
        ),
        "tickets.follow_up": (_("Make follow-up calls (回访)"), {Role.COMMUNITY_WORKER}),
        "tickets.routing": (
            _("Set the routing and automatic dispatch rules of an area"),
            {Role.COMMUNITY_WORKER},
        ),
        "tickets.submit": (
            _("Submit tickets"),
            set(Role.values) - {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.SYSTEM_ADMIN},
        ),
    }
)

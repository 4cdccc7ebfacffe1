"""What each role may do with riders and the rider pass (暖新码), in the one registry."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Role, register_permissions

_OFFICE = {Role.COMMUNITY_WORKER, Role.TOWN_STAFF, Role.CITY_STAFF}

register_permissions(
    {
        "passes.own": (_("Hold a rider pass and see one's own rider records"), {Role.RIDER}),
        "passes.scan": (_("Scan rider passes at one's own gate"), {Role.GATE_GUARD}),
        "passes.riders.view": (_("View the rider registry"), _OFFICE),
        "passes.riders.verify": (_("Verify riders and record their insurance"), {Role.COMMUNITY_WORKER}),
        "passes.revoke": (_("Revoke rider passes"), {Role.COMMUNITY_WORKER}),
        "passes.communities.manage": (
            _("Run a rider-friendly community: its services, its gates and their guards"),
            {Role.COMMUNITY_WORKER},
        ),
        "passes.gates.view": (_("View gates"), _OFFICE | {Role.GATE_GUARD}),
        "passes.events.view": (
            _("View gate scans (location data)"),
            {Role.COMMUNITY_WORKER, Role.GATE_GUARD},
        ),
        "passes.figures.view": (_("Read the rider pass figures"), _OFFICE),
        "passes.keys.manage": (_("Rotate and revoke the pass-signing keys"), {Role.SECURITY_ADMIN}),
    }
)

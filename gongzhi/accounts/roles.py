"""Roles, their permissions and their default data scopes: the one registry every check asks.

A user holds memberships (role × area × optional organisation). What a user may do is the union of
what each membership's role allows, and where — its data scope — is the union of the memberships'
scopes for that permission, so one narrow role never shrinks a broad one (RuoYi/dvadmin practice).
Apps add their permissions with ``register_permissions`` in their AppConfig.ready(), keeping this
module free of their names.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    RIDER = "rider", _("Rider")
    VOLUNTEER = "volunteer", _("Volunteer")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    ORG_MEMBER = "org_member", _("Organisation member")
    MERCHANT = "merchant", _("Merchant")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    TOWN_STAFF = "town_staff", _("Town/street staff")
    CITY_STAFF = "city_staff", _("City staff")
    GATE_GUARD = "gate_guard", _("Gate guard")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class DataScope(models.TextChoices):
    ALL = "all", _("All data")
    AREAS = "areas", _("Listed areas")
    OWN_AREA = "own_area", _("Own area only")
    OWN_AREA_AND_BELOW = "own_area_and_below", _("Own area and below")
    OWN_RECORDS = "own_records", _("Own records only")


# Roles that work in the back office: workbench layout, two factors in production.
STAFF_ROLES = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.TOWN_STAFF,
        Role.CITY_STAFF,
        Role.SOCIAL_WORKER,
        Role.SECURITY_ADMIN,
        Role.AUDIT_ADMIN,
        Role.SYSTEM_ADMIN,
    }
)
# 三员分立: the audit administrator may hold no other administrator role, and vice versa.
SEPARATED_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

DEFAULT_SCOPE: dict[str, str] = {
    Role.RESIDENT: DataScope.OWN_RECORDS,
    Role.RIDER: DataScope.OWN_RECORDS,
    Role.VOLUNTEER: DataScope.OWN_RECORDS,
    Role.MERCHANT: DataScope.OWN_RECORDS,
    Role.ORG_MEMBER: DataScope.OWN_AREA_AND_BELOW,
    Role.SOCIAL_WORKER: DataScope.OWN_AREA_AND_BELOW,
    Role.COMMUNITY_WORKER: DataScope.OWN_AREA_AND_BELOW,
    Role.TOWN_STAFF: DataScope.OWN_AREA_AND_BELOW,
    Role.CITY_STAFF: DataScope.OWN_AREA_AND_BELOW,
    Role.GATE_GUARD: DataScope.OWN_AREA,
    Role.SECURITY_ADMIN: DataScope.OWN_AREA_AND_BELOW,
    Role.AUDIT_ADMIN: DataScope.OWN_AREA_AND_BELOW,
    Role.SYSTEM_ADMIN: DataScope.OWN_AREA_AND_BELOW,
}

# permission code → roles that hold it. Codes are "<app>.<action>".
_PERMISSIONS: dict[str, set[str]] = {}
PERMISSION_LABELS: dict[str, str] = {}


def register_permissions(table: dict[str, tuple[object, set[str]]]) -> None:
    """Add permissions: {code: (label, {roles})}. Registering a code twice merges the roles."""
    for code, (label, roles) in table.items():
        _PERMISSIONS.setdefault(code, set()).update(str(r) for r in roles)
        PERMISSION_LABELS[code] = label


def roles_with(permission: str) -> frozenset[str]:
    if permission not in _PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    return frozenset(_PERMISSIONS[permission])


def permissions_of(role: str) -> frozenset[str]:
    return frozenset(code for code, roles in _PERMISSIONS.items() if role in roles)


def all_permissions() -> dict[str, frozenset[str]]:
    return {code: frozenset(roles) for code, roles in _PERMISSIONS.items()}


_OFFICE = {Role.COMMUNITY_WORKER, Role.TOWN_STAFF, Role.CITY_STAFF}

register_permissions(
    {
        "people.view": (_("View the person registry"), _OFFICE | {Role.SOCIAL_WORKER}),
        "people.manage": (_("Add and edit people"), {Role.COMMUNITY_WORKER, Role.SOCIAL_WORKER}),
        "people.reveal": (_("Reveal full ID and phone numbers (audited)"), _OFFICE),
        "people.export": (_("Export the person registry (masked)"), {Role.TOWN_STAFF, Role.CITY_STAFF}),
        "orgs.view": (_("View organisations"), _OFFICE | {Role.SOCIAL_WORKER, Role.SYSTEM_ADMIN}),
        "orgs.manage": (
            _("Add and edit organisations"),
            {Role.CITY_STAFF, Role.TOWN_STAFF, Role.SYSTEM_ADMIN},
        ),
        "areas.manage": (_("Maintain the area tree"), {Role.SYSTEM_ADMIN}),
        "users.view": (_("View user accounts"), {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}),
        "users.manage": (_("Create and deactivate user accounts"), {Role.SYSTEM_ADMIN}),
        "users.unlock": (_("Unlock locked accounts"), {Role.SECURITY_ADMIN}),
        "memberships.manage": (_("Grant and withdraw roles"), {Role.SECURITY_ADMIN}),
        "audit.view": (_("Browse the audit log"), {Role.AUDIT_ADMIN}),
        "loginlog.view": (_("Browse login history"), {Role.AUDIT_ADMIN, Role.SECURITY_ADMIN}),
        "api_tokens.own": (_("Create API tokens for oneself"), set(Role.values)),
    }
)

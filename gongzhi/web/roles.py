"""What each role's home page says it is for (the menu cards come from the nav registry)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Role

ROLE_INTRO = {
    Role.RESIDENT: _(
        "Order a service, report a problem, make a suggestion, rate what was done, earn and spend points, find the nearest station."
    ),
    Role.RIDER: _(
        "Show your rider pass at residential gates, report problems as a city sentinel, find rest stops and earn rewards."
    ),
    Role.VOLUNTEER: _(
        "Accept service orders, join activities and check in, keep up your pairings and log your hours."
    ),
    Role.SOCIAL_WORKER: _(
        "Serve the needs of your area, follow up pairings and cases, keep the person registry current."
    ),
    Role.ORG_MEMBER: _("Accept orders on behalf of your organisation and report what was done."),
    Role.MERCHANT: _("Serve residents and redeem their points at your shop."),
    Role.COMMUNITY_WORKER: _(
        "Keep the three lists, dispatch orders, follow up cases and mediation, and know your residents."
    ),
    Role.TOWN_STAFF: _(
        "Supervise the communities of your town or street, plan stations and read the figures."
    ),
    Role.CITY_STAFF: _(
        "Direct the city: projects, joint actions, supervised items and dashboards across every town."
    ),
    Role.GATE_GUARD: _("Scan rider passes at your gate and let verified riders through."),
    Role.SECURITY_ADMIN: _("Grant and withdraw roles, unlock accounts and watch sign-ins."),
    Role.AUDIT_ADMIN: _("Review the audit log and login history of your area."),
    Role.SYSTEM_ADMIN: _("Maintain accounts, the area tree, organisations and reference data."),
}

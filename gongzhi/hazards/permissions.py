"""Who may report safety hazards (隐患) and who re-inspects rectified ones."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Role, register_permissions

register_permissions(
    {
        "hazards.report": (
            _("Report safety hazards (隐患)"),
            {
                Role.RESIDENT,
                Role.RIDER,
                Role.VOLUNTEER,
                Role.SOCIAL_WORKER,
                Role.COMMUNITY_WORKER,
                Role.TOWN_STAFF,
                Role.CITY_STAFF,
            },
        ),
        "hazards.inspect": (
            _("Assess hazards, name the rectification owner and re-inspect rectified hazards"),
            {Role.COMMUNITY_WORKER, Role.TOWN_STAFF, Role.CITY_STAFF},
        ),
    }
)

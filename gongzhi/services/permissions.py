"""Who may read and keep the three lists (需求清单, 资源清单, 服务清单)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Role, register_permissions

register_permissions(
    {
        "services.view": (
            _("See the needs, resource and service lists of an area"),
            {Role.COMMUNITY_WORKER, Role.TOWN_STAFF, Role.CITY_STAFF, Role.SOCIAL_WORKER},
        ),
        "services.manage": (
            _("Keep the needs, resource and service lists (add, edit, import)"),
            {Role.COMMUNITY_WORKER, Role.SOCIAL_WORKER},
        ),
    }
)

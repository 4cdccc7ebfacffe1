"""Who may report leads (城市哨兵) and who keeps the categories."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Role, register_permissions

register_permissions(
    {
        "sentinel.report": (
            _("Report leads as a city sentinel (城市哨兵)"),
            {Role.RIDER, Role.COMMUNITY_WORKER},
        ),
        "sentinel.manage": (
            _("Keep the sentinel categories: responsible unit, deadline, reward"),
            {Role.CITY_STAFF, Role.TOWN_STAFF},
        ),
    }
)

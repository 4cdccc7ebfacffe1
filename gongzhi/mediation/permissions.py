"""Who may see the parties of a dispute in full (audited); the rest is the ticket engine's."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Role, register_permissions

register_permissions(
    {
        "mediation.reveal": (
            _("Reveal the names and phones of dispute parties (audited)"),
            {Role.COMMUNITY_WORKER, Role.TOWN_STAFF, Role.CITY_STAFF},
        ),
    }
)

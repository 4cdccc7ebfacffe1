from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "gongzhi.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers the engine's permissions

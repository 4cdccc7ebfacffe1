from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "gongzhi.stations"
    label = "stations"
    verbose_name = _("Service stations")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers this app's permissions

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "gongzhi.hazards"
    label = "hazards"
    verbose_name = _("Safety hazards")

    def ready(self) -> None:
        from . import nav, permissions, policy  # noqa: F401 - registers permissions, menu and the kind

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PassesConfig(AppConfig):
    name = "gongzhi.passes"
    label = "passes"
    verbose_name = _("Rider pass")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers this app's permissions

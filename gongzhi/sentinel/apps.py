from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SentinelConfig(AppConfig):
    name = "gongzhi.sentinel"
    label = "sentinel"
    verbose_name = _("City sentinels")

    def ready(self) -> None:
        from . import nav, permissions, policy  # noqa: F401 - registers permissions, menu and the kind

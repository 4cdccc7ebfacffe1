from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "gongzhi.services"
    label = "services"
    verbose_name = _("Three lists and service orders")

    def ready(self) -> None:
        from . import permissions, policy  # noqa: F401 - registers permissions and the service-order kind

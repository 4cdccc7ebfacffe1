from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "gongzhi.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        # Each app's nav.py registers its menu entries (see gongzhi/web/nav.py).
        autodiscover_modules("nav")

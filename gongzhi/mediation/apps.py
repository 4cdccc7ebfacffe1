from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "gongzhi.mediation"
    label = "mediation"
    verbose_name = _("Disputes and consumer complaints")

    def ready(self) -> None:
        # Registers the permissions, the menu, the two ticket kinds and the merchant-record facts.
        from . import nav, permissions, policy, records  # noqa: F401

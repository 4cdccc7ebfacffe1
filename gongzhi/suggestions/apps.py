from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "gongzhi.suggestions"
    label = "suggestions"
    verbose_name = _("Resident suggestions")

    def ready(self) -> None:
        from . import nav, permissions, policy  # noqa: F401 - registers permissions, menu and the kind

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_chain_heads(sender, using: str = "default", **kwargs) -> None:
    """Every chain's head exists from the start (a missing head cannot be locked, only created)."""
    from .services import chain_heads_create

    chain_heads_create(using=using)


class AuditConfig(AppConfig):
    name = "gongzhi.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        post_migrate.connect(_create_chain_heads, sender=self, dispatch_uid="gongzhi.audit.chain_heads")

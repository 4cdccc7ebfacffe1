"""Append-only, hash-chained audit log.

Every entry carries the hash of the entry before it in its chain, so altering or removing any row
breaks the chain at that point, which ``gongzhi audit verify`` finds and names. Entries are spread
over a few chains (``GONGZHI["AUDIT_CHAINS"]``) because a single chain head would be one hot row that
every audited write in the province queues on; each chain is still complete on its own.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.scoping import ScopedQuerySet

GENESIS = "0" * 64


class AuditChainHead(models.Model):
    """The last entry of each chain; locked while an entry is appended to it."""

    chain = models.PositiveSmallIntegerField(primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)

    def __str__(self) -> str:
        return f"chain {self.chain} at {self.seq}"


class AuditQuerySet(ScopedQuerySet):
    area_field = "area_code"
    owner_field = "actor_id"
    view_permission = "audit.view"


class AuditEntry(models.Model):
    chain = models.PositiveSmallIntegerField(_("chain"))
    seq = models.BigIntegerField(_("sequence"))
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=80, blank=True, default="")
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True, default="")
    object_id = models.CharField(_("object"), max_length=64, blank=True, default="")
    area_code = models.CharField(_("area"), max_length=15, blank=True, default="", db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    success = models.BooleanField(_("success"), default=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)  # before/after, personal data masked
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]

    def __str__(self) -> str:
        return f"{self.chain}:{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit entries are append-only")

    def canonical(self) -> bytes:
        """The bytes the hash covers: every recorded field, in a fixed order and form."""
        payload = [
            self.chain,
            self.seq,
            self.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
            self.actor_id,
            self.actor_label,
            self.action,
            self.object_type,
            self.object_id,
            self.area_code,
            self.ip,
            self.success,
            self.changes,
            self.prev_hash,
        ]
        return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()

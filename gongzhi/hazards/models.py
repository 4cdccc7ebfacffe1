"""Safety hazards (隐患): a kind of ticket (ARCHITECTURE decision 2). The ticket engine keeps the
case and its timeline; this app keeps what only hazards have: who found it, the risk level, the
rectification owner, and the re-inspections (with photos) that decide whether it may close."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RiskLevel(models.TextChoices):
    GENERAL = "general", pgettext_lazy("hazard risk", "General")
    LARGER = "larger", pgettext_lazy("hazard risk", "Larger")
    MAJOR = "major", pgettext_lazy("hazard risk", "Major")


# The risk level travels as the ticket's priority, so the engine's deadline hook (which is given
# the priority) sets the rectification deadline, on assessment and again after a failed re-inspection.
PRIORITY_OF_RISK = {RiskLevel.GENERAL: 2, RiskLevel.LARGER: 3, RiskLevel.MAJOR: 4}
RISK_OF_PRIORITY = {1: RiskLevel.GENERAL, 2: RiskLevel.GENERAL, 3: RiskLevel.LARGER, 4: RiskLevel.MAJOR}


class Source(models.TextChoices):
    RESIDENT = "resident", _("A resident")
    GRID_WORKER = "grid_worker", _("A grid worker")
    SENTINEL = "sentinel", _("A city sentinel")
    INSPECTION = "inspection", _("An inspection")


class Hazard(models.Model):
    """The hazard side of one ticket of kind ``hazard``."""

    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="hazard"
    )
    source = models.CharField(_("found by"), max_length=12, choices=Source.choices)
    risk_level = models.CharField(
        _("risk level"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.GENERAL
    )
    owner = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("rectification owner"),
    )
    assessed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("safety hazard")
        verbose_name_plural = _("safety hazards")
        indexes = [models.Index(fields=["risk_level", "created_at"], name="hazard_risk_created")]

    def __str__(self) -> str:
        return f"hazard {self.ticket_id}"


class Reinspection(models.Model):
    """A re-inspection of a rectified hazard, with its photos: passed closes it, failed sends it
    back to rectification. Written once, never changed."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="inspections")
    inspector = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    inspector_label = models.CharField(max_length=80, blank=True, default="")
    passed = models.BooleanField(_("passed"))
    note = models.TextField(_("findings"), blank=True, default="")
    photos = models.ManyToManyField("tickets.TicketAttachment", related_name="+", blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("re-inspection")
        verbose_name_plural = _("re-inspections")
        indexes = [models.Index(fields=["hazard", "passed", "at"], name="hazard_reinspection")]

    def __str__(self) -> str:
        return f"re-inspection {self.hazard_id} {'passed' if self.passed else 'failed'}"

"""Resident suggestions (居民建议): a kind of ticket (ARCHITECTURE decision 2). The ticket engine
keeps the case and its timeline; this app keeps the answer: adopted or not, with a reason that
the resident and, for adopted ones, the public list show."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TEXT_MAX = 1000  # characters a suggestion may say; the first 60 are its title
REASON_MAX = 1000


class Outcome(models.TextChoices):
    PENDING = "pending", _("Not answered yet")
    ADOPTED = "adopted", _("Adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


class Suggestion(models.Model):
    """The suggestion side of one ticket of kind ``suggestion``."""

    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="suggestion"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    public_reason = models.TextField(_("reason (public)"), blank=True, default="")
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # The ticket's reopen count when it was answered: a reopened suggestion needs a new answer.
    decided_round = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("resident suggestion")
        verbose_name_plural = _("resident suggestions")
        indexes = [models.Index(fields=["outcome", "decided_at"], name="suggestion_outcome")]

    def __str__(self) -> str:
        return f"suggestion {self.ticket_id}"

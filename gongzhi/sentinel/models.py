"""City sentinel leads: a kind of ticket (ARCHITECTURE decision 2). The ticket engine keeps the
case; this app keeps what only leads have: configurable categories (responsible unit, deadline,
reward) and, per lead, a geohash cell for the indexed duplicate look-up and the merge link."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GEOHASH_PRECISION = 7  # cells of ~153 m × 153 m: a duplicate radius of 50–500 m reads 4–40 cells


class DuplicateReward(models.TextChoices):
    FIRST = "first", _("Only the first reporter")
    ALL = "all", _("Every reporter of a merged lead")


class SentinelCategory(models.Model):
    """What a sentinel can report, who answers for it, by when, and what it earns."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    unit = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible unit"),
        help_text=_("Leads go to this unit unless a routing rule of the area names another."),
    )
    deadline_hours = models.PositiveIntegerField(_("deadline (hours)"), default=72)
    reward_units = models.PositiveSmallIntegerField(
        _("reward (times the points of the rule “sentinel.resolved”)"), default=1
    )
    duplicate_radius_m = models.PositiveIntegerField(_("duplicates within (metres)"), default=150)
    duplicate_window_hours = models.PositiveIntegerField(_("duplicates within (hours)"), default=72)
    duplicate_reward = models.CharField(
        _("reward for merged leads"),
        max_length=8,
        choices=DuplicateReward.choices,
        default=DuplicateReward.FIRST,
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("sentinel category")
        verbose_name_plural = _("sentinel categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline_hours__gte=1, duplicate_radius_m__gte=10, duplicate_radius_m__lte=2000),
                name="sentinel_category_sane_limits",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Lead(models.Model):
    """The sentinel side of one ticket of kind ``sentinel``."""

    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="sentinel_lead"
    )
    category = models.ForeignKey(SentinelCategory, on_delete=models.PROTECT, related_name="leads")
    geohash = models.CharField(max_length=GEOHASH_PRECISION)
    lat = models.FloatField()
    lng = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
        verbose_name=_("merged into"),
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The duplicate look-up: one category, a handful of cells, a time window.
            models.Index(fields=["category", "geohash", "created_at"], name="sentinel_lead_nearby"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("ticket")), name="sentinel_lead_not_self_merged"
            ),
        ]

    def __str__(self) -> str:
        return f"lead {self.ticket_id}"

"""City sentinel leads: a kind of ticket (ARCHITECTURE decision 2). The ticket engine keeps the
case; this app keeps what only leads have: configurable categories (responsible unit, deadline,
reward) and, per lead, a geohash cell for the indexed duplicate look-up and the merge link."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.scoping import ScopedQuerySet

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
        on_delete=models.SET_NULL,  # a removed unit leaves its leads to the community's queue
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
    token = models.CharField(max_length=32, unique=True, null=True, blank=True)  # Open311 tokens/{token}
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


class Open311ClientQuerySet(ScopedQuerySet):
    view_permission = "sentinel.manage"


class Open311Client(models.Model):
    """An outside application allowed to post leads through Open311 (issued by staff, revocable).

    The key is shown once when issued; only its SHA-256 is kept. Leads posted with it are
    submitted in the name of ``account``, which must hold the sentinel permission.
    """

    name = models.CharField(_("client"), max_length=100)
    contact = models.CharField(_("contact"), max_length=200, blank=True, default="")
    account = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("reports in the name of")
    )
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("may report within")
    )
    key_prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("issued"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = Open311ClientQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return self.name

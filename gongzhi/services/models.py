"""The three lists of the five-party linkage (五社联动, 三张清单): what people need (需求清单), who
and what can help (资源清单), and what is offered (服务清单). Service orders themselves are tickets
of kind ``service_order`` (``gongzhi.services.policy``)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.areas.models import CODE_LENGTH, PREFIX_LENGTH
from gongzhi.areas.scoping import ScopedQuerySet
from gongzhi.people.models import Tag

from .categories import category_choices


class Urgency(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class NeedSource(models.TextChoices):
    RESIDENT = "resident", _("Asked by the resident")
    VISIT = "visit", _("Found on a home visit")
    GRID = "grid", _("Reported by the grid worker")
    SURVEY = "survey", _("Survey")
    REFERRAL = "referral", _("Referred by a department")
    ORDER = "order", _("From a service order")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Waiting for help")
    SERVING = "serving", _("Being served")
    MET = "met", _("Met")
    CLOSED = "closed", _("Closed")


class Subject(models.TextChoices):
    PERSON = "person", _("A person")
    GROUP = "group", _("A group")


class NeedQuerySet(ScopedQuerySet):
    view_permission = "services.view"

    def open(self):
        return self.filter(status__in=[NeedStatus.OPEN, NeedStatus.SERVING])


class Need(models.Model):
    """A standing need: "elderly living alone: weekly visit", "riders of 简城街道: a rest stop"."""

    title = models.CharField(_("need"), max_length=120)
    description = models.TextField(_("details"), blank=True, default="")
    category = models.CharField(_("category"), max_length=40, choices=category_choices())
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    subject = models.CharField(
        _("who needs it"), max_length=6, choices=Subject.choices, default=Subject.PERSON
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="needs",
        verbose_name=_("person"),
    )
    group_tag = models.CharField(
        pgettext_lazy("group of people", "group"), max_length=30, choices=Tag.choices, blank=True, default=""
    )
    beneficiaries = models.PositiveIntegerField(_("people concerned"), default=1)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.NORMAL)
    source = models.CharField(
        _("source"), max_length=10, choices=NeedSource.choices, default=NeedSource.VISIT
    )
    status = models.CharField(_("status"), max_length=8, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    frequency = models.CharField(_("how often"), max_length=40, blank=True, default="")
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-urgency", "-created_at", "-id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs list")
        indexes = [
            models.Index(fields=["area", "status", "category"], name="need_area_status"),
            models.Index(fields=["category", "status"], name="need_category_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject="person", person__isnull=False)
                | Q(subject="group", person__isnull=True) & ~Q(group_tag=""),
                name="need_subject_matches",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ResourceKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    VOLUNTEER = "volunteer", _("Volunteer")
    MERCHANT = "merchant", _("Merchant")
    VENUE = "venue", _("Venue")
    FUND = "fund", _("Fund")


# Parties that can be sent orders; venues and funds are allotted, not dispatched.
DISPATCHABLE = frozenset({ResourceKind.ORGANISATION, ResourceKind.VOLUNTEER, ResourceKind.MERCHANT})


class ResourceQuerySet(ScopedQuerySet):
    view_permission = "services.view"

    def serving(self, area_code: str):
        """Resources whose service area covers ``area_code`` (their area or one of its ancestors)."""
        return self.filter(area_id__in=ancestor_codes(area_code))


class Resource(models.Model):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=ResourceKind.choices)
    organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="resources",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="resources",
        verbose_name=_("volunteer account"),
    )
    categories = models.JSONField(_("categories"), default=list, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("service area")
    )
    capacity = models.PositiveIntegerField(_("orders at once"), default=3)
    availability = models.CharField(_("availability"), max_length=100, blank=True, default="")
    is_available = models.BooleanField(_("taking orders"), default=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True, default="")
    contact_phone_enc = models.TextField(blank=True, default="")
    contact_phone_masked = models.CharField(_("contact phone"), max_length=20, blank=True, default="")
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name = _("resource")
        verbose_name_plural = _("resource list")
        indexes = [models.Index(fields=["area", "kind", "is_active"], name="resource_area_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=True) | Q(user__isnull=True), name="resource_one_party"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def category_labels(self) -> list[str]:
        from .categories import label_of

        return [label_of(c) for c in self.categories]

    @property
    def is_dispatchable(self) -> bool:
        return self.kind in DISPATCHABLE and bool(self.organisation_id or self.user_id)

    @property
    def party_key(self) -> str:
        return (
            f"org:{self.organisation_id}"
            if self.organisation_id
            else f"user:{self.user_id}"
            if self.user_id
            else ""
        )


def ancestor_codes(code: str) -> list[str]:
    """The area itself and every area above it (their codes are its prefixes padded with zeros)."""
    out = {code}
    for n in PREFIX_LENGTH.values():
        if n < len(code) and n <= CODE_LENGTH:
            out.add(code[:n].ljust(CODE_LENGTH, "0"))
    return sorted(out)


class OfferingQuerySet(ScopedQuerySet):
    """Staff see the offerings of their scope; everyone sees the active offerings that serve the
    areas they belong to — the catalogue a resident orders from."""

    view_permission = "services.view"

    def visible_to(self, viewer, permission: str | None = None):
        if viewer is None or not getattr(viewer, "is_authenticated", False):
            return self.none()
        q = Q(pk__in=[])
        scope = viewer.access.scope(permission or self.view_permission)
        if not scope.empty:
            q |= scope.q(self.area_field, None, viewer)
        homes = {m.area_id for m in viewer.access.memberships}
        if homes:
            served = sorted({c for h in homes for c in ancestor_codes(h)})
            q |= Q(area_id__in=served, is_active=True)
        return self.filter(q)

    def catalogue_for(self, viewer, area_code: str):
        """Active offerings serving one area the viewer belongs to."""
        return self.visible_to(viewer).filter(is_active=True, area_id__in=ancestor_codes(area_code))


class ServiceOffering(models.Model):
    title = models.CharField(_("service"), max_length=120)
    description = models.TextField(_("details"), blank=True, default="")
    category = models.CharField(_("category"), max_length=40, choices=category_choices())
    provider = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="offerings", verbose_name=_("provider")
    )
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area served")
    )
    capacity = models.PositiveIntegerField(_("orders at once"), default=5)
    is_free = models.BooleanField(_("free of charge"), default=True)
    price = models.CharField(_("price"), max_length=40, blank=True, default="")
    schedule = models.CharField(_("when"), max_length=100, blank=True, default="")
    is_active = models.BooleanField(_("listed"), default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OfferingQuerySet.as_manager()

    class Meta:
        ordering = ["category", "title", "id"]
        verbose_name = _("service")
        verbose_name_plural = _("service list")
        indexes = [models.Index(fields=["area", "is_active", "category"], name="offering_area_active")]

    def __str__(self) -> str:
        return self.title


class NeedMatch(models.Model):
    """A standing need met by a new offering (or activity): who was told, and when (按需推送)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches")
    offering = models.ForeignKey(
        ServiceOffering, null=True, blank=True, on_delete=models.CASCADE, related_name="matches"
    )
    source_type = models.CharField(max_length=60, blank=True, default="")
    source_id = models.CharField(max_length=64, blank=True, default="")
    title = models.CharField(max_length=120)
    notified = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "source_type", "source_id"], name="need_match_once_per_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need_id} ← {self.title}"

"""Service stations (服务站点), their functions, hours, photos and history; population grids and
planner runs for the 15-minute life circle (15分钟社区幸福生活圈).

Coordinates are WGS-84 (ARCHITECTURE decision 6). A point picked on a GCJ-02 map (高德, 腾讯) is
converted on the way in, and the value as entered is kept beside it, since GCJ-02 → WGS-84 is
only approximate.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.scoping import ScopedQuerySet


class StationFunction(models.Model):
    """What a station offers (职工之家, 工会驿站, 暖心角 …): a table staff extend, not a fixed list."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    name_en = models.CharField(_("English name"), max_length=80, blank=True, default="")
    description = models.CharField(_("description"), max_length=200, blank=True, default="")
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("station function")
        verbose_name_plural = _("station functions")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The Chinese name, or the English one on English pages when there is one."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Facility(models.TextChoices):
    WATER = "water", _("Drinking water")
    CHARGING = "charging", _("Phone and e-bike charging")
    TOILET = "toilet", _("Toilet")
    MICROWAVE = "microwave", _("Microwave")
    SEATS = "seats", _("Seats to rest")
    AED = "aed", _("AED defibrillator")
    WIFI = "wifi", _("Wi-Fi")
    FIRST_AID = "first_aid", _("First-aid kit")


class StationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged into another")
    CLOSED = "closed", _("Closed")


# The status machine as data (STYLE habit 4): a merged station stays merged, with its history.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    StationStatus.ACTIVE: frozenset({StationStatus.MERGED, StationStatus.CLOSED}),
    StationStatus.CLOSED: frozenset({StationStatus.ACTIVE}),
    StationStatus.MERGED: frozenset(),
}


class CoordinateSystem(models.TextChoices):
    WGS84 = "wgs84", _("WGS-84 (GPS, 天地图, OpenStreetMap)")
    GCJ02 = "gcj02", _("GCJ-02 (高德, 腾讯)")


class StationQuerySet(ScopedQuerySet):
    view_permission = "stations.view"

    def active(self):
        return self.filter(status=StationStatus.ACTIVE)

    def findable(self):
        """Stations residents may look up: public places, so not scoped to an area (like the area
        tree itself); only active ones are findable."""
        return self.filter(status=StationStatus.ACTIVE)


class Station(models.Model):
    name = models.CharField(_("name"), max_length=120)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("community / town")
    )
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    lat = models.FloatField(_("latitude (WGS-84)"))
    lng = models.FloatField(_("longitude (WGS-84)"))
    source_crs = models.CharField(
        _("coordinates entered as"),
        max_length=8,
        choices=CoordinateSystem.choices,
        default=CoordinateSystem.WGS84,
    )
    source_lat = models.FloatField(_("latitude as entered"), null=True, blank=True)
    source_lng = models.FloatField(_("longitude as entered"), null=True, blank=True)
    functions = models.ManyToManyField(
        StationFunction, related_name="stations", blank=True, verbose_name=_("functions")
    )
    organisations = models.ManyToManyField(
        "directory.Organisation", related_name="stations", blank=True, verbose_name=_("run by")
    )
    facilities = models.JSONField(_("facilities"), default=list, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (people at once)"), null=True, blank=True)
    phone = models.CharField(_("service telephone"), max_length=30, blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=StationStatus.choices, default=StationStatus.ACTIVE
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="absorbed",
        verbose_name=_("merged into"),
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = StationQuerySet.as_manager()

    class Meta:
        ordering = ["area_id", "name", "id"]
        verbose_name = _("service station")
        verbose_name_plural = _("service stations")
        indexes = [
            # The finder's bounding box: a range on lat, then lng, read from one index.
            models.Index(fields=["lat", "lng"], name="station_lat_lng"),
            models.Index(fields=["area", "status"], name="station_area_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                name="station_lat_lng_range",
            ),
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False) | ~Q(status="merged"),
                name="station_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == StationStatus.ACTIVE

    def facility_labels(self) -> list[str]:
        labels = dict(Facility.choices)
        return [str(labels[f]) for f in self.facilities if f in labels]


class StationHours(models.Model):
    """One weekly opening: ``closes <= opens`` runs past midnight; equal means 24 hours."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"))  # 0 = Monday
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [models.CheckConstraint(condition=Q(weekday__lte=6), name="station_hours_weekday")]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens:%H:%M}-{self.closes:%H:%M}"


class HoursException(models.Model):
    """Different hours on one date (a holiday, a closure). No times: closed all day."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="hours_exceptions")
    date = models.DateField(_("date"))
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=100, blank=True, default="")

    class Meta:
        ordering = ["date", "opens"]
        indexes = [models.Index(fields=["station", "date"], name="station_hours_exc_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__isnull=True, closes__isnull=True)
                | Q(opens__isnull=False, closes__isnull=False),
                name="station_hours_exc_both_or_none",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.note}"

    @property
    def closed(self) -> bool:
        return self.opens is None


def _photo_path(instance: StationPhoto, filename: str) -> str:
    return f"stations/{instance.station_id}/{filename}"


class StationPhoto(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=_photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("caption"), max_length=100, blank=True, default="")
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class StationEvent(models.Model):
    """The station's history: created, changed, closed, reopened, and both sides of every merge."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Registered")
        UPDATED = "updated", _("Details changed")
        HOURS = "hours", _("Opening hours changed")
        MERGED_INTO = "merged_into", _("Merged into another station")
        ABSORBED = "absorbed", _("Took in a merged station")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    other = models.ForeignKey(
        Station,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("other station"),
    )
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["station", "kind"], name="station_event_kind")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.kind}"


# --------------------------------------------------------------------------------------------
# Population and planning
# --------------------------------------------------------------------------------------------


class PopulationGridQuerySet(ScopedQuerySet):
    view_permission = "stations.coverage"


class PopulationGrid(models.Model):
    """Population points imported from CSV (``id,lat,lng,weight``), e.g. a census or mobile-phone
    grid; an alternative to weighting community centres by registered residents."""

    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    source_name = models.CharField(_("file"), max_length=200, blank=True, default="")
    point_count = models.PositiveIntegerField(default=0)
    total_weight = models.FloatField(default=0)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PopulationGridQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("population grid")
        verbose_name_plural = _("population grids")

    def __str__(self) -> str:
        return self.name


class PopulationPoint(models.Model):
    """One grid point; ``community_code`` is the community whose centre is nearest, for the
    by-town figures (read through its grid, which is scoped)."""

    grid = models.ForeignKey(PopulationGrid, on_delete=models.CASCADE, related_name="points")
    ext_id = models.CharField(max_length=64)
    lat = models.FloatField()
    lng = models.FloatField()
    weight = models.FloatField()
    community_code = models.CharField(max_length=15, db_index=True)

    class Meta:
        ordering = ["grid", "id"]
        constraints = [models.UniqueConstraint(fields=["grid", "ext_id"], name="population_point_unique")]

    def __str__(self) -> str:
        return self.ext_id


class PlanModel(models.TextChoices):
    MCLP = "mclp", _("Cover the most people with p stations (MCLP)")
    LSCP = "lscp", _("Fewest stations covering everyone reachable (LSCP)")
    PMEDIAN = "pmedian", _("p stations with the shortest total walk (p-median)")


class PlanStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.QUEUED: frozenset({PlanStatus.RUNNING, PlanStatus.FAILED}),
    PlanStatus.RUNNING: frozenset({PlanStatus.DONE, PlanStatus.FAILED}),
    PlanStatus.DONE: frozenset(),
    PlanStatus.FAILED: frozenset(),
}


class SolveStatus(models.TextChoices):
    OPTIMAL = "optimal", _("Proven optimal")
    GAP_LIMIT = "gap_limit", _("Within the requested gap")
    TIME_LIMIT = "time_limit", _("Stopped at the time limit")


class PlanRunQuerySet(ScopedQuerySet):
    view_permission = "stations.plan"

    def summaries(self):
        """Without the bulky inputs and results, for lists."""
        return self.defer("inputs", "result")


class PlanRun(models.Model):
    """One run of the consolidation planner: its parameters, inputs, progress and outcome."""

    title = models.CharField(_("title"), max_length=100, blank=True, default="")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    model = models.CharField(_("model"), max_length=8, choices=PlanModel.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=PlanStatus.choices, default=PlanStatus.QUEUED
    )
    stage = models.CharField(_("stage"), max_length=80, blank=True, default="")
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    params = models.JSONField(_("parameters"), default=dict)
    inputs = models.JSONField(default=dict)  # {"demand": [...], "candidates": [...]} as solved
    result = models.JSONField(default=dict)
    solve_status = models.CharField(
        _("solution"), max_length=10, choices=SolveStatus.choices, blank=True, default=""
    )
    objective = models.FloatField(_("objective"), null=True, blank=True)
    best_bound = models.FloatField(_("bound"), null=True, blank=True)
    gap = models.FloatField(_("gap"), null=True, blank=True)
    solve_seconds = models.FloatField(_("solve time (s)"), null=True, blank=True)
    covered_share = models.FloatField(_("population covered"), null=True, blank=True)
    chosen_count = models.PositiveIntegerField(_("stations chosen"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True, default="")
    background = models.BooleanField(default=False)
    task_id = models.CharField(max_length=64, blank=True, default="")
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = PlanRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("planner run")
        verbose_name_plural = _("planner runs")
        indexes = [models.Index(fields=["area", "created_at"], name="plan_run_area_created")]

    def __str__(self) -> str:
        return self.title or f"{self.get_model_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (PlanStatus.DONE, PlanStatus.FAILED)

"""Volunteers, teams, activities with sign-up and attendance, certificates, and care pairings."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.areas.scoping import ScopedQuerySet


class VolunteerQuerySet(ScopedQuerySet):
    area_field = "area_id"
    owner_field = "user_id"
    view_permission = "volunteering.view"


class Team(models.Model):
    """A volunteer team (红色军属帮帮团, 老党员工作室, 青鹰行动 ...) under a directory organisation."""

    name = models.CharField(_("name"), max_length=80)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer team")
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="volunteering_team_unique_name")]

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    """A registered volunteer; the volunteer number stands in for the ID number on records."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="volunteer"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    number = models.CharField(_("volunteer number"), max_length=20, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("team")
    )
    skills = models.CharField(_("skills"), max_length=200, blank=True, default="")
    availability = models.CharField(_("availability"), max_length=200, blank=True, default="")
    mobile_masked = models.CharField(_("mobile"), max_length=20, blank=True, default="")
    # Personal data as gongzhi/people keeps it (ARCHITECTURE decision 5): encrypted, a keyed hash
    # for exact look-ups, and pre-masked for display; certificates carry the number above instead.
    mobile_enc = models.TextField(blank=True, default="")
    id_number_enc = models.TextField(blank=True, default="")
    id_number_index = models.CharField(max_length=64, null=True, blank=True, unique=True)
    id_number_masked = models.CharField(_("ID number"), max_length=20, blank=True, default="")
    pair_capacity = models.PositiveSmallIntegerField(_("pairs at most"), default=2)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class Category(models.TextChoices):
    HAIRCUT = "haircut", _("Free haircuts")
    TEA = "tea", _("Tea house")
    HEALTH = "health", _("Health talk")
    ANTI_FRAUD = "anti_fraud", _("Anti-fraud awareness")
    HERITAGE = "heritage", _("Intangible heritage")
    CHILDCARE = "childcare", _("After-school care")
    VISIT = "visit", _("Visits")
    OTHER = "other", _("Other")


class TargetGroup(models.TextChoices):
    """Whom an activity serves (服务对象)."""

    ELDERLY = "elderly", _("The elderly")
    CHILDREN = "children", _("Children")
    DISABLED = "disabled", _("People with disabilities")
    RIDERS = "riders", _("Riders and gig workers")
    FAMILIES = "families", _("Families in difficulty")
    VETERANS = "veterans", _("Veterans")
    RESIDENTS = "residents", _("All residents")


class ActivityQuerySet(ScopedQuerySet):
    area_field = "area_id"
    view_permission = "volunteering.view"


class Activity(models.Model):
    title = models.CharField(_("title"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("team"),
    )
    station = models.ForeignKey(
        "stations.Station",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("station"),
    )
    place = models.CharField(_("place"), max_length=200, blank=True, default="")
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    check_distance_m = models.PositiveIntegerField(
        _("check-in radius (m)"), null=True, blank=True, help_text=_("Empty: no distance check.")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    volunteer_capacity = models.PositiveIntegerField(_("volunteers needed"))
    participant_capacity = models.PositiveIntegerField(_("participants at most"), default=0)
    served = models.PositiveIntegerField(_("person-times served"), default=0)
    # Stored as ",elderly,children," so one indexed-free LIKE finds a group on SQLite and PostgreSQL.
    target_groups = models.CharField(_("target groups"), max_length=120, blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="volunteering_activity_ends"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def length(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def length_hours(self) -> Decimal:
        return Decimal(self.length.total_seconds() / 3600).quantize(Decimal("0.1"))

    @property
    def target_group_codes(self) -> list[str]:
        return [c for c in self.target_groups.split(",") if c]

    def get_target_groups_display(self) -> list[str]:
        labels = dict(TargetGroup.choices)
        return [str(labels.get(c, c)) for c in self.target_group_codes]


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class SignUpQuerySet(ScopedQuerySet):
    area_field = "activity__area_id"
    owner_field = "volunteer__user_id"
    view_permission = "volunteering.view"


class SignUp(models.Model):
    """A volunteer's place in an activity, and the attendance that follows it."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(_("status"), max_length=12, choices=SignUpStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    points = models.IntegerField(_("points"), default=0)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)

    objects = SignUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-up")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                condition=~Q(status="cancelled"),
                name="volunteering_one_live_signup",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.activity}"


class ParticipationQuerySet(ScopedQuerySet):
    area_field = "activity__area_id"
    owner_field = "user_id"
    view_permission = "volunteering.manage"


class Participation(models.Model):
    """A resident's registration to take part in an activity (a participant, not a volunteer)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = _("participation")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"],
                condition=Q(cancelled_at__isnull=True),
                name="volunteering_one_live_participation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.activity}"


class CertificateQuerySet(ScopedQuerySet):
    area_field = "volunteer__area_id"
    owner_field = "volunteer__user_id"
    view_permission = "volunteering.view"


class Certificate(models.Model):
    """A volunteer service certificate with the fields of 志愿服务记录与证明出具办法."""

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=1)
    content = models.TextField(_("service content"))
    organisation = models.CharField(_("issuing organisation"), max_length=100)
    responsible = models.CharField(_("person responsible"), max_length=50)
    handler = models.CharField(_("handler"), max_length=50)
    contact = models.CharField(_("contact"), max_length=50)
    issued_on = models.DateField(_("date"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")

    def __str__(self) -> str:
        return self.number


class PairType(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    person_tag = models.CharField(
        _("people tag"), max_length=30, help_text=_("Whom this pair type cares for.")
    )
    visit_every_days = models.PositiveSmallIntegerField(_("visit every (days)"))
    needs_consent = models.BooleanField(_("needs a guardian's consent"), default=False)

    class Meta:
        verbose_name = _("pair type")

    def __str__(self) -> str:
        return self.name


class PairingQuerySet(ScopedQuerySet):
    area_field = "person__area_id"
    owner_field = "volunteer__user_id"
    view_permission = "volunteering.view"


class Pairing(models.Model):
    pair_type = models.ForeignKey(PairType, on_delete=models.PROTECT, related_name="pairings")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="pairings")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    started_on = models.DateField(_("paired on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("pairing")
        constraints = [
            models.UniqueConstraint(
                fields=["pair_type", "person"],
                condition=Q(ended_on__isnull=True),
                name="volunteering_one_live_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} ↔ {self.person}"


class VisitKind(models.TextChoices):
    HOME = "home", _("Home visit")
    CALL = "call", _("Call")
    ACTIVITY = "activity", _("Activity")


class Visit(models.Model):
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="visits")
    date = models.DateField(_("date"))
    kind = models.CharField(pgettext_lazy("visit mode", "kind"), max_length=10, choices=VisitKind.choices)
    notes = models.TextField(_("notes"), blank=True, default="")
    concerns = models.TextField(_("concerns"), blank=True, default="")
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket opened for the concern"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.pairing} {self.date}"


class VisitPhoto(models.Model):
    """A photo taken on a visit, re-encoded without its metadata (gongzhi.lib.images)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    file = models.CharField(max_length=200)  # storage name, unguessable
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("visit photo")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.file


class RecordKind(models.TextChoices):
    TRAINING = "training", _("Training")
    AWARD = "award", pgettext_lazy("commendation", "Award")
    EVALUATION = "evaluation", _("Evaluation")


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    PASS = "pass", _("Satisfactory")
    FAIL = "fail", _("Unsatisfactory")


class VolunteerRecordQuerySet(ScopedQuerySet):
    area_field = "volunteer__area_id"
    owner_field = "volunteer__user_id"
    view_permission = "volunteering.view"


class VolunteerRecord(models.Model):
    """Training taken, an award (表彰) received, or an evaluation, on a volunteer's profile."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(_("kind"), max_length=12, choices=RecordKind.choices)
    title = models.CharField(_("title"), max_length=100)
    date = models.DateField(_("date"))
    issuer = models.CharField(_("given by"), max_length=100)
    hours = models.DecimalField(_("training hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    rating = models.CharField(
        pgettext_lazy("evaluation grade", "rating"),
        max_length=10,
        choices=Rating.choices,
        blank=True,
        default="",
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VolunteerRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer record")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.get_kind_display()} {self.title}"

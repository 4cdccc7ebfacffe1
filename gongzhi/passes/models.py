"""Riders, their insurance, rider-friendly communities, gates, and the rider pass (暖新码).

The pass itself is a token signed by ``gongzhi.lib.passes`` (ARCHITECTURE decision 4); the rows
here are what the issuing side keeps: who holds which serial, which keys signed them, what was
revoked, and what every gate saw.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.scoping import ScopedQuerySet
from gongzhi.lib.idcodes import mask_name

SEED_CONTEXT = "passes.signing_seed"
PUBLISHER_SEED_CONTEXT = "passes.publisher_seed"


class Platform(models.Model):
    """A delivery or ride platform riders work for (美团, 饿了么, ...): reference data, kept in the admin."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")

    def __str__(self) -> str:
        return self.name


class RiderStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


# The verification workflow as data: (from, to) → the action's name. Anything else is refused.
RIDER_TRANSITIONS: dict[tuple[str, str], str] = {
    (RiderStatus.PENDING, RiderStatus.VERIFIED): "verify",
    (RiderStatus.PENDING, RiderStatus.REJECTED): "reject",
    (RiderStatus.REJECTED, RiderStatus.PENDING): "resubmit",
    (RiderStatus.VERIFIED, RiderStatus.SUSPENDED): "suspend",
    (RiderStatus.SUSPENDED, RiderStatus.VERIFIED): "reinstate",
}


class RiderQuerySet(ScopedQuerySet):
    owner_field = "user_id"
    view_permission = "passes.riders.view"


class Rider(models.Model):
    """A new-employment worker (骑手) registered for the pass: one per user account."""

    user = models.OneToOneField(
        # Deleting an account erases its rider record and passes (PIPL: the right to erasure).
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="rider",
        verbose_name=_("account"),
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("person record"),
    )
    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="+", verbose_name=_("platform")
    )
    station = models.CharField(_("station"), max_length=100, help_text=_("The delivery station or team."))
    plate = models.CharField(_("e-bike plate"), max_length=20, blank=True, default="")
    photo = models.ImageField(_("photo"), upload_to="passes/photos/", blank=True)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RiderStatus.choices, default=RiderStatus.PENDING, db_index=True
    )
    status_note = models.CharField(_("note"), max_length=200, blank=True, default="")
    verified_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    # Set when a pass is revoked because the phone was lost: a browser session that held a pass
    # before this moment must sign in again before it gets a new one.
    passes_reset_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    objects = RiderQuerySet.as_manager()

    class Meta:
        ordering = ["area_id", "id"]
        verbose_name = _("rider")
        verbose_name_plural = _("riders")
        indexes = [models.Index(fields=["area", "status"])]

    def __str__(self) -> str:
        return self.masked_name

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def masked_name(self) -> str:
        return mask_name(self.user.name)

    @property
    def is_verified(self) -> bool:
        return self.status == RiderStatus.VERIFIED


class DocumentKind(models.TextChoices):
    ID_CARD = "id_card", _("ID card")
    PLATFORM_PROOF = "platform_proof", _("Proof of work for the platform")
    EBIKE_REGISTRATION = "ebike", _("E-bike registration")
    OTHER = "other", _("Other")


class RiderDocumentQuerySet(ScopedQuerySet):
    area_field = "rider__area_id"
    owner_field = "rider__user_id"
    view_permission = "passes.riders.view"


class RiderDocument(models.Model):
    """A document a rider handed in for verification; shown only to staff who may verify."""

    rider = models.ForeignKey(Rider, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to="passes/documents/")
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")

    objects = RiderDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("rider document")
        verbose_name_plural = _("rider documents")

    def __str__(self) -> str:
        return self.get_kind_display()


class InsuranceKind(models.TextChoices):
    OCCUPATIONAL_INJURY = "occupational_injury", _("Occupational injury protection")
    ACCIDENT = "accident", _("Accident insurance")
    LIABILITY = "liability", _("Third-party liability")
    OTHER = "other", _("Other")


class InsuranceQuerySet(ScopedQuerySet):
    area_field = "rider__area_id"
    owner_field = "rider__user_id"
    view_permission = "passes.riders.view"

    def active_on(self, day):
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class InsurancePolicy(models.Model):
    rider = models.ForeignKey(Rider, on_delete=models.CASCADE, related_name="policies")
    kind = models.CharField(
        _("kind"), max_length=24, choices=InsuranceKind.choices, default=InsuranceKind.ACCIDENT
    )
    insurer = models.CharField(_("insurer"), max_length=100)
    number = models.CharField(_("policy number"), max_length=60)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), help_text=_("The last day covered."))
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")

    objects = InsuranceQuerySet.as_manager()

    class Meta:
        ordering = ["-ends_on"]
        verbose_name = _("insurance policy")
        verbose_name_plural = _("insurance policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="policy_period_order"
            ),
            models.UniqueConstraint(fields=["insurer", "number"], name="policy_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.number}"


class CommunityQuerySet(ScopedQuerySet):
    view_permission = "passes.gates.view"


class RiderFriendlyCommunity(models.Model):
    """A community's rider-friendly settings (骑手友好型社区): does it honour the pass, what it offers."""

    area = models.OneToOneField(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    honours_pass = models.BooleanField(_("honours the rider pass"), default=True)
    rest_stop = models.BooleanField(_("rest stop"), default=False)
    charging = models.BooleanField(_("e-bike charging"), default=False)
    water = models.BooleanField(_("drinking water"), default=False)
    toilet = models.BooleanField(_("toilet"), default=False)
    notes = models.CharField(_("notes"), max_length=200, blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")

    objects = CommunityQuerySet.as_manager()

    class Meta:
        ordering = ["area_id"]
        verbose_name = _("rider-friendly community")
        verbose_name_plural = _("rider-friendly communities")

    def __str__(self) -> str:
        return str(self.area)

    SERVICES = ("rest_stop", "charging", "water", "toilet")

    def service_labels(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in self.SERVICES if getattr(self, f)]


class GateQuerySet(ScopedQuerySet):
    view_permission = "passes.gates.view"


class Gate(models.Model):
    """A residential gate (门岗) where guards scan passes."""

    name = models.CharField(_("name"), max_length=60)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    guards = models.ManyToManyField(
        "accounts.User", blank=True, related_name="pass_gates", verbose_name=_("guards")
    )
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = GateQuerySet.as_manager()

    class Meta:
        ordering = ["area_id", "name"]
        verbose_name = _("gate")
        verbose_name_plural = _("gates")
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="gate_unique_name")]

    def __str__(self) -> str:
        return self.name


class KeyStatus(models.TextChoices):
    ACTIVE = "active", _("Signing")
    RETIRED = "retired", _("Retired (verifies its passes until they expire)")
    REVOKED = "revoked", _("Revoked")


class SigningKey(models.Model):
    """An Ed25519 pass-signing key; the private seed is stored encrypted through the vault.

    ``not_before``/``not_after`` bound when it may *sign*; its passes verify until they expire.
    """

    kid = models.CharField(_("key id"), max_length=8, unique=True)
    public_key = models.CharField(_("public key (base64url)"), max_length=64)
    seed_enc = models.TextField()
    not_before = models.DateTimeField(_("signs from"))
    not_after = models.DateTimeField(_("signs until"))
    status = models.CharField(_("status"), max_length=10, choices=KeyStatus.choices, default=KeyStatus.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-not_before"]
        verbose_name = _("pass-signing key")
        verbose_name_plural = _("pass-signing keys")

    def __str__(self) -> str:
        return self.kid


class PublisherKey(models.Model):
    """The key that signs the published key set and revocation list; gate devices pin it."""

    kid = models.CharField(max_length=8, unique=True)
    public_key = models.CharField(max_length=64)
    seed_enc = models.TextField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("publisher key")
        verbose_name_plural = _("publisher keys")

    def __str__(self) -> str:
        return self.kid


class PublishedDocument(models.Model):
    """The latest signed key set or revocation list, as gate devices download it.

    ``sequence`` only grows (anti-rollback); the row is locked while a new version is written.
    """

    class Kind(models.TextChoices):
        KEYSET = "keyset", _("Key set")
        REVOCATIONS = "revocations", _("Revocation list")

    kind = models.CharField(max_length=12, choices=Kind.choices, unique=True)
    sequence = models.PositiveBigIntegerField(default=0)
    issued_at = models.DateTimeField(default=timezone.now)
    document = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return f"{self.kind} #{self.sequence}"


class RevokeReason(models.TextChoices):
    LOST_PHONE = "lost_phone", _("Lost phone")
    LEFT_JOB = "left_job", _("Left the job")
    MISCONDUCT = "misconduct", _("Misconduct")
    KEY_COMPROMISED = "key_compromised", _("Signing key compromised")
    OTHER = "other", _("Other")


# Reasons that also stop the rider from getting a new pass until reinstated.
SUSPENDING_REASONS = frozenset({RevokeReason.LEFT_JOB, RevokeReason.MISCONDUCT})


class PassQuerySet(ScopedQuerySet):
    area_field = "rider__area_id"
    owner_field = "rider__user_id"
    view_permission = "passes.riders.view"

    def live(self, now=None):
        return self.filter(revoked_at__isnull=True, valid_until__gt=now or timezone.now())


class PassRecord(models.Model):
    """One issued pass: what its token says, and whether it was revoked."""

    serial = models.PositiveBigIntegerField(_("serial"), unique=True)
    rider = models.ForeignKey(Rider, on_delete=models.CASCADE, related_name="passes")
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="passes")
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), db_index=True)
    areas = models.JSONField(_("honoured in"), default=list)  # area prefixes, [] = everywhere
    token = models.TextField()
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, db_index=True)
    revoke_reason = models.CharField(
        _("reason"), max_length=20, choices=RevokeReason.choices, blank=True, default=""
    )

    objects = PassQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("pass")
        verbose_name_plural = _("passes")
        indexes = [models.Index(fields=["rider", "-valid_until"])]

    def __str__(self) -> str:
        return str(self.serial)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class RevocationQuerySet(ScopedQuerySet):
    view_permission = "passes.riders.view"


class Revocation(models.Model):
    """One act of revocation: a rider's passes, or a whole signing key."""

    rider = models.ForeignKey(
        Rider, null=True, blank=True, on_delete=models.CASCADE, related_name="revocations"
    )
    signing_key = models.ForeignKey(
        SigningKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey("areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    serials = models.JSONField(default=list)
    reason = models.CharField(_("reason"), max_length=20, choices=RevokeReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    revoked_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(default=timezone.now)

    objects = RevocationQuerySet.as_manager()

    class Meta:
        ordering = ["-revoked_at"]
        verbose_name = _("revocation")
        verbose_name_plural = _("revocations")
        constraints = [
            models.CheckConstraint(
                condition=Q(rider__isnull=False) | Q(signing_key__isnull=False),
                name="revocation_names_something",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} {self.revoked_at:%Y-%m-%d}"


class AccessEventQuerySet(ScopedQuerySet):
    owner_field = "rider__user_id"
    view_permission = "passes.events.view"


class AccessEvent(models.Model):
    """One scan at a gate. Location data (PIPL: sensitive): kept for the retention period only."""

    gate = models.ForeignKey(Gate, on_delete=models.PROTECT, related_name="events")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    serial = models.PositiveBigIntegerField(null=True, blank=True)
    rider = models.ForeignKey(Rider, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    guard = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField()
    reason = models.CharField(max_length=24)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("gate scan")
        verbose_name_plural = _("gate scans")
        indexes = [models.Index(fields=["area", "at"]), models.Index(fields=["gate", "at"])]

    def __str__(self) -> str:
        return f"{self.gate_id} {self.at:%Y-%m-%d %H:%M} {self.reason}"


class GateDayQuerySet(ScopedQuerySet):
    view_permission = "passes.figures.view"


class GateDay(models.Model):
    """Anonymous daily counts of one gate, kept after its scans are deleted at retention's end."""

    gate = models.ForeignKey(Gate, on_delete=models.PROTECT, related_name="days")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    scans = models.PositiveIntegerField(default=0)
    admitted = models.PositiveIntegerField(default=0)
    riders = models.PositiveIntegerField(default=0)  # distinct riders admitted that day

    objects = GateDayQuerySet.as_manager()

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["gate", "day"], name="gate_day_unique")]

    def __str__(self) -> str:
        return f"{self.gate_id} {self.day}"

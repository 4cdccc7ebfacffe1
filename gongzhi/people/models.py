"""The person registry: who lives where, with protected identity and contact data."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.scoping import ScopedQuerySet

ID_CONTEXT = "person.id_number"
MOBILE_CONTEXT = "person.mobile"
GUARDIAN_MOBILE_CONTEXT = "consent.guardian_mobile"
CHILD_AGE = 14  # PIPL art. 28/31: personal information of a minor under 14 is sensitive


class Tag(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")
    ELDERLY = "elderly", _("Elderly")
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child")
    CHILD_IN_DIFFICULTY = "child_in_difficulty", _("Child in difficulty")
    DISABLED = "disabled", _("Disabled")
    SPECIAL_DIFFICULTY = "special_difficulty", _("Special difficulty")
    NEW_EMPLOYMENT = "new_employment", _("New-employment worker")
    VETERAN = "veteran", _("Veteran")
    MILITARY_FAMILY = "military_family", _("Military family")
    PARTY_MEMBER = "party_member", _("Party member")
    RETIRED_CADRE = "retired_cadre", _("Retired cadre")
    GOVERNANCE_BACKBONE = "governance_backbone", _("Governance backbone")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class PersonQuerySet(ScopedQuerySet):
    owner_field = "user__id"
    view_permission = "people.view"

    def with_tag(self, tag: str):
        return self.filter(tags__tag=tag)


class Person(models.Model):
    name = models.CharField(_("name"), max_length=50)
    id_number_enc = models.TextField(blank=True, default="")
    id_number_index = models.CharField(max_length=64, null=True, blank=True, unique=True)
    id_number_masked = models.CharField(_("ID number"), max_length=20, blank=True, default="")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True, default="")
    mobile_enc = models.TextField(blank=True, default="")
    mobile_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    mobile_masked = models.CharField(_("mobile"), max_length=20, blank=True, default="")
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["area_id", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["area", "id"])]

    def __str__(self) -> str:
        return self.name

    def age(self, today: date | None = None) -> int | None:
        if not self.birth_date:
            return None
        today = today or timezone.localdate()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))

    @property
    def is_child(self) -> bool:
        age = self.age()
        return age is not None and age < CHILD_AGE

    @property
    def tag_list(self) -> list[str]:
        return [t.tag for t in self.tags.all()]


class PersonTag(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(max_length=30, choices=Tag.choices, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "tag"], name="person_tag_unique")]

    def __str__(self) -> str:
        return self.tag


class GuardianConsent(models.Model):
    """A guardian's recorded consent to keep and use a child's record (PIPL art. 31)."""

    class Relationship(models.TextChoices):
        PARENT = "parent", _("Parent")
        GRANDPARENT = "grandparent", _("Grandparent")
        OTHER_RELATIVE = "relative", _("Other relative")
        LEGAL_GUARDIAN = "legal_guardian", _("Appointed guardian")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    guardian_name = models.CharField(_("guardian's name"), max_length=50)
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    guardian_mobile_enc = models.TextField(blank=True, default="")
    guardian_mobile_masked = models.CharField(_("guardian's mobile"), max_length=20, blank=True, default="")
    purpose = models.CharField(_("purpose"), max_length=200)
    method = models.CharField(_("how consent was given"), max_length=100)
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("guardian consent")
        verbose_name_plural = _("guardian consents")

    def __str__(self) -> str:
        return f"{self.guardian_name} ({self.relationship})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

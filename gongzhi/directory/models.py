"""Organisations: mass organisations, party organisations, social organisations, merchants, teams."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.scoping import ScopedQuerySet


class OrgKind(models.TextChoices):
    DEPARTMENT = "department", _("Government department")
    MASS_ORG = "mass_org", _("Mass organisation")
    PARTY_ORG = "party_org", _("Party organisation")
    SOCIAL_ORG = "social_org", _("Social organisation")
    MERCHANT = "merchant", _("Caring merchant")
    PROPERTY = "property", _("Property management company")
    TEAM = "team", _("Team / task force")
    SUPPORT_CENTRE = "support_centre", _("Social-work support centre")
    ENTERPRISE = "enterprise", _("Enterprise")
    OTHER = "other", _("Other")


class PartyOrgForm(models.TextChoices):
    # "重点企业单独建、同类相邻联合建、园区市场区域建"
    STANDALONE = "standalone", _("Standalone (单独建)")
    JOINT = "joint", _("Joint (联合建)")
    REGIONAL = "regional", _("Regional (区域建)")


class OrganisationQuerySet(ScopedQuerySet):
    view_permission = "orgs.view"

    def active(self):
        return self.filter(is_active=True)


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=40, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices, db_index=True)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, default="", db_index=True
    )
    party_form = models.CharField(
        _("party organisation form"), max_length=12, choices=PartyOrgForm.choices, blank=True, default=""
    )
    categories = models.JSONField(_("service categories"), default=list, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True, default="")
    contact_phone_masked = models.CharField(_("contact phone"), max_length=20, blank=True, default="")
    contact_phone_enc = models.TextField(blank=True, default="")
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["area", "kind"])]

    def __str__(self) -> str:
        return self.short_name or self.name

"""The administrative tree, keyed by 12-digit statistical division codes (ARCHITECTURE decision 1).

A code's significant prefix — 2 digits for a province, 4 a city, 6 a county, 9 a town/street,
12 a village/community, 15 a grid — starts the code of everything below it, so "everything under
this area" is a range scan on an ordinary B-tree index over the code column (see ``code_range``),
on SQLite and PostgreSQL alike, with no join and no recursive query.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County / district")
    TOWN = "town", _("Town / street")
    VILLAGE = "village", _("Village / community")
    GRID = "grid", _("Grid")


# Significant digits per level: the prefix every descendant's code starts with.
PREFIX_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWN: 9,
    Level.VILLAGE: 12,
    Level.GRID: 15,
}
LEVEL_ORDER = list(PREFIX_LENGTH)
CODE_LENGTH = 12
GRID_CODE_LENGTH = 15


def level_of_code(code: str) -> Level:
    """Infer the level from a 12-digit (or 15-digit grid) code's trailing zeros."""
    if not isinstance(code, str) or not code.isdigit() or len(code) not in (CODE_LENGTH, GRID_CODE_LENGTH):
        raise ValidationError(
            _("An area code has 12 digits (15 for a grid): %(code)s"),
            code="area.code_format",
            params={"code": str(code)[:20]},
        )
    if len(code) == GRID_CODE_LENGTH:
        return Level.GRID
    if code[2:] == "0" * 10:
        return Level.PROVINCE
    if code[4:] == "0" * 8:
        return Level.CITY
    if code[6:] == "0" * 6:
        return Level.COUNTY
    if code[9:] == "000":
        return Level.TOWN
    return Level.VILLAGE


def prefix_of(code: str, level: str | None = None) -> str:
    """The significant prefix of a code: every descendant's code starts with it."""
    return code[: PREFIX_LENGTH[Level(level or level_of_code(code))]]


def code_range(prefix: str) -> tuple[str, str]:
    """Half-open string range [lo, hi) holding exactly the codes that start with ``prefix``.

    Digits sort the same in every collation, so this stays an index range scan on both
    databases (a LIKE 'x%' would need a special operator class on PostgreSQL).
    """
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def subtree_q(field: str, prefix: str) -> Q:
    """Q matching rows whose area code column ``field`` lies under ``prefix``."""
    lo, hi = code_range(prefix)
    return Q(**{f"{field}__gte": lo, f"{field}__lt": hi})


class AreaQuerySet(models.QuerySet):
    def under(self, area: Area | str, include_self: bool = True) -> AreaQuerySet:
        prefix = area.prefix if isinstance(area, Area) else prefix_of(area)
        qs = self.filter(subtree_q("code", prefix))
        if not include_self:
            qs = qs.exclude(code=area.code if isinstance(area, Area) else area)
        return qs

    def visible_to(self, viewer) -> AreaQuerySet:
        # The area tree is reference data: every signed-in user may read names and codes.
        return self


class Area(models.Model):
    code = models.CharField(
        pgettext_lazy("administrative division", "code"), max_length=GRID_CODE_LENGTH, primary_key=True
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    lng = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    population = models.PositiveIntegerField(_("registered residents"), default=0)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        indexes = [models.Index(fields=["parent", "code"])]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return prefix_of(self.code, self.level)

    def is_ancestor_of(self, other: Area | str) -> bool:
        code = other.code if isinstance(other, Area) else other
        return code.startswith(self.prefix)

    def ancestors(self) -> list[Area]:
        """From the root down to the parent, in one query."""
        codes = [
            self.code[:n].ljust(CODE_LENGTH, "0")
            for n in PREFIX_LENGTH.values()
            if n < len(self.prefix) and n <= CODE_LENGTH
        ]
        return list(Area.objects.filter(code__in=codes).order_by("code"))

    def path_name(self) -> str:
        return "".join(a.name for a in self.ancestors() if a.level not in (Level.PROVINCE,)) + self.name

    def clean(self) -> None:
        level = level_of_code(self.code)
        if self.level and self.level != level:
            raise ValidationError({"level": _("The code says this is a %(level)s.") % {"level": level.label}})
        self.level = level
        if self.parent_id and not self.code.startswith(prefix_of(self.parent_id)):
            raise ValidationError(
                {"parent": _("A child's code must start with its parent's prefix.")}, code="area.parent"
            )
        if self.lat is not None and not -90 <= self.lat <= 90:
            raise ValidationError({"lat": _("Latitude must lie between -90 and 90.")})
        if self.lng is not None and not -180 <= self.lng <= 180:
            raise ValidationError({"lng": _("Longitude must lie between -180 and 180.")})

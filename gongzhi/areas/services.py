"""Writes to the area tree: loading a CSV of statistical codes (row-checked, all or nothing)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.audit.services import audit_record

from .models import CODE_LENGTH, PREFIX_LENGTH, Area, Level, level_of_code

BUNDLED = Path(__file__).resolve().parent / "data" / "areas.csv"
REQUIRED_COLUMNS = ("code", "name")


def _parent_code(code: str, level: Level, known: set[str]) -> str | None:
    """The nearest ancestor present in ``known``: codes above are the prefix padded with zeros."""
    for lvl in reversed(list(PREFIX_LENGTH)[: list(PREFIX_LENGTH).index(level)]):
        candidate = code[: PREFIX_LENGTH[lvl]].ljust(CODE_LENGTH, "0")
        if candidate in known and candidate != code:
            return candidate
    return None


@transaction.atomic
def areas_import_csv(*, source: str | Path | io.TextIOBase | None = None, actor=None) -> int:
    """Create or update areas from CSV (code,name[,lat,lng,population]); returns rows loaded.

    Every row is checked first; if any is bad, a ValidationError lists each bad row with its
    number and nothing is written. Parents are derived from the codes, and town/county/city
    populations are rolled up from the communities when the file leaves them at 0.
    """
    if source is None:
        source = BUNDLED
    handle = open(source, newline="", encoding="utf-8") if isinstance(source, (str, Path)) else source  # noqa: SIM115
    try:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValidationError(
                _("Missing columns: %(cols)s") % {"cols": ", ".join(missing)}, code="areas.columns"
            )
        rows, errors = [], []
        for n, row in enumerate(reader, start=2):
            code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
            try:
                level = level_of_code(code)
                if not name:
                    raise ValidationError(_("the name is empty"))
                lat = float(row["lat"]) if row.get("lat") else None
                lng = float(row["lng"]) if row.get("lng") else None
                if lat is not None and not (3 <= lat <= 54) or lng is not None and not (73 <= lng <= 136):
                    raise ValidationError(_("the coordinates lie outside China"))
                pop = int(row["population"]) if row.get("population") else 0
                if pop < 0:
                    raise ValidationError(_("the population is negative"))
            except (ValidationError, ValueError) as exc:
                msg = (
                    "; ".join(exc.messages)
                    if isinstance(exc, ValidationError)
                    else _("a number is malformed")
                )
                errors.append(_("Row %(row)d: %(msg)s") % {"row": n, "msg": msg})
                continue
            rows.append((code, name, level, lat, lng, pop))
    finally:
        if isinstance(source, (str, Path)):
            handle.close()
    if errors:
        raise ValidationError(errors, code="areas.rows")
    known = set(Area.objects.values_list("code", flat=True)) | {r[0] for r in rows}
    rows.sort(key=lambda r: (len(r[0]), PREFIX_LENGTH[r[2]], r[0]))
    for code, name, level, lat, lng, pop in sorted(rows, key=lambda r: PREFIX_LENGTH[r[2]]):
        Area.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level,
                "parent_id": _parent_code(code, level, known),
                "lat": lat,
                "lng": lng,
                "population": pop,
            },
        )
    _rollup_population()
    audit_record(actor=actor, action="areas.import", object_type="areas.area", changes={"rows": len(rows)})
    return len(rows)


def _rollup_population() -> None:
    """Fill a parent's population from its children wherever the parent has none of its own."""
    for level in (Level.TOWN, Level.COUNTY, Level.CITY, Level.PROVINCE):
        for area in Area.objects.filter(level=level, population=0):
            total = sum(area.children.values_list("population", flat=True))
            if total:
                Area.objects.filter(pk=area.pk).update(population=total)

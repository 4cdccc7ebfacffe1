"""Chinese (or English) messages for the CSV and parameter errors of ``gongzhi.lib.planning``.

The pure library names the row and column of the first problem in an English sentence; here those
sentences are read back into the page's language, keeping the row, the column and the value. A
sentence this table does not know is shown as the library wrote it, behind a translated lead-in,
so no error is ever lost.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _


def _col(name: str) -> str:
    return {"id": "id", "lat": "lat", "lng": "lng", "weight": "weight", "status": "status"}.get(name, name)


def _row_detail(detail: str) -> str | None:
    """The part after "row N, column 'c': "."""
    m = re.fullmatch(r"is empty", detail)
    if m:
        return _("it is empty")
    m = re.fullmatch(r"(.+) is not a (?:finite )?number", detail)
    if m:
        return _("%(value)s is not a number") % {"value": m.group(1)}
    m = re.fullmatch(r"duplicate id (.+) \(first on row (\d+)\)", detail)
    if m:
        return _("the id %(id)s appears again (first on row %(row)s)") % {"id": m.group(1), "row": m.group(2)}
    m = re.fullmatch(r"(\S+) is not a latitude \(-90 to 90\)", detail)
    if m:
        return _("%(value)s is not a latitude (-90 to 90)") % {"value": m.group(1)}
    m = re.fullmatch(r"(\S+) is not a longitude \(-180 to 180\)", detail)
    if m:
        return _("%(value)s is not a longitude (-180 to 180)") % {"value": m.group(1)}
    m = re.fullmatch(r"(\S+) must not be negative", detail)
    if m:
        return _("%(value)s must not be negative") % {"value": m.group(1)}
    m = re.fullmatch(r"(.+) is not one of candidate, keep, close \(or blank\)", detail)
    if m:
        return _("%(value)s is not one of candidate, keep, close (or blank)") % {"value": m.group(1)}
    return None


def planning_input_message(message: str) -> str:
    """A translated sentence for one ``PlanningInputError`` message."""
    m = re.fullmatch(r"(.+?): row (\d+), column '([^']+)': (.+)", message, flags=re.S)
    if m:
        name, row, col, detail = m.groups()
        translated = _row_detail(detail)
        if translated is not None:
            return _("%(file)s, row %(row)s, column “%(col)s”: %(detail)s.") % {
                "file": name,
                "row": row,
                "col": _col(col),
                "detail": translated,
            }
    m = re.fullmatch(
        r"(.+?): row (\d+), columns 'lat','lng': \((\S+), (\S+)\) is outside China(; lat and lng look swapped)?",
        message,
    )
    if m:
        name, row, lat, lng, swapped = m.groups()
        text = _("%(file)s, row %(row)s: the point (%(lat)s, %(lng)s) is outside China") % {
            "file": name,
            "row": row,
            "lat": lat,
            "lng": lng,
        }
        if swapped:
            text += _("; the latitude and longitude look swapped")
        return text + "."
    m = re.fullmatch(r"(.+?): missing column\(s\) (.+); found: (.*)", message)
    if m:
        name, missing, found = m.groups()
        return _("%(file)s is missing the column(s) %(missing)s; it has: %(found)s.") % {
            "file": name,
            "missing": missing,
            "found": found,
        }
    m = re.fullmatch(r"(.+?): the file is empty; expected a header row (.+)", message)
    if m:
        return _("%(file)s is empty; the first row must name the columns %(columns)s.") % {
            "file": m.group(1),
            "columns": m.group(2),
        }
    m = re.fullmatch(r"(.+?): has a header but no data rows", message)
    if m:
        return _("%(file)s has a header row but no data rows.") % {"file": m.group(1)}
    m = re.fullmatch(r"(.+?): cannot decode the file; save it as UTF-8 CSV", message)
    if m:
        return _("%(file)s cannot be read as text; save it from Excel as “CSV UTF-8”.") % {"file": m.group(1)}
    m = re.fullmatch(r"(.+?): row (\d+): (.+)", message)
    if m:
        return _("%(file)s, row %(row)s is not valid CSV: %(detail)s") % {
            "file": m.group(1),
            "row": m.group(2),
            "detail": m.group(3),
        }
    return _("The file cannot be used: %(detail)s") % {"detail": message}

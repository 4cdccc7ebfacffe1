"""The figures of town and city staff as a spreadsheet (officials live in Excel)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook


def figures_workbook(rows, *, level: str, year: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Volunteer figures"))
    ws.append([_("Volunteer figures"), str(year)])
    ws.append(
        [
            _("Area code"),
            _("Town / street") if level == "town" else _("Community / village"),
            _("Category"),
            _("Month"),
            _("Activities"),
            _("Person-times served"),
            _("Volunteer attendances"),
            _("Hours"),
        ]
    )
    for r in rows:
        ws.append(
            [
                r.area.code,
                r.area.name,
                r.category_label,
                r.month,
                r.activities,
                r.served,
                r.volunteer_times,
                float(r.hours),
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

"""Spreadsheets of the person registry. Only masked values ever reach a file."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook


def people_workbook(queryset) -> tuple[bytes, int]:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("People"))
    ws.append(
        [
            pgettext("person", "Name"),
            _("Area code"),
            _("Area"),
            _("Sex"),
            _("Birth date"),
            _("ID number"),
            _("Mobile"),
            _("Tags"),
        ]
    )
    count = 0
    for p in queryset.iterator(chunk_size=2000):
        ws.append(
            [
                p.name,
                p.area_id,
                p.area.name,
                p.get_sex_display(),
                p.birth_date.isoformat() if p.birth_date else "",
                p.id_number_masked,
                p.mobile_masked,
                "、".join(str(t.get_tag_display()) for t in p.tags.all()),
            ]
        )
        count += 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), count

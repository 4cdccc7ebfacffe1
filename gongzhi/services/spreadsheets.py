"""The three lists as Excel workbooks: one column layout per list, shared by export and import.

Exports carry only masked personal data (ID and phone numbers), like every other export. An
import reads the same layout back (headers may be in Chinese, English or the column keys), so a
worker can export, edit in Excel and import the additions. Cells that Excel would run as a formula
(=, +, -, @) are written as text.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import Workbook

from gongzhi.people.models import Tag

from .categories import CATEGORIES, label_of
from .models import Need, NeedSource, NeedStatus, Resource, ResourceKind, ServiceOffering, Subject, Urgency

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 5_000
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy translation
    export: Callable[[object], object]
    required: bool = False
    help: object = ""


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def _labels(codes) -> str:
    return "、".join(label_of(c) for c in codes)


NEED_COLUMNS = (
    Column("title", gettext_lazy("Need"), lambda n: n.title, True),
    Column("category", gettext_lazy("Category"), lambda n: label_of(n.category), True),
    Column("area_code", gettext_lazy("Area code"), lambda n: n.area_id, True),
    Column("area", gettext_lazy("Area"), lambda n: n.area.name),
    Column("subject", gettext_lazy("Who needs it"), lambda n: n.get_subject_display(), True),
    Column("person", pgettext_lazy("person name", "Person"), lambda n: n.person.name if n.person_id else ""),
    Column(
        "id_number",
        gettext_lazy("ID number"),
        lambda n: n.person.id_number_masked if n.person_id else "",
        help=gettext_lazy("for a person: the full ID number (exports show it masked)"),
    ),
    Column("group", gettext_lazy("Group"), lambda n: n.get_group_tag_display() if n.group_tag else ""),
    Column("beneficiaries", gettext_lazy("People concerned"), lambda n: n.beneficiaries),
    Column("urgency", gettext_lazy("Urgency"), lambda n: n.get_urgency_display()),
    Column("source", gettext_lazy("Source"), lambda n: n.get_source_display()),
    Column("status", gettext_lazy("Status"), lambda n: n.get_status_display()),
    Column("frequency", gettext_lazy("How often"), lambda n: n.frequency),
    Column("description", gettext_lazy("Details"), lambda n: n.description),
)

RESOURCE_COLUMNS = (
    Column("name", gettext_lazy("Name"), lambda r: r.name, True),
    Column("kind", gettext_lazy("Kind"), lambda r: r.get_kind_display(), True),
    Column(
        "uscc",
        gettext_lazy("Unified social credit code"),
        lambda r: r.organisation.uscc if r.organisation_id else "",
        help=gettext_lazy("organisations and merchants: their code in the directory"),
    ),
    Column(
        "organisation",
        gettext_lazy("Organisation"),
        lambda r: r.organisation.name if r.organisation_id else "",
    ),
    Column(
        "mobile",
        gettext_lazy("Volunteer's mobile"),
        lambda r: r.user.mobile_masked if r.user_id else "",
        help=gettext_lazy("volunteers: the mobile number of their account (exports show it masked)"),
    ),
    Column("categories", gettext_lazy("Categories"), lambda r: _labels(r.categories)),
    Column("skills", gettext_lazy("Skills"), lambda r: "、".join(r.skills)),
    Column("area_code", gettext_lazy("Service area code"), lambda r: r.area_id, True),
    Column("area", gettext_lazy("Service area"), lambda r: r.area.name),
    Column("capacity", gettext_lazy("Orders at once"), lambda r: r.capacity),
    Column("availability", gettext_lazy("Availability"), lambda r: r.availability),
    Column("is_available", gettext_lazy("Taking orders"), lambda r: _yes(r.is_available)),
    Column("contact_name", gettext_lazy("Contact person"), lambda r: r.contact_name),
    Column("contact_phone", gettext_lazy("Contact phone"), lambda r: r.contact_phone_masked),
    Column("address", gettext_lazy("Address"), lambda r: r.address),
    Column("lat", gettext_lazy("Latitude"), lambda r: r.lat if r.lat is not None else ""),
    Column("lng", gettext_lazy("Longitude"), lambda r: r.lng if r.lng is not None else ""),
)

OFFERING_COLUMNS = (
    Column("title", gettext_lazy("Service"), lambda o: o.title, True),
    Column("category", gettext_lazy("Category"), lambda o: label_of(o.category), True),
    Column(
        "provider_id",
        gettext_lazy("Provider number"),
        lambda o: o.provider_id,
        True,
        help=gettext_lazy("the number of the provider in the resource list"),
    ),
    Column("provider", gettext_lazy("Provider"), lambda o: o.provider.name),
    Column("area_code", gettext_lazy("Area served (code)"), lambda o: o.area_id, True),
    Column("area", gettext_lazy("Area served"), lambda o: o.area.name),
    Column("capacity", gettext_lazy("Orders at once"), lambda o: o.capacity),
    Column("is_free", gettext_lazy("Free of charge"), lambda o: _yes(o.is_free)),
    Column("price", gettext_lazy("Price"), lambda o: o.price),
    Column("schedule", pgettext_lazy("service schedule", "When"), lambda o: o.schedule),
    Column("is_active", gettext_lazy("Listed"), lambda o: _yes(o.is_active)),
    Column("description", gettext_lazy("Details"), lambda o: o.description),
)

LISTS = {
    "needs": (Need, NEED_COLUMNS, gettext_lazy("Needs list")),
    "resources": (Resource, RESOURCE_COLUMNS, gettext_lazy("Resource list")),
    "offerings": (ServiceOffering, OFFERING_COLUMNS, gettext_lazy("Service list")),
}


def _safe(value):
    # Excel runs a cell starting with these as a formula (CSV/formula injection): keep it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def workbook(list_name: str, rows) -> tuple[bytes, int]:
    _model, columns, title = LISTS[list_name]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(title)[:31])
    ws.append([str(c.label) for c in columns])
    count = 0
    for obj in rows:
        ws.append([_safe(c.export(obj)) for c in columns])
        count += 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), count


# --- reading values back: labels in either language, or the stored codes ------------------------


def _lookup(choices, value: str):
    """A choice's code from its code or its label in Chinese or English; unknown text comes back
    as it is, for the row check to refuse beside its column."""
    text = str(value).strip()
    if text == "":
        return None
    for code, label in choices:
        if text == str(code):
            return code
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                if text == str(label):
                    return code
    return text


def category_code(value: str) -> str | None:
    return _lookup([(c.code, c.label) for c in CATEGORIES], value)


def category_codes(value: str) -> list[str]:
    parts = [
        p
        for p in str(value or "").replace(",", "、").replace("，", "、").replace(";", "、").split("、")
        if p.strip()
    ]
    return [category_code(p) for p in parts]


CHOICES = {
    "subject": Subject.choices,
    "group": Tag.choices,
    "urgency": Urgency.choices,
    "source": NeedSource.choices,
    "status": NeedStatus.choices,
    "kind": ResourceKind.choices,
}


def choice(name: str, value):
    return _lookup(CHOICES[name], value)


def yes_no(value) -> bool | None:
    text = str(value if value is not None else "").strip().lower()
    if text == "":
        return None
    if text in ("是", "yes", "y", "true", "1", "免费", "在接单"):
        return True
    if text in ("否", "no", "n", "false", "0", "收费"):
        return False
    raise ValueError(text)


def header_map(list_name: str, header: list) -> dict[str, int]:
    """Column key → index, matching headers in Chinese, English or by key; unknown headers ignored."""
    _model, columns, _title = LISTS[list_name]
    names: dict[str, str] = {}
    for c in columns:
        names[c.key] = c.key
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                names[str(c.label)] = c.key
    out = {}
    for i, cell in enumerate(header):
        key = names.get(str(cell or "").strip())
        if key and key not in out:
            out[key] = i
    return out

"""Excel files officials and merchants live in (openpyxl): statements and ledger extracts.

People's names leave the system masked (张*), like every other export.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from gongzhi.lib import idcodes

from .models import Account, AccountKind, Transfer, TransferKind
from .services.redemption import Statement

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def party_name(account: Account) -> str:
    """An account as it may appear outside the system: people masked, the rest by name."""
    if account.kind == AccountKind.PERSON:
        return idcodes.mask_name(account.name)
    return account.name


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M:%S")


def _sheet(wb: Workbook, title: str, heading: list[str], header: list[str], rows: Iterable[list]):
    ws = wb.active
    ws.title = title[:31]
    for line in heading:
        ws.append([line])
    ws.append([])
    ws.append(header)
    head_row = ws.max_row
    for cell in ws[head_row]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    widths = [max(len(str(c.value or "")) for c in column) for column in ws.iter_cols(min_row=head_row)]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(10, width * 1.6), 48)
    ws.freeze_panes = ws.cell(row=head_row + 1, column=1)
    ws["A1"].font = Font(bold=True, size=13)
    return ws


def statement_workbook(statement: Statement) -> bytes:
    """A merchant's monthly statement: every payment and refund, totals, and the settlement."""
    org = statement.merchant.organisation
    kinds = {TransferKind.PAYMENT: _("Payment"), TransferKind.REVERSAL: _("Refund")}
    rows = [
        [
            t.number,
            _local(t.created_at),
            str(kinds.get(t.kind, t.kind)),
            party_name(t.debit if t.kind == TransferKind.PAYMENT else t.credit),
            t.amount if t.kind == TransferKind.PAYMENT else -t.amount,
            t.memo,
        ]
        for t in statement.rows
    ]
    if statement.settlement:
        settled = _("Settled on %(day)s: %(points)d points (transfer %(number)s)") % {
            "day": timezone.localtime(statement.settlement.created_at).strftime("%Y-%m-%d"),
            "points": statement.settlement.points,
            "number": statement.settlement.transfer.number if statement.settlement.transfer else "",
        }
    elif statement.closed:
        settled = _("Not yet settled")
    else:
        settled = _("The month is still running")
    heading = [
        _("Points statement of %(name)s for %(period)s") % {"name": org.name, "period": statement.period},
        _("Unified social credit code: %(uscc)s    Area: %(area)s")
        % {"uscc": org.uscc or "—", "area": statement.merchant.area.name},
        _("Received: %(received)d    Refunded: %(refunded)d    Net: %(net)d")
        % {"received": statement.received, "refunded": statement.refunded, "net": statement.net},
        settled,
        _("Generated %(at)s") % {"at": _local(timezone.now())},
    ]
    wb = Workbook()
    ws = _sheet(
        wb,
        statement.period,
        heading,
        [_("Receipt"), _("Time"), _("Kind"), _("Resident"), _("Points"), _("Memo")],
        rows,
    )
    ws.append([])
    ws.append(["", "", "", _("Net"), statement.net])
    ws.cell(row=ws.max_row, column=4).font = Font(bold=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def transfers_workbook(transfers: Iterable[Transfer], *, title: str, scope: str) -> bytes:
    """A ledger extract: one row per transfer, both sides named (people masked)."""
    kinds = dict(TransferKind.choices)
    rows = (
        [
            t.number,
            _local(t.created_at),
            str(kinds.get(t.kind, t.kind)),
            t.debit.number,
            party_name(t.debit),
            t.credit.number,
            party_name(t.credit),
            t.amount,
            t.rule_code,
            f"{t.source_type}:{t.source_id}",
            t.reverses.number if t.reverses_id else "",
            t.memo,
        ]
        for t in transfers
    )
    wb = Workbook()
    _sheet(
        wb,
        _("Transfers"),
        [title, scope, _("Generated %(at)s") % {"at": _local(timezone.now())}],
        [
            _("Transfer"),
            _("Time"),
            _("Kind"),
            _("From account"),
            pgettext("transfer", "From"),
            _("To account"),
            pgettext("transfer", "To"),
            _("Points"),
            _("Earning rule"),
            _("Cause"),
            _("Reverses"),
            _("Memo"),
        ],
        rows,
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

"""The merchant's terminal (a phone at the till): take points by pay code, receipts, refunds,
the printed merchant code, and the monthly statements."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import client_ip
from gongzhi.core.forms import add_service_errors, form_status, submitted

from .. import exports, selectors
from ..forms import CollectForm, PeriodForm, RefundForm
from ..qr import qr_svg
from ..services import redemption


def _receipt_rows(merchant) -> list[dict]:
    return [
        {
            "t": t,
            "payer": exports.party_name(t.debit if t.kind == "payment" else t.credit),
            "refunded": selectors.is_reversed(t),
        }
        for t in selectors.terminal_receipts(merchant=merchant)
    ]


@login_required
def terminal_index_view(request):
    merchants = redemption.merchants_operated_by(request.user)
    if len(merchants) == 1:
        return redirect("points:terminal_merchant", merchant_id=merchants[0].pk)
    return render(
        request, "points/terminal_choose.html", {"merchants": merchants}, status=200 if merchants else 403
    )


@login_required
def terminal_view(request, merchant_id: int):
    merchant = selectors.merchant_for_operator(viewer=request.user, pk=merchant_id)
    form = CollectForm(request.POST or None)
    done = submitted(
        request,
        form,
        lambda d: redemption.pay_code_collect(
            merchant=merchant,
            code=d["code"],
            amount=d["amount"],
            operator=request.user,
            ip=client_ip(request),
        ),
    )
    if done:
        return redirect("points:receipt", transfer_id=done.result.pk)
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return render(
        request,
        "points/terminal.html",
        {
            "merchant": merchant,
            "form": form,
            "rows": _receipt_rows(merchant),
            "today": redemption.merchant_takings(merchant, today),
            "balance": redemption.merchant_account(merchant).balance,
        },
        status=form_status(form),
    )


@login_required
def terminal_receipts_view(request, merchant_id: int):
    """The till's latest receipts (an htmx/script fragment, refreshed every few seconds)."""
    merchant = selectors.merchant_for_operator(viewer=request.user, pk=merchant_id)
    return render(
        request, "points/_terminal_receipts.html", {"merchant": merchant, "rows": _receipt_rows(merchant)}
    )


@login_required
def terminal_code_view(request, merchant_id: int):
    """The merchant's own code, to print and put by the till: residents scan it to pay."""
    merchant = selectors.merchant_for_operator(viewer=request.user, pk=merchant_id)
    url = request.build_absolute_uri(reverse("points:pay", args=[redemption.merchant_code_token(merchant)]))
    return render(
        request, "points/terminal_code.html", {"merchant": merchant, "qr": qr_svg(url, scale=6), "url": url}
    )


@login_required
@require_POST
def terminal_code_reissue_view(request, merchant_id: int):
    merchant = selectors.merchant_for_operator(viewer=request.user, pk=merchant_id)
    redemption.merchant_code_reissue(merchant=merchant, actor=request.user, ip=client_ip(request))
    messages.success(request, _("A new code was issued; the old printed code no longer works."))
    return redirect("points:terminal_code", merchant_id=merchant.pk)


@login_required
def terminal_refund_view(request, merchant_id: int, transfer_id: int):
    merchant = selectors.merchant_for_operator(viewer=request.user, pk=merchant_id)
    transfer = selectors.receipt_get(viewer=request.user, pk=transfer_id)
    if redemption.merchant_of_transfer(transfer) != merchant:
        raise PermissionDenied
    form = RefundForm(request.POST or None)
    done = submitted(
        request,
        form,
        lambda d: redemption.payment_refund(
            transfer=transfer, operator=request.user, reason=d["reason"], ip=client_ip(request)
        ),
    )
    if done:
        return redirect("points:receipt", transfer_id=done.result.pk)
    return render(
        request,
        "points/terminal_refund.html",
        {"merchant": merchant, "t": transfer, "form": form, "payer": exports.party_name(transfer.debit)},
        status=form_status(form),
    )


def statement_merchant(request, merchant_id: int):
    """Its operators, or staff of its area, may read a merchant's statements."""
    for merchant in redemption.merchants_operated_by(request.user):
        if merchant.pk == merchant_id:
            return merchant
    return selectors.merchant_get(viewer=request.user, pk=merchant_id)


@login_required
def statement_xlsx_view(request, merchant_id: int):
    merchant = statement_merchant(request, merchant_id)
    form = PeriodForm(request.GET or None)
    if not form.is_valid():
        return render(
            request, "points/statement_error.html", {"form": form, "merchant": merchant}, status=400
        )
    try:
        statement = redemption.merchant_statement(merchant=merchant, period=form.cleaned_data["period"])
    except ValidationError as exc:
        add_service_errors(form, exc)
        return render(
            request, "points/statement_error.html", {"form": form, "merchant": merchant}, status=400
        )
    response = HttpResponse(exports.statement_workbook(statement), content_type=exports.XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="points-statement-{merchant.pk}-{statement.period}.xlsx"'
    )
    return response


@login_required
def terminal_statement_view(request, merchant_id: int):
    merchant = selectors.merchant_for_operator(viewer=request.user, pk=merchant_id)
    period = request.GET.get("period") or timezone.localdate().strftime("%Y-%m")
    form = PeriodForm({"period": period})
    statement = None
    if form.is_valid():
        try:
            statement = redemption.merchant_statement(merchant=merchant, period=form.cleaned_data["period"])
        except ValidationError as exc:
            add_service_errors(form, exc)
    rows = (
        [
            {"t": t, "resident": exports.party_name(t.debit if t.kind == "payment" else t.credit)}
            for t in statement.rows
        ]
        if statement
        else []
    )
    return render(
        request,
        "points/terminal_statement.html",
        {
            "merchant": merchant,
            "form": form,
            "statement": statement,
            "rows": rows,
            "settlements": selectors.settlements_of(merchant=merchant),
        },
        status=200 if statement else 400,
    )

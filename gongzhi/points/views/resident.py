"""A resident's phone pages: my points, the pay code, paying a merchant, the shop, how to earn."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.core.errors import client_ip
from gongzhi.core.forms import form_status, submitted

from .. import exports, selectors
from ..forms import CancelForm, OrderForm, PayForm, RankingForm
from ..models import AccountKind
from ..qr import qr_svg
from ..services import expiry, honour, ledger, redemption, shop


def history_rows(account, transfers) -> list[dict]:
    """Each transfer as the holder sees it: signed points and who was on the other side."""
    rows = []
    for t in transfers:
        incoming = t.credit_id == account.pk
        other = t.debit if incoming else t.credit
        rows.append(
            {
                "transfer": t,
                "points": t.amount if incoming else -t.amount,
                "other": _("Points programme")
                if other.kind == AccountKind.ISSUANCE
                else exports.party_name(other),
            }
        )
    return rows


@login_required
def me_view(request):
    account = selectors.my_account(viewer=request.user)
    page = Paginator(selectors.my_transfers(viewer=request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "points/me.html",
        {
            "account": account,
            "page": page,
            "rows": history_rows(account, page) if account else [],
            "forecast": expiry.expiry_forecast(account) if account else None,
            "ranking_form": RankingForm(
                initial={
                    "show": bool(account and account.in_ranking),
                    "name": account.ranking_name if account else "",
                }
            ),
            "operates": redemption.merchants_operated_by(request.user),
            "collectives": redemption.organisation_accounts_of(request.user),
        },
    )


@login_required
@require_POST
def ranking_choose_view(request):
    form = RankingForm(request.POST)
    if form.is_valid():
        try:
            honour.ranking_choose(
                user=request.user,
                show=form.cleaned_data["show"],
                name=form.cleaned_data["name"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("You are shown in your area's ranking.")
                if form.cleaned_data["show"]
                else _("You are no longer shown in the ranking."),
            )
    return redirect("points:me")


@never_cache
@login_required
def paycode_view(request):
    """The pay code page: refreshed by paycode.js every ~50 s; a button does it without script."""
    try:
        pc = redemption.pay_code_issue(user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("points:me")
    account = selectors.my_account(viewer=request.user)
    return render(
        request,
        "points/paycode.html",
        {
            "pay_code": pc,
            "qr": qr_svg(pc.code),
            "grouped": " ".join(pc.code[i : i + 4] for i in range(0, len(pc.code), 4)),
            "account": account,
            "seconds": max(0, int((pc.expires_at - timezone.now()).total_seconds())),
        },
    )


@never_cache
@login_required
@require_POST
def paycode_new_view(request):
    pc = redemption.pay_code_issue(user=request.user)
    return JsonResponse(
        {
            "code": pc.code,
            "grouped": " ".join(pc.code[i : i + 4] for i in range(0, len(pc.code), 4)),
            "qr": qr_svg(pc.code),
            "seconds": max(0, int((pc.expires_at - timezone.now()).total_seconds())),
            "state_url": reverse("points:paycode_state", args=[pc.code]),
        }
    )


@never_cache
@login_required
def paycode_state_view(request, code: str):
    state = redemption.pay_code_state(user=request.user, code=code)
    body = {"state": state.state, "seconds_left": state.seconds_left}
    if state.transfer_id:
        body["receipt_url"] = reverse("points:receipt", args=[state.transfer_id])
    return JsonResponse(body)


@login_required
def pay_view(request, token: str):
    """After scanning a merchant's printed code: confirm the amount, pay, see the receipt."""
    try:
        merchant = redemption.merchant_from_token(token)
    except ValidationError as exc:
        return render(request, "points/pay.html", {"error": " ".join(exc.messages)}, status=404)
    account = selectors.my_account(viewer=request.user)
    collectives = redemption.organisation_accounts_of(request.user)
    form = PayForm(request.POST or None, organisations=collectives)
    done = submitted(
        request,
        form,
        lambda d: redemption.merchant_pay(
            payer=request.user,
            merchant=merchant,
            amount=d["amount"],
            key=d["key"],
            organisation=next(
                (a.organisation for a in collectives if str(a.organisation_id) == d.get("payer")), None
            ),
            ip=client_ip(request),
        ),
    )
    if done:
        return redirect("points:receipt", transfer_id=done.result.pk)
    return render(
        request,
        "points/pay.html",
        {"merchant": merchant, "form": form, "account": account},
        status=form_status(form),
    )


@login_required
def receipt_view(request, transfer_id: int):
    transfer = selectors.receipt_get(viewer=request.user, pk=transfer_id)
    merchant = (
        redemption.merchant_of_transfer(transfer.reverses or transfer)
        if transfer.kind in ("payment", "reversal")
        else None
    )
    operator = merchant is not None and redemption.is_operator(request.user, merchant)
    return render(
        request,
        "points/receipt.html",
        {
            "t": transfer,
            "payer": exports.party_name(transfer.debit),
            "payee": exports.party_name(transfer.credit),
            "merchant": merchant,
            "operator": operator,
            "refunded": selectors.is_reversed(transfer),
        },
    )


@login_required
def earn_view(request):
    account = selectors.my_account(viewer=request.user)
    home = account.area_id if account else ledger.home_area_code(request.user)
    return render(
        request,
        "points/earn.html",
        {
            "rules": selectors.rules_applicable(area_code=home) if home else [],
            "merchants": selectors.merchants_near(account=account) if account else [],
        },
    )


@login_required
def shop_view(request):
    return render(
        request,
        "points/shop.html",
        {
            "items": selectors.shop_items_for(viewer=request.user),
            "account": selectors.my_account(viewer=request.user),
            "form": OrderForm(),
        },
    )


@login_required
def shop_order_view(request, item_id: int):
    item = selectors.shop_item_public_get(viewer=request.user, pk=item_id)
    form = OrderForm(request.POST or None)
    done = submitted(
        request,
        form,
        lambda d: shop.shop_order_place(
            item=item, buyer=request.user, quantity=d["quantity"], key=d["key"], ip=client_ip(request)
        ),
    )
    if done:
        messages.success(
            request,
            _("Order %(number)s placed: collect it at %(where)s.")
            % {"number": done.result.number, "where": item.pickup or item.area.name},
        )
        return redirect("points:my_orders")
    return render(
        request,
        "points/shop_order.html",
        {"item": item, "form": form, "account": selectors.my_account(viewer=request.user)},
        status=form_status(form),
    )


@login_required
def my_orders_view(request):
    return render(
        request,
        "points/my_orders.html",
        {"orders": selectors.my_orders(viewer=request.user)[:100], "cancel_form": CancelForm()},
    )


@login_required
@require_POST
def my_order_cancel_view(request, order_id: int):
    order = selectors.my_order_get(viewer=request.user, pk=order_id)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        shop.shop_order_cancel(order=order, actor=request.user, reason=reason, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Order %(number)s cancelled; the points are back.") % {"number": order.number}
        )
    return redirect("points:my_orders")

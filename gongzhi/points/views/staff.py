"""Workbench pages for staff: the ledger of their area, rules, budgets, awards, merchants and
settlements, the points shop, year-end expiry. Everything read through scoped selectors."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.areas.models import Level
from gongzhi.areas.selectors import areas_for_permission
from gongzhi.core.errors import client_ip
from gongzhi.core.forms import add_service_errors, form_status, submitted
from gongzhi.core.records import facts_for

from .. import exports, selectors
from ..forms import (
    AwardForm,
    BudgetEditForm,
    BudgetForm,
    CancelForm,
    EnrolForm,
    LedgerFilterForm,
    MerchantStatusForm,
    PeriodForm,
    RestockForm,
    ReverseForm,
    RuleForm,
    ShopItemForm,
)
from ..models import AwardStatus, MerchantStatus, OrderStatus
from ..services import earning, expiry, ledger, redemption, shop

ALL_LEVELS = (Level.CITY, Level.COUNTY, Level.TOWN, Level.VILLAGE)


def _tabs(request) -> list[tuple[str, str, str]]:
    """The points section's own tabs, those the user may open."""
    access = request.user.access
    tabs = [
        ("points:ledger", _("Ledger"), "points.view_ledger"),
        ("points:awards", _("Awards"), "points.view_ledger"),
        ("points:rules", _("Earning rules"), "points.manage_rules"),
        ("points:budgets", _("Budgets"), "points.view_ledger"),
        ("points:merchants", _("Caring merchants"), "points.view_ledger"),
        ("points:shop_manage", _("Points shop"), "points.manage_shop"),
        ("points:nominations", _("Honour roll"), "points.review_nominations"),
        ("points:expiry", _("Expiry"), "points.run_expiry"),
    ]
    return [(name, label, "") for name, label, perm in tabs if access.has(perm)]


def _render(request, template: str, context: dict, status: int = 200):
    context.setdefault("tabs", _tabs(request))
    return render(request, template, context, status=status)


# --- the ledger ---------------------------------------------------------------------------------


@login_required
def ledger_view(request):
    request.user.access.require("points.view_ledger")
    form = LedgerFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    transfers = selectors.transfer_list(
        viewer=request.user, kind=d.get("kind", ""), since=d.get("since"), until=d.get("until")
    )
    accounts = selectors.account_list(viewer=request.user, kind=d.get("account_kind", ""), q=d.get("q", ""))
    return _render(
        request,
        "points/ledger.html",
        {
            "form": form,
            "transfers": Paginator(transfers, 30).get_page(request.GET.get("page")),
            "accounts": accounts[:30],
            "can_export": request.user.access.has("points.export"),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def ledger_export_view(request):
    request.user.access.require("points.export")
    form = LedgerFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    until = d.get("until") or timezone.localdate()
    since = d.get("since") or until - timedelta(days=31)
    qs = selectors.transfer_list(
        viewer=request.user, kind=d.get("kind", ""), since=since, until=until
    ).select_related("reverses")
    scope = _("%(who)s, %(since)s to %(until)s") % {"who": request.user.name, "since": since, "until": until}
    response = HttpResponse(
        exports.transfers_workbook(qs[:100_000], title=_("Points transfers"), scope=scope),
        content_type=exports.XLSX,
    )
    response["Content-Disposition"] = (
        f'attachment; filename="points-transfers-{since:%Y%m%d}-{until:%Y%m%d}.xlsx"'
    )
    return response


@login_required
def account_view(request, account_id: int):
    account = selectors.account_get(viewer=request.user, pk=account_id)
    page = Paginator(selectors.transfer_list(viewer=request.user, account_id=account.pk), 30).get_page(
        request.GET.get("page")
    )
    from .resident import history_rows

    return _render(
        request,
        "points/account.html",
        {"account": account, "page": page, "rows": history_rows(account, page)},
    )


@login_required
def transfer_view(request, transfer_id: int):
    transfer = selectors.transfer_get(viewer=request.user, pk=transfer_id)
    form = ReverseForm(request.POST or None)
    done = submitted(
        request,
        form,
        lambda d: ledger.transfer_reverse(
            transfer=transfer, actor=request.user, reason=d["reason"], ip=client_ip(request)
        ),
    )
    if done:
        messages.success(request, _("Reversed by transfer %(number)s.") % {"number": done.result.number})
        return redirect("points:transfer", transfer_id=done.result.pk)
    return _render(
        request,
        "points/transfer.html",
        {
            "t": transfer,
            "form": form,
            "reversal": selectors.reversal_of(transfer),
            "can_reverse": request.user.access.can("points.reverse", transfer.area_id)
            and transfer.kind in ledger.REVERSIBLE,
        },
        form_status(form),
    )


# --- rules and budgets --------------------------------------------------------------------------


@login_required
def rule_list_view(request):
    request.user.access.require("points.manage_rules")
    return _render(request, "points/rules.html", {"rules": selectors.rule_list(viewer=request.user)})


def _rule_form(request, rule=None):
    areas = areas_for_permission(viewer=request.user, permission="points.manage_rules", levels=ALL_LEVELS)
    area = rule.area if rule else None
    budgets = selectors.budgets_for_rules(viewer=request.user, area=area)
    initial = (
        {
            "code": rule.code,
            "name": rule.name,
            "description": rule.description,
            "area": rule.area_id,
            "points": rule.points,
            "unit": rule.unit,
            "daily_cap": rule.daily_cap or "",
            "monthly_cap": rule.monthly_cap or "",
            "budget": rule.budget_id,
            "active": rule.active,
        }
        if rule
        else {"active": True}
    )
    return RuleForm(
        request.POST or None, areas=areas, budgets=budgets, editing=rule is not None, initial=initial
    )


def _rule_input(d: dict, code: str = "") -> earning.RuleInput:
    return earning.RuleInput(
        code=code or d["code"],
        name=d["name"],
        points=d["points"],
        budget=d["budget"],
        unit=d["unit"],
        daily_cap=d["daily_cap"] or None,
        monthly_cap=d["monthly_cap"] or None,
        description=d["description"],
        active=d["active"],
    )


@login_required
def rule_create_view(request):
    request.user.access.require("points.manage_rules")
    form = _rule_form(request)
    done = submitted(
        request,
        form,
        lambda d: earning.rule_create(
            data=_rule_input(d), area=d["area"], actor=request.user, ip=client_ip(request)
        ),
    )
    if done:
        messages.success(request, _("Rule %(code)s added.") % {"code": done.result.code})
        return redirect("points:rules")
    return _render(
        request, "points/form.html", {"form": form, "title": _("New earning rule")}, form_status(form)
    )


@login_required
def rule_edit_view(request, rule_id: int):
    rule = selectors.rule_get(viewer=request.user, pk=rule_id)
    form = _rule_form(request, rule)
    if submitted(
        request,
        form,
        lambda d: earning.rule_update(
            rule=rule, data=_rule_input(d, rule.code), actor=request.user, ip=client_ip(request)
        ),
    ):
        messages.success(request, _("Rule %(code)s saved.") % {"code": rule.code})
        return redirect("points:rules")
    return _render(
        request,
        "points/form.html",
        {"form": form, "title": _("Earning rule %(code)s") % {"code": rule.code}},
        form_status(form),
    )


@login_required
def budget_list_view(request):
    request.user.access.require("points.view_ledger")
    budgets = [(b, earning.budget_use(b)) for b in selectors.budget_list(viewer=request.user)]
    return _render(
        request,
        "points/budgets.html",
        {"budgets": budgets, "can_manage": request.user.access.has("points.manage_budgets")},
    )


@login_required
def budget_create_view(request):
    request.user.access.require("points.manage_budgets")
    areas = areas_for_permission(viewer=request.user, permission="points.manage_budgets", levels=ALL_LEVELS)
    form = BudgetForm(
        request.POST or None, areas=areas, initial={"shard_count": 8, "valid_from": timezone.localdate()}
    )
    done = submitted(
        request,
        form,
        lambda d: earning.budget_create(
            name=d["name"],
            area=d["area"],
            ceiling=d["ceiling"],
            shard_count=d["shard_count"],
            valid_from=d["valid_from"],
            valid_until=d["valid_until"],
            note=d["note"],
            actor=request.user,
            ip=client_ip(request),
        ),
    )
    if done:
        messages.success(request, _("Budget %(name)s opened.") % {"name": done.result.name})
        return redirect("points:budgets")
    return _render(
        request, "points/form.html", {"form": form, "title": _("New issuing budget")}, form_status(form)
    )


@login_required
def budget_edit_view(request, budget_id: int):
    budget = selectors.budget_get(viewer=request.user, pk=budget_id)
    can_manage = request.user.access.can("points.manage_budgets", budget.area_id)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = BudgetEditForm(
        request.POST or None,
        initial={
            "name": budget.name,
            "ceiling": budget.ceiling,
            "valid_until": budget.valid_until,
            "active": budget.active,
            "note": budget.note,
        },
    )
    if submitted(
        request,
        form,
        lambda d: earning.budget_update(
            budget=budget,
            actor=request.user,
            name=d["name"],
            ceiling=d["ceiling"],
            active=d["active"],
            valid_until=d["valid_until"],
            note=d["note"],
            ip=client_ip(request),
        ),
    ):
        messages.success(request, _("Budget %(name)s saved.") % {"name": budget.name})
        return redirect("points:budgets")
    return _render(
        request,
        "points/budget.html",
        {
            "budget": budget,
            "use": earning.budget_use(budget),
            "shards": selectors.budget_shards(budget=budget),
            "form": form,
            "can_manage": can_manage,
        },
        form_status(form),
    )


# --- awards -------------------------------------------------------------------------------------


@login_required
def award_list_view(request):
    request.user.access.require("points.view_ledger")
    status = request.GET.get("status", "")
    status = status if status in AwardStatus.values else ""
    page = Paginator(selectors.award_list(viewer=request.user, status=status), 30).get_page(
        request.GET.get("page")
    )
    return _render(
        request,
        "points/awards.html",
        {
            "page": page,
            "status": status,
            "statuses": AwardStatus.choices,
            "can_award": request.user.access.has("points.award"),
        },
    )


@login_required
def award_create_view(request):
    request.user.access.require("points.award")
    form = AwardForm(
        request.POST or None,
        rules=selectors.rules_for_awarding(viewer=request.user),
        organisations=selectors.collectives_for_awarding(viewer=request.user),
    )

    def award(d):
        person = selectors.user_by_mobile(d["mobile"]) if d["mobile"] else None
        if d["mobile"] and person is None:
            raise ValidationError({"mobile": [_("No account has this mobile number.")]})
        outcome = earning.award_manual(
            rule=d["rule"],
            beneficiary=person,
            organisation=d["organisation"],
            quantity=d["quantity"],
            note=d["note"],
            key=d["key"],
            actor=request.user,
            ip=client_ip(request),
        )
        return outcome, person.name if person else d["organisation"].name

    done = submitted(request, form, award)
    if done:
        outcome, name = done.result
        if outcome.points:
            messages.success(
                request,
                _("%(points)d points awarded to %(name)s.") % {"points": outcome.points, "name": name},
            )
        else:
            messages.error(
                request,
                _("Nothing was paid: %(reason)s.")
                % {"reason": outcome.award.get_status_display() if outcome.award else outcome.reason},
            )
        return redirect("points:awards")
    return _render(
        request, "points/form.html", {"form": form, "title": _("Award points by hand")}, form_status(form)
    )


@login_required
@require_POST
def award_retry_view(request, award_id: int):
    award = selectors.award_get(viewer=request.user, pk=award_id)
    try:
        outcome = earning.award_retry(award=award, actor=request.user, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if outcome.points:
            messages.success(request, _("%(points)d points paid.") % {"points": outcome.points})
        else:
            messages.error(request, _("Still not paid: the budget is used up or closed."))
    return redirect("points:awards")


# --- merchants and settlements ------------------------------------------------------------------


@login_required
def merchant_list_view(request):
    request.user.access.require("points.view_ledger")
    can_enrol = request.user.access.has("points.manage_merchants")
    form = (
        EnrolForm(request.POST or None, organisations=selectors.merchants_enrolable(viewer=request.user))
        if can_enrol
        else None
    )
    done = form is not None and submitted(
        request,
        form,
        lambda d: redemption.merchant_enrol(
            organisation=d["organisation"], actor=request.user, note=d["note"], ip=client_ip(request)
        ),
    )
    if done:
        messages.success(
            request, _("%(name)s has joined the points scheme.") % {"name": done.result.organisation.name}
        )
        return redirect("points:merchants")
    q = (request.GET.get("q") or "")[:50]
    page = Paginator(selectors.merchant_list(viewer=request.user, q=q), 30).get_page(request.GET.get("page"))
    return _render(
        request,
        "points/merchants.html",
        {"page": page, "form": form, "q": q},
        form_status(form),
    )


@login_required
def merchant_view(request, merchant_id: int):
    merchant = selectors.merchant_get(viewer=request.user, pk=merchant_id)
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    period = (request.GET.get("period") or last_month)[:7]
    form = PeriodForm({"period": period})
    statement = None
    if form.is_valid():
        try:
            statement = redemption.merchant_statement(merchant=merchant, period=form.cleaned_data["period"])
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _render(
        request,
        "points/merchant.html",
        {
            "merchant": merchant,
            "balance": redemption.merchant_account(merchant).balance,
            "form": form,
            "statement": statement,
            "rows": [
                {"t": t, "resident": exports.party_name(t.debit if t.kind == "payment" else t.credit)}
                for t in statement.rows
            ]
            if statement
            else [],
            "settlements": selectors.settlements_of(merchant=merchant),
            "status_form": MerchantStatusForm(),
            "can_manage": request.user.access.can("points.manage_merchants", merchant.area_id),
            "can_settle": request.user.access.can("points.settle", merchant.area_id),
            "operators": selectors.operators_of(merchant=merchant),
            # Facts other apps keep about the merchant (consumer complaints: its civility record).
            "record": facts_for("points.merchant", merchant, viewer=request.user),
        },
        200 if statement else 400,
    )


@login_required
@require_POST
def merchant_status_view(request, merchant_id: int):
    merchant = selectors.merchant_get(viewer=request.user, pk=merchant_id)
    form = MerchantStatusForm(request.POST)
    status = MerchantStatus.SUSPENDED if merchant.is_active else MerchantStatus.ACTIVE
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        redemption.merchant_set_status(
            merchant=merchant, status=status, note=note, actor=request.user, ip=client_ip(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s: %(status)s.")
            % {"name": merchant.organisation.name, "status": MerchantStatus(status).label},
        )
    return redirect("points:merchant", merchant_id=merchant.pk)


@login_required
@require_POST
def merchant_settle_view(request, merchant_id: int):
    merchant = selectors.merchant_get(viewer=request.user, pk=merchant_id)
    form = PeriodForm(request.POST)
    period = form.cleaned_data["period"] if form.is_valid() else ""
    try:
        settlement = redemption.settlement_create(
            merchant=merchant, period=period, actor=request.user, ip=client_ip(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(period)s settled: %(points)d points.")
            % {"period": settlement.period, "points": settlement.points},
        )
    return redirect(f"{reverse('points:merchant', args=[merchant.pk])}?period={period}")


# --- the points shop ----------------------------------------------------------------------------


def _shop_areas(request):
    return areas_for_permission(viewer=request.user, permission="points.manage_shop", levels=ALL_LEVELS)


@login_required
def shop_manage_view(request):
    request.user.access.require("points.manage_shop")
    status = request.GET.get("status", OrderStatus.PLACED)
    status = status if status in OrderStatus.values else OrderStatus.PLACED
    return _render(
        request,
        "points/shop_manage.html",
        {
            "items": selectors.shop_item_list(viewer=request.user)[:200],
            "orders": Paginator(selectors.shop_order_list(viewer=request.user, status=status), 30).get_page(
                request.GET.get("page")
            ),
            "status": status,
            "statuses": OrderStatus.choices,
            "cancel_form": CancelForm(),
        },
    )


@login_required
def shop_item_create_view(request):
    request.user.access.require("points.manage_shop")
    form = ShopItemForm(
        request.POST or None,
        areas=_shop_areas(request),
        initial={"active": True, "stock": "0", "limit_per_order": "5"},
    )
    done = submitted(
        request,
        form,
        lambda d: shop.shop_item_create(
            area=d["area"],
            name=d["name"],
            price=d["price"],
            stock=d["stock"] or "0",
            description=d["description"],
            limit_per_order=d["limit_per_order"],
            pickup=d["pickup"],
            actor=request.user,
            ip=client_ip(request),
        ),
    )
    if done:
        messages.success(request, _("%(name)s is on sale.") % {"name": done.result.name})
        return redirect("points:shop_manage")
    return _render(
        request,
        "points/form.html",
        {"form": form, "title": _("New goods in the points shop")},
        form_status(form),
    )


@login_required
def shop_item_edit_view(request, item_id: int):
    item = selectors.shop_item_get(viewer=request.user, pk=item_id)
    initial = {
        "area": item.area_id,
        "name": item.name,
        "description": item.description,
        "price": item.price,
        "limit_per_order": item.limit_per_order,
        "pickup": item.pickup,
        "active": item.active,
    }
    form = ShopItemForm(
        request.POST if request.POST.get("form") == "item" else None,
        areas=_shop_areas(request),
        editing=True,
        initial=initial,
    )
    restock = RestockForm(request.POST if request.POST.get("form") == "stock" else None)
    if submitted(
        request,
        form,
        lambda d: shop.shop_item_update(
            item=item,
            actor=request.user,
            name=d["name"],
            price=d["price"],
            description=d["description"],
            limit_per_order=d["limit_per_order"],
            pickup=d["pickup"],
            active=d["active"],
            ip=client_ip(request),
        ),
    ):
        messages.success(request, _("%(name)s saved.") % {"name": form.cleaned_data["name"]})
        return redirect("points:shop_item_edit", item_id=item.pk)
    if submitted(
        request,
        restock,
        lambda d: shop.shop_item_restock(
            item=item, change=d["change"], note=d["note"], actor=request.user, ip=client_ip(request)
        ),
    ):
        messages.success(request, _("Stock updated."))
        return redirect("points:shop_item_edit", item_id=item.pk)
    return _render(
        request,
        "points/shop_item.html",
        {"item": item, "form": form, "restock": restock},
        form_status(form, restock),
    )


@login_required
@require_POST
def shop_hand_over_view(request, order_id: int):
    order = selectors.shop_order_get(viewer=request.user, pk=order_id)
    try:
        shop.shop_order_hand_over(order=order, actor=request.user, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Order %(number)s handed over.") % {"number": order.number})
    return redirect("points:shop_manage")


@login_required
@require_POST
def shop_cancel_view(request, order_id: int):
    order = selectors.shop_order_get(viewer=request.user, pk=order_id)
    form = CancelForm(request.POST)
    try:
        shop.shop_order_cancel(
            order=order,
            actor=request.user,
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
            ip=client_ip(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Order %(number)s cancelled; points and stock returned.") % {"number": order.number}
        )
    return redirect("points:shop_manage")


# --- expiry -------------------------------------------------------------------------------------


@login_required
def expiry_view(request):
    request.user.access.require("points.run_expiry")
    today = timezone.localdate()
    year = today.year
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "notify":
                count = expiry.expiry_notify(year=year, actor=request.user)
                messages.success(
                    request,
                    _("%(n)d people were told of points expiring at the end of %(year)d.")
                    % {"n": count, "year": year},
                )
            elif action == "run":
                run = expiry.expiry_run(year=year, actor=request.user)
                messages.success(
                    request,
                    _("%(points)d points of %(n)d people expired for %(year)d.")
                    % {"points": run.points, "n": run.accounts, "year": year},
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("points:expiry")
    enabled = expiry.expiry_enabled()
    amounts = expiry.expiry_amounts(year, accounts=expiry.scope_of(request.user)) if enabled else {}
    return _render(
        request,
        "points/expiry.html",
        {
            "enabled": enabled,
            "year": year,
            "cutoff": expiry.expiry_cutoff(year) if enabled else None,
            "people": len(amounts),
            "points": sum(amounts.values()),
            "notices": selectors.expiry_notice_count(year=year),
            "year_end": today.replace(month=12, day=31),
        },
    )

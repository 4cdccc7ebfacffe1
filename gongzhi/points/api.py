"""The points app over JSON, under /api/v1/points/.

Writes that move points take an idempotency key — the ``Idempotency-Key`` header, or the body's
``idempotency_key`` — so a retried request pays once and a reused key with another body is
refused (problem+json 422, code ``points.idempotency_conflict``). Amounts are whole numbers of
points; a fraction or a negative is refused with its own code.
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gongzhi.areas.selectors import area_required
from gongzhi.core.errors import client_ip, invalid
from gongzhi.core.schemas import Page
from gongzhi.lib import idcodes

from . import exports, selectors
from .models import Account, AccountKind, Transfer, TransferKind
from .qr import qr_svg
from .services import earning, expiry, honour, ledger, redemption, shop

router = Router(tags=["points"])


def _key(request, body_key: str | None) -> str:
    key = request.headers.get("Idempotency-Key") or body_key or ""
    if not key.strip():
        raise invalid(
            {
                "idempotency_key": [
                    _("Send an Idempotency-Key header (or idempotency_key) with this request.")
                ]
            },
            code="points.no_key",
        )
    return key.strip()


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- schemas ------------------------------------------------------------------------------------


class AccountOut(Schema):
    id: int
    number: str
    kind: str
    name: str
    area_code: str
    balance: int

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id


class TransferOut(Schema):
    id: int
    number: str
    kind: str
    amount: int
    debit_account: int = Field(..., alias="debit_id")
    debit_name: str
    credit_account: int = Field(..., alias="credit_id")
    credit_name: str
    rule_code: str
    source_type: str
    source_id: str
    reverses: int | None = Field(None, alias="reverses_id")
    memo: str
    created_at: datetime

    @staticmethod
    def resolve_debit_name(obj) -> str:
        return obj.debit.name

    @staticmethod
    def resolve_credit_name(obj) -> str:
        return obj.credit.name


class HistoryOut(Schema):
    id: int
    number: str
    kind: str
    points: int = Field(..., description="signed: positive when points came in")
    counterparty: str
    memo: str
    created_at: datetime


class ExpiryOut(Schema):
    points: int
    on: date


class MeOut(Schema):
    account: AccountOut | None
    balance: int
    expiring: ExpiryOut | None
    in_ranking: bool
    ranking_name: str


class PayCodeOut(Schema):
    code: str
    expires_at: datetime
    qr_svg: str = Field(..., description="the code as an inline SVG QR")


class PayCodeStateOut(Schema):
    state: str = Field(..., description="live, used, expired or unknown")
    receipt: int | None
    seconds_left: int


class CollectIn(Schema):
    code: str = Field(..., max_length=40, description="the resident's 18-digit pay code, scanned or typed")
    amount: Decimal = Field(..., description="whole points")


class ReceiptOut(Schema):
    id: int
    number: str
    kind: str
    amount: int
    payer: str
    payee: str
    memo: str
    created_at: datetime
    refunded: bool


class MerchantPayIn(Schema):
    merchant_code: str = Field(..., max_length=200, description="what the merchant's QR carries")
    amount: Decimal
    idempotency_key: str | None = Field(None, max_length=64)
    organisation_id: int | None = Field(None, description="spend a collective's points (a member only)")


class MerchantOut(Schema):
    id: int
    name: str
    area_code: str
    area_name: str
    status: str
    joined_at: datetime

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.area.name


class EnrolIn(Schema):
    organisation_id: int
    note: str = Field("", max_length=200)


class MerchantStatusIn(Schema):
    status: str = Field(..., description="active or suspended")
    note: str = Field("", max_length=200)


class StatementRowOut(Schema):
    number: str
    kind: str
    points: int
    resident: str
    created_at: datetime


class StatementOut(Schema):
    merchant: int
    period: str
    received: int
    refunded: int
    net: int
    closed: bool
    settled: bool
    rows: list[StatementRowOut]


class PeriodIn(Schema):
    period: str = Field(..., description="YYYY-MM", max_length=7)


class SettlementOut(Schema):
    id: int
    merchant: int = Field(..., alias="merchant_id")
    period: str
    points: int
    transfer: int | None = Field(None, alias="transfer_id")


class BudgetOut(Schema):
    id: int
    name: str
    area_code: str
    ceiling: int
    shards: int = Field(..., alias="shard_count")
    issued: int
    remaining: int
    active: bool
    valid_from: date
    valid_until: date | None

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id

    @staticmethod
    def resolve_issued(obj) -> int:
        return earning.budget_use(obj).issued

    @staticmethod
    def resolve_remaining(obj) -> int:
        return earning.budget_use(obj).remaining


class BudgetIn(Schema):
    name: str = Field(..., max_length=100)
    area_code: str = Field(..., max_length=15)
    ceiling: Decimal
    shards: int | None = Field(None, ge=1, le=64)
    valid_from: date | None = None
    valid_until: date | None = None
    note: str = Field("", max_length=200)


class BudgetPatch(Schema):
    name: str | None = Field(None, max_length=100)
    ceiling: Decimal | None = None
    active: bool | None = None
    valid_until: date | None = None
    note: str | None = Field(None, max_length=200)


class RuleOut(Schema):
    id: int
    code: str
    name: str
    description: str
    area_code: str
    points: int
    unit: str
    daily_cap: int | None
    monthly_cap: int | None
    budget: int = Field(..., alias="budget_id")
    active: bool

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id


class RuleIn(Schema):
    code: str = Field(..., max_length=60)
    name: str = Field(..., max_length=100)
    area_code: str = Field(..., max_length=15)
    points: Decimal
    unit: str = "event"
    daily_cap: Decimal | None = None
    monthly_cap: Decimal | None = None
    budget_id: int
    description: str = Field("", max_length=300)
    active: bool = True


class AwardIn(Schema):
    rule_id: int
    mobile: str | None = Field(None, max_length=20, description="the person's mobile number (their account)")
    organisation_id: int | None = Field(None, description="or: a collective rewarded as a whole")
    quantity: Decimal = Decimal(1)
    note: str = Field(..., max_length=200)
    idempotency_key: str | None = Field(None, max_length=64)


class AwardOut(Schema):
    id: int | None
    paid_now: bool
    points: int
    reason: str
    transfer: int | None


class AwardRecordOut(Schema):
    id: int
    rule_code: str
    source_type: str
    source_id: str
    account: int = Field(..., alias="account_id")
    area_code: str
    quantity: int
    requested: int
    paid: int
    status: str
    reason: str
    transfer: int | None = Field(None, alias="transfer_id")
    created_at: datetime

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id


class ReverseIn(Schema):
    reason: str = Field(..., max_length=200)


class ShopItemOut(Schema):
    id: int
    name: str
    description: str
    area_code: str
    area_name: str
    price: int
    stock: int
    limit_per_order: int
    pickup: str
    active: bool

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.area.name


class ShopItemIn(Schema):
    area_code: str = Field(..., max_length=15)
    name: str = Field(..., max_length=80)
    price: Decimal
    stock: Decimal = Decimal(0)
    description: str = Field("", max_length=300)
    limit_per_order: Decimal = Decimal(5)
    pickup: str = Field("", max_length=120)


class RestockIn(Schema):
    change: int = Field(..., description="how many to add, or (negative) to write off")
    note: str = Field("", max_length=100)


class OrderIn(Schema):
    item_id: int
    quantity: Decimal = Decimal(1)
    idempotency_key: str | None = Field(None, max_length=64)


class OrderOut(Schema):
    id: int
    number: str
    item: str
    quantity: int
    points: int
    status: str
    pickup: str
    created_at: datetime

    @staticmethod
    def resolve_item(obj) -> str:
        return obj.item.name

    @staticmethod
    def resolve_pickup(obj) -> str:
        return obj.item.pickup


class CancelIn(Schema):
    reason: str = Field("", max_length=200)


class NominationOut(Schema):
    id: int
    nominee_kind: str
    nominee_name: str
    display_name: str
    title: str
    story: str
    consent: str
    area_code: str
    status: str
    review_note: str
    has_photo: bool
    created_at: datetime

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id

    @staticmethod
    def resolve_nominee_name(obj) -> str:
        return idcodes.mask_name(obj.nominee_name) if obj.nominee_kind == "person" else obj.nominee_name

    @staticmethod
    def resolve_has_photo(obj) -> bool:
        return bool(obj.photo)


class NominationIn(Schema):
    nominee_kind: str
    nominee_name: str = Field(..., max_length=60)
    display_name: str = Field(..., max_length=60)
    consent: str = Field(..., max_length=200)
    title: str = Field(..., max_length=80)
    story: str = Field(..., max_length=3000)
    area_code: str = Field(..., max_length=15)


class ReviewIn(Schema):
    publish: bool
    note: str = Field("", max_length=200)


class HonourOut(Schema):
    id: int
    kind: str = Field(..., alias="nominee_kind")
    name: str = Field(..., alias="display_name")
    title: str
    story: str
    area_name: str
    published_at: datetime
    photo_url: str | None

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.area.name

    @staticmethod
    def resolve_photo_url(obj) -> str | None:
        from django.urls import reverse

        return reverse("points:honour_photo", args=[obj.pk]) if obj.photo else None


class RankingOut(Schema):
    name: str
    points: int


class RankingIn(Schema):
    show: bool
    name: str = Field("", max_length=30)


class LedgerFilter(Schema):
    kind: str = Field("", max_length=12)
    account: int | None = None
    since: date | None = None
    until: date | None = None
    area_code: str = Field("", max_length=15)


# --- helpers ------------------------------------------------------------------------------------


def _history_row(account: Account, t: Transfer) -> dict:
    incoming = t.credit_id == account.pk
    other = t.debit if incoming else t.credit
    return {
        "id": t.pk,
        "number": t.number,
        "kind": t.kind,
        "points": t.amount if incoming else -t.amount,
        "counterparty": exports.party_name(other)
        if other.kind != AccountKind.ISSUANCE
        else _("Points programme"),
        "memo": t.memo,
        "created_at": t.created_at,
    }


def _receipt(t: Transfer) -> dict:
    return {
        "id": t.pk,
        "number": t.number,
        "kind": t.kind,
        "amount": t.amount,
        "payer": exports.party_name(t.debit),
        "payee": exports.party_name(t.credit),
        "memo": t.memo,
        "created_at": t.created_at,
        "refunded": selectors.is_reversed(t),
    }


def _outcome(outcome) -> dict:
    return {
        "id": outcome.award.pk if outcome.award else None,
        "paid_now": outcome.paid_now,
        "points": outcome.points,
        "reason": outcome.reason,
        "transfer": outcome.transfer_id,
    }


# --- a resident's own ---------------------------------------------------------------------------


@router.get("/me", response=MeOut, summary="My points: balance and what expires soon")
def me(request):
    account = selectors.my_account(viewer=request.auth)
    forecast = expiry.expiry_forecast(account) if account else None
    return {
        "account": account,
        "balance": account.balance if account else 0,
        "expiring": {"points": forecast.points, "on": forecast.on} if forecast else None,
        "in_ranking": bool(account and account.in_ranking),
        "ranking_name": account.ranking_name if account else "",
    }


@router.get("/me/history", response=list[HistoryOut], summary="My transfers, newest first")
@paginate(Page)
def my_history(request):
    account = selectors.my_account(viewer=request.auth)
    if account is None:
        return []
    return [_history_row(account, t) for t in selectors.my_transfers(viewer=request.auth)[:1000]]


@router.post(
    "/me/pay-code", response={201: PayCodeOut}, summary="A fresh one-minute pay code (voids the last)"
)
def pay_code_new(request):
    pc = redemption.pay_code_issue(user=request.auth)
    return Status(201, {"code": pc.code, "expires_at": pc.expires_at, "qr_svg": qr_svg(pc.code)})


@router.get("/me/pay-code/{code}", response=PayCodeStateOut, summary="Has my pay code been used?")
def pay_code_state(request, code: str):
    state = redemption.pay_code_state(user=request.auth, code=code)
    return {"state": state.state, "receipt": state.transfer_id, "seconds_left": state.seconds_left}


@router.post("/me/ranking", response=MeOut, summary="Opt in to (or out of) the ranking of my area")
def ranking_choose(request, payload: RankingIn):
    honour.ranking_choose(user=request.auth, show=payload.show, name=payload.name, ip=client_ip(request))
    return me(request)


@router.post("/pay", response={201: ReceiptOut}, summary="Pay a merchant whose code I scanned")
def merchant_pay(request, payload: MerchantPayIn):
    merchant = redemption.merchant_from_token(payload.merchant_code)
    organisation = None
    if payload.organisation_id is not None:
        organisation = next(
            (
                a.organisation
                for a in redemption.organisation_accounts_of(request.auth)
                if a.organisation_id == payload.organisation_id
            ),
            None,
        )
        if organisation is None:
            raise invalid(
                {"organisation_id": [_("You can spend only the points of an organisation you belong to.")]},
                code="points.not_a_member",
            )
    transfer = redemption.merchant_pay(
        payer=request.auth,
        merchant=merchant,
        amount=payload.amount,
        key=_key(request, payload.idempotency_key),
        organisation=organisation,
        ip=client_ip(request),
    )
    return Status(201, _receipt(transfer))


@router.get("/receipts/{transfer_id}", response=ReceiptOut, summary="A receipt, for either party")
def receipt(request, transfer_id: int):
    return _receipt(selectors.receipt_get(viewer=request.auth, pk=transfer_id))


@router.get("/rules/applicable", response=list[RuleOut], summary="How points are earned where I live")
def rules_applicable(request):
    account = selectors.my_account(viewer=request.auth)
    home = account.area_id if account else ledger.home_area_code(request.auth)
    return selectors.rules_applicable(area_code=home) if home else []


# --- the merchant's terminal --------------------------------------------------------------------


@router.get("/terminal", response=list[MerchantOut], summary="Merchants I operate")
def terminal_merchants(request):
    return redemption.merchants_operated_by(request.auth)


@router.post(
    "/terminal/{merchant_id}/collect", response={201: ReceiptOut}, summary="Take points with a pay code"
)
def terminal_collect(request, merchant_id: int, payload: CollectIn):
    merchant = selectors.merchant_for_operator(viewer=request.auth, pk=merchant_id)
    transfer = redemption.pay_code_collect(
        merchant=merchant,
        code=payload.code,
        amount=payload.amount,
        operator=request.auth,
        ip=client_ip(request),
    )
    return Status(201, _receipt(transfer))


@router.get(
    "/terminal/{merchant_id}/receipts", response=list[ReceiptOut], summary="The till's latest receipts"
)
def terminal_receipts(request, merchant_id: int):
    merchant = selectors.merchant_for_operator(viewer=request.auth, pk=merchant_id)
    return [_receipt(t) for t in selectors.terminal_receipts(merchant=merchant)]


@router.post(
    "/terminal/{merchant_id}/refund/{transfer_id}", response={201: ReceiptOut}, summary="Refund a payment"
)
def terminal_refund(request, merchant_id: int, transfer_id: int, payload: ReverseIn):
    merchant = selectors.merchant_for_operator(viewer=request.auth, pk=merchant_id)
    transfer = selectors.receipt_get(viewer=request.auth, pk=transfer_id)
    if redemption.merchant_of_transfer(transfer) != merchant:
        raise PermissionDenied
    refund = redemption.payment_refund(
        transfer=transfer, operator=request.auth, reason=payload.reason, ip=client_ip(request)
    )
    return Status(201, _receipt(refund))


# --- the ledger, for staff ----------------------------------------------------------------------


@router.get("/accounts", response=list[AccountOut], summary="Accounts in my area")
@paginate(Page)
def account_list(request, kind: str = "", q: str = Query("", max_length=50), area_code: str = ""):
    request.auth.access.require("points.view_ledger")
    return selectors.account_list(viewer=request.auth, kind=kind, q=q, area_code=area_code)


@router.get("/accounts/{account_id}", response=AccountOut, summary="One account")
def account_get(request, account_id: int):
    return selectors.account_get(viewer=request.auth, pk=account_id)


@router.get("/transfers", response=list[TransferOut], summary="Transfers touching my area")
@paginate(Page)
def transfer_list(request, filters: Query[LedgerFilter]):
    request.auth.access.require("points.view_ledger")
    return selectors.transfer_list(
        viewer=request.auth,
        kind=filters.kind,
        account_id=filters.account,
        since=filters.since,
        until=filters.until,
        area_code=filters.area_code,
    )


@router.get("/transfers/export", summary="Transfers touching my area, as Excel (names masked)")
def transfer_export(request, filters: Query[LedgerFilter]):
    request.auth.access.require("points.export")
    qs = selectors.transfer_list(
        viewer=request.auth,
        kind=filters.kind,
        since=filters.since,
        until=filters.until,
        area_code=filters.area_code,
    ).select_related("reverses")[:100_000]
    content = exports.transfers_workbook(qs, title=_("Points transfers"), scope=str(request.auth))
    return _xlsx(content, f"points-transfers-{timezone.localdate():%Y%m%d}.xlsx")


@router.get("/transfers/{transfer_id}", response=TransferOut, summary="One transfer")
def transfer_get(request, transfer_id: int):
    return selectors.transfer_get(viewer=request.auth, pk=transfer_id)


@router.post("/transfers/{transfer_id}/reverse", response={201: TransferOut}, summary="Reverse a transfer")
def transfer_reverse(request, transfer_id: int, payload: ReverseIn):
    transfer = selectors.transfer_get(viewer=request.auth, pk=transfer_id)
    reversal = ledger.transfer_reverse(
        transfer=transfer, actor=request.auth, reason=payload.reason, ip=client_ip(request)
    )
    return Status(201, selectors.transfer_get(viewer=request.auth, pk=reversal.pk))


@router.get("/budgets", response=list[BudgetOut], summary="Issuing budgets in my area")
def budget_list(request):
    return list(selectors.budget_list(viewer=request.auth))


@router.post("/budgets", response={201: BudgetOut}, summary="Open an issuing budget")
def budget_create(request, payload: BudgetIn):
    budget = earning.budget_create(
        name=payload.name,
        area=area_required(payload.area_code),
        ceiling=payload.ceiling,
        shard_count=payload.shards,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        note=payload.note,
        actor=request.auth,
        ip=client_ip(request),
    )
    return Status(201, budget)


@router.patch("/budgets/{budget_id}", response=BudgetOut, summary="Raise or lower a ceiling, close a budget")
def budget_update(request, budget_id: int, payload: BudgetPatch):
    budget = selectors.budget_get(viewer=request.auth, pk=budget_id)
    return earning.budget_update(
        budget=budget,
        actor=request.auth,
        name=payload.name,
        ceiling=payload.ceiling,
        active=payload.active,
        valid_until=payload.valid_until,
        note=payload.note,
        ip=client_ip(request),
    )


@router.get("/rules", response=list[RuleOut], summary="Earning rules I manage")
def rule_list(request):
    return list(selectors.rule_list(viewer=request.auth))


def _rule_input(request, payload: RuleIn) -> earning.RuleInput:
    budget = (
        selectors.budgets_for_rules(viewer=request.auth, area=area_required(payload.area_code))
        .filter(pk=payload.budget_id)
        .first()
    )
    if budget is None:
        raise invalid(
            {"budget_id": [_("Choose a budget of this area or above it.")]}, code="points.budget_unknown"
        )
    return earning.RuleInput(
        code=payload.code,
        name=payload.name,
        points=payload.points,
        budget=budget,
        unit=payload.unit,
        daily_cap=payload.daily_cap,
        monthly_cap=payload.monthly_cap,
        description=payload.description,
        active=payload.active,
    )


@router.post("/rules", response={201: RuleOut}, summary="Add an earning rule")
def rule_create(request, payload: RuleIn):
    rule = earning.rule_create(
        data=_rule_input(request, payload),
        area=area_required(payload.area_code),
        actor=request.auth,
        ip=client_ip(request),
    )
    return Status(201, rule)


@router.put("/rules/{rule_id}", response=RuleOut, summary="Change an earning rule (its code stays)")
def rule_update(request, rule_id: int, payload: RuleIn):
    rule = selectors.rule_get(viewer=request.auth, pk=rule_id)
    return earning.rule_update(
        rule=rule, data=_rule_input(request, payload), actor=request.auth, ip=client_ip(request)
    )


@router.get(
    "/awards", response=list[AwardRecordOut], summary="Award decisions in my area (paid, capped, refused)"
)
@paginate(Page)
def award_list(request, status: str = Query("", max_length=10)):
    request.auth.access.require("points.view_ledger")
    return selectors.award_list(viewer=request.auth, status=status)


@router.post("/awards", response={201: AwardOut}, summary="Reward a deed recorded by hand")
def award_create(request, payload: AwardIn):
    rule = selectors.rule_active(pk=payload.rule_id)
    if rule is None:
        raise invalid({"rule_id": [_("Unknown earning rule.")]}, code="points.rule_unknown")
    beneficiary = organisation = None
    if payload.organisation_id is not None:
        organisation = (
            selectors.collectives_for_awarding(viewer=request.auth).filter(pk=payload.organisation_id).first()
        )
        if organisation is None:
            raise invalid({"organisation_id": [_("Unknown organisation.")]}, code="points.org_unknown")
    if payload.mobile:
        beneficiary = selectors.user_by_mobile(payload.mobile)
        if beneficiary is None:
            raise invalid({"mobile": [_("No account has this mobile number.")]}, code="points.no_such_person")
    outcome = earning.award_manual(
        rule=rule,
        beneficiary=beneficiary,
        organisation=organisation,
        quantity=payload.quantity,
        note=payload.note,
        key=_key(request, payload.idempotency_key),
        actor=request.auth,
        ip=client_ip(request),
    )
    return Status(201, _outcome(outcome))


# --- merchants ----------------------------------------------------------------------------------


@router.get("/merchants", response=list[MerchantOut], summary="Caring merchants in the scheme, in my area")
@paginate(Page)
def merchant_list(request, q: str = Query("", max_length=50)):
    return selectors.merchant_list(viewer=request.auth, q=q)


@router.post("/merchants", response={201: MerchantOut}, summary="Enrol a caring merchant from the directory")
def merchant_enrol(request, payload: EnrolIn):
    org = selectors.merchants_enrolable(viewer=request.auth).filter(pk=payload.organisation_id).first()
    if org is None:
        raise invalid({"organisation_id": [_("Unknown organisation.")]}, code="points.org_unknown")
    return Status(
        201,
        redemption.merchant_enrol(
            organisation=org, actor=request.auth, note=payload.note, ip=client_ip(request)
        ),
    )


@router.post(
    "/merchants/{merchant_id}/status", response=MerchantOut, summary="Suspend or reinstate a merchant"
)
def merchant_status(request, merchant_id: int, payload: MerchantStatusIn):
    merchant = selectors.merchant_get(viewer=request.auth, pk=merchant_id)
    return redemption.merchant_set_status(
        merchant=merchant, status=payload.status, note=payload.note, actor=request.auth, ip=client_ip(request)
    )


@router.get("/merchants/{merchant_id}/statement", response=StatementOut, summary="A month's statement (JSON)")
def merchant_statement(request, merchant_id: int, period: str = Query(..., max_length=7)):
    merchant = _statement_merchant(request, merchant_id)
    s = redemption.merchant_statement(merchant=merchant, period=period)
    return {
        "merchant": merchant.pk,
        "period": s.period,
        "received": s.received,
        "refunded": s.refunded,
        "net": s.net,
        "closed": s.closed,
        "settled": s.settlement is not None,
        "rows": [
            {
                "number": t.number,
                "kind": t.kind,
                "points": t.amount if t.kind == TransferKind.PAYMENT else -t.amount,
                "resident": exports.party_name(t.debit if t.kind == TransferKind.PAYMENT else t.credit),
                "created_at": t.created_at,
            }
            for t in s.rows
        ],
    }


@router.get("/merchants/{merchant_id}/statement.xlsx", summary="A month's statement (Excel)")
def merchant_statement_xlsx(request, merchant_id: int, period: str = Query(..., max_length=7)):
    merchant = _statement_merchant(request, merchant_id)
    s = redemption.merchant_statement(merchant=merchant, period=period)
    return _xlsx(exports.statement_workbook(s), f"points-statement-{merchant.pk}-{s.period}.xlsx")


def _statement_merchant(request, merchant_id: int):
    """Staff of the area, or the merchant's own operators, may read its statements."""
    for merchant in redemption.merchants_operated_by(request.auth):
        if merchant.pk == merchant_id:
            return merchant
    return selectors.merchant_get(viewer=request.auth, pk=merchant_id)


@router.post(
    "/merchants/{merchant_id}/settlements", response={201: SettlementOut}, summary="Settle a finished month"
)
def settlement_create(request, merchant_id: int, payload: PeriodIn):
    merchant = selectors.merchant_get(viewer=request.auth, pk=merchant_id)
    settlement = redemption.settlement_create(
        merchant=merchant, period=payload.period, actor=request.auth, ip=client_ip(request)
    )
    return Status(201, settlement)


# --- the points shop ----------------------------------------------------------------------------


@router.get("/shop/items", response=list[ShopItemOut], summary="Goods I can order with my points")
def shop_items(request):
    return selectors.shop_items_for(viewer=request.auth)


@router.post("/shop/items", response={201: ShopItemOut}, summary="Put goods on sale in a points shop")
def shop_item_create(request, payload: ShopItemIn):
    item = shop.shop_item_create(
        area=area_required(payload.area_code),
        name=payload.name,
        price=payload.price,
        stock=payload.stock,
        description=payload.description,
        limit_per_order=payload.limit_per_order,
        pickup=payload.pickup,
        actor=request.auth,
        ip=client_ip(request),
    )
    return Status(201, item)


@router.post("/shop/items/{item_id}/stock", response=ShopItemOut, summary="Add stock or write it off")
def shop_item_restock(request, item_id: int, payload: RestockIn):
    item = selectors.shop_item_get(viewer=request.auth, pk=item_id)
    return shop.shop_item_restock(
        item=item, change=payload.change, note=payload.note, actor=request.auth, ip=client_ip(request)
    )


@router.post(
    "/shop/orders", response={201: OrderOut}, summary="Order goods: stock and points are taken together"
)
def shop_order_place(request, payload: OrderIn):
    item = selectors.shop_item_public_get(viewer=request.auth, pk=payload.item_id)
    order = shop.shop_order_place(
        item=item,
        buyer=request.auth,
        quantity=payload.quantity,
        key=_key(request, payload.idempotency_key),
        ip=client_ip(request),
    )
    return Status(201, order)


@router.get("/shop/orders", response=list[OrderOut], summary="Orders of the points shops in my area")
@paginate(Page)
def shop_order_list(request, status: str = Query("", max_length=12)):
    request.auth.access.require("points.manage_shop")
    return selectors.shop_order_list(viewer=request.auth, status=status)


@router.get("/shop/orders/mine", response=list[OrderOut], summary="My orders")
def my_orders(request):
    return list(selectors.my_orders(viewer=request.auth)[:200])


@router.post("/shop/orders/{order_id}/cancel", response=OrderOut, summary="Cancel an order not yet collected")
def shop_order_cancel(request, order_id: int, payload: CancelIn):
    try:
        order = selectors.my_order_get(viewer=request.auth, pk=order_id)
    except Http404:  # not the buyer's: staff of the shop's area may cancel it
        order = selectors.shop_order_get(viewer=request.auth, pk=order_id)
    return shop.shop_order_cancel(
        order=order, actor=request.auth, reason=payload.reason, ip=client_ip(request)
    )


@router.post("/shop/orders/{order_id}/hand-over", response=OrderOut, summary="Hand the goods over")
def shop_order_hand_over(request, order_id: int):
    order = selectors.shop_order_get(viewer=request.auth, pk=order_id)
    return shop.shop_order_hand_over(order=order, actor=request.auth, ip=client_ip(request))


# --- the honour roll ----------------------------------------------------------------------------


@router.get("/honour", response=list[HonourOut], auth=None, summary="The honour roll (public)")
@paginate(Page)
def honour_roll(request, area_code: str = Query("", max_length=15), kind: str = Query("", max_length=10)):
    return selectors.honour_roll(area_code=area_code, kind=kind)


@router.get(
    "/honour/ranking", response=list[RankingOut], auth=None, summary="Top earners of an area (opted in)"
)
def honour_ranking(request, area_code: str = Query(..., max_length=15)):
    return selectors.ranking(area_code=area_code)


@router.get("/nominations", response=list[NominationOut], summary="Nominations to review in my area")
@paginate(Page)
def nomination_list(request, status: str = Query("", max_length=10)):
    return selectors.nomination_list(viewer=request.auth, status=status)


@router.post("/nominations", response={201: NominationOut}, summary="Nominate a person or a collective")
def nomination_submit(request, payload: Form[NominationIn], photo: File[UploadedFile] = None):
    nomination = honour.nomination_submit(
        nominee_kind=payload.nominee_kind,
        nominee_name=payload.nominee_name,
        display_name=payload.display_name,
        consent=payload.consent,
        title=payload.title,
        story=payload.story,
        area=area_required(payload.area_code),
        photo=photo,
        nominated_by=request.auth,
        ip=client_ip(request),
    )
    return Status(201, nomination)


@router.post("/nominations/{nomination_id}/review", response=NominationOut, summary="Publish or decline")
def nomination_review(request, nomination_id: int, payload: ReviewIn):
    nomination = selectors.nomination_get(viewer=request.auth, pk=nomination_id)
    return honour.nomination_review(
        nomination=nomination,
        publish=payload.publish,
        note=payload.note,
        actor=request.auth,
        ip=client_ip(request),
    )

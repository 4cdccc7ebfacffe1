"""Spending points at caring merchants: the scheme, pay codes, payments, refunds, settlements.

Two ways to pay, as at any Chinese till: the merchant's terminal scans (or types) the resident's
one-minute pay code, or the resident scans the merchant's printed code and confirms the amount.
Both end in one ``payment`` transfer from the person to the merchant; once a month the merchant's
net takes is settled into the scheme's redemption account and paid out off the ledger.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit.services import audit_record
from gongzhi.core.errors import invalid
from gongzhi.directory.models import Organisation, OrgKind
from gongzhi.lib import points as lib

from ..conf import points_setting
from ..models import (
    Account,
    AccountKind,
    Merchant,
    MerchantStatus,
    PayCode,
    Settlement,
    Transfer,
    TransferKind,
)
from . import fast_award, fast_pay, ledger

MERCHANT_CODE_SALT = "gongzhi.points.merchant-code"


# --- the scheme ---------------------------------------------------------------------------------


def merchants_operated_by(user) -> list[Merchant]:
    """Merchants the user works for: a merchant-role membership naming the organisation."""
    org_ids = {
        m.organisation_id for m in user.access.memberships if m.role == "merchant" and m.organisation_id
    }
    if not org_ids:
        return []
    return list(Merchant.objects.filter(organisation_id__in=org_ids).select_related("organisation", "area"))


def is_operator(user, merchant: Merchant) -> bool:
    return any(
        m.role == "merchant" and m.organisation_id == merchant.organisation_id
        for m in user.access.memberships
    )


def merchant_account(merchant: Merchant) -> Account:
    return ledger.account_for_organisation(merchant.organisation, kind=AccountKind.MERCHANT)


@transaction.atomic
def merchant_enrol(*, organisation: Organisation, actor, note: str = "", ip: str | None = None) -> Merchant:
    """Take a caring merchant from the directory into the points scheme and open its account."""
    if not actor.access.can("points.manage_merchants", organisation.area_id):
        raise PermissionDenied
    if organisation.kind != OrgKind.MERCHANT:
        raise invalid(
            {"organisation": [_("Only a caring merchant (爱心商家) can join the points scheme.")]},
            code="points.not_a_merchant",
        )
    if not organisation.is_active:
        raise invalid({"organisation": [_("This organisation is closed.")]}, code="points.org_inactive")
    if Merchant.objects.filter(organisation=organisation).exists():
        raise invalid(
            {"organisation": [_("This merchant is already in the scheme.")]}, code="points.merchant_exists"
        )
    merchant = Merchant.objects.create(
        organisation=organisation, area_id=organisation.area_id, note=note.strip()[:200]
    )
    merchant_account(merchant)
    audit_record(
        actor=actor, action="points.merchant.enrol", obj=merchant, ip=ip, changes={"name": organisation.name}
    )
    return merchant


@transaction.atomic
def merchant_set_status(
    *, merchant: Merchant, status: str, actor, note: str = "", ip: str | None = None
) -> Merchant:
    """Suspend a merchant from the scheme (it can no longer take points) or reinstate it."""
    if not actor.access.can("points.manage_merchants", merchant.area_id):
        raise PermissionDenied
    if status not in MerchantStatus.values:
        raise invalid({"status": [_("Choose a status.")]}, code="points.bad_status")
    note = (note or "").strip()
    if status == MerchantStatus.SUSPENDED and len(note) < 2:
        raise invalid({"note": [_("Say why the merchant is suspended.")]}, code="points.reason_required")
    before = merchant.status
    merchant.status = status
    merchant.note = note[:200] or merchant.note
    merchant.save(update_fields=["status", "note"])
    audit_record(
        actor=actor,
        action="points.merchant.status",
        obj=merchant,
        ip=ip,
        changes={"status": f"{before} -> {status}", "note": note[:200]},
    )
    return merchant


@transaction.atomic
def merchant_code_reissue(*, merchant: Merchant, actor, ip: str | None = None) -> Merchant:
    """Void the merchant's printed code (e.g. a copy is being misused) and issue a new one."""
    if not (is_operator(actor, merchant) or actor.access.can("points.manage_merchants", merchant.area_id)):
        raise PermissionDenied
    Merchant.objects.filter(pk=merchant.pk).update(code_version=merchant.code_version + 1)
    merchant.refresh_from_db(fields=["code_version"])
    audit_record(actor=actor, action="points.merchant.code_reissue", obj=merchant, ip=ip)
    return merchant


def merchant_code_token(merchant: Merchant) -> str:
    """What the merchant's printed QR carries: a signed (merchant, version) pair."""
    return signing.Signer(salt=MERCHANT_CODE_SALT).sign_object([merchant.pk, merchant.code_version])


def merchant_from_token(token: str) -> Merchant:
    try:
        pk, version = signing.Signer(salt=MERCHANT_CODE_SALT).unsign_object(token)
        merchant = Merchant.objects.select_related("organisation", "area").get(pk=int(pk))
    except (signing.BadSignature, ValueError, TypeError, Merchant.DoesNotExist):
        raise invalid(_("This is not a valid merchant code."), code="points.merchant_code_invalid") from None
    if merchant.code_version != version:
        raise invalid(
            _("This merchant code has been replaced; ask the merchant for the current one."),
            code="points.merchant_code_replaced",
        )
    return merchant


def require_in_scheme(merchant: Merchant, payer: Account) -> None:
    """Refused unless the merchant takes points now and in the payer's scheme."""
    if merchant.status != MerchantStatus.ACTIVE or not merchant.organisation.is_active:
        raise invalid(
            _("%(name)s is not taking points at present (outside the scheme).")
            % {"name": merchant.organisation.name},
            code="points.merchant_outside_scheme",
        )
    if ledger.scheme_code(payer.area_id) != ledger.scheme_code(merchant.area_id):
        raise invalid(
            _("%(name)s belongs to another points scheme; points are spent where they were earned.")
            % {"name": merchant.organisation.name},
            code="points.merchant_outside_scheme",
        )


# --- pay codes ----------------------------------------------------------------------------------


def _pay_code_secret() -> bytes:
    return hashlib.sha256(f"gongzhi.points.pay-code:{settings.SECRET_KEY}".encode()).digest()


@transaction.atomic
def pay_code_issue(*, user) -> PayCode:
    """A fresh pay code for the user's account; any earlier live code stops working at once.

    Not written to the audit log: a code is issued every minute the page is open, and it moves
    nothing by itself; the payment it authorises is recorded.
    """
    account = ledger.account_for_user(user)
    now = timezone.now()
    PayCode.objects.filter(account=account, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    PayCode.objects.filter(
        account=account, used_at__isnull=True, expires_at__lt=now - timedelta(days=1)
    ).delete()
    seconds = int(points_setting("PAY_CODE_SECONDS"))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return PayCode.objects.create(
                    code=lib.make_pay_code(_pay_code_secret()),
                    account=account,
                    created_at=now,
                    expires_at=now + timedelta(seconds=seconds),
                )
        except IntegrityError:  # ten random digits collided with a stored code: draw again
            continue
    raise RuntimeError("could not draw a unique pay code")


@dataclass(frozen=True)
class PayCodeState:
    state: str  # "live", "used", "expired", "unknown"
    transfer_id: int | None = None
    seconds_left: int = 0


def pay_code_state(*, user, code: str) -> PayCodeState:
    """For the resident's page: has my code been used (and by which receipt) or has it lapsed?"""
    pc = PayCode.objects.filter(code=lib.normalize_pay_code(code), account__user=user).first()
    if pc is None:
        return PayCodeState("unknown")
    if pc.used_at is not None:
        return PayCodeState("used", pc.transfer_id)
    left = int((pc.expires_at - timezone.now()).total_seconds())
    return PayCodeState("live", None, left) if left > 0 else PayCodeState("expired")


def _insufficient(account: Account, amount: int) -> ValidationError:
    return invalid(
        {
            "amount": [
                _("Not enough points: the balance is %(balance)d, %(amount)d are needed.")
                % {"balance": account.balance, "amount": amount}
            ]
        },
        code="points.insufficient",
    )


@ledger.retrying
@transaction.atomic
def pay_code_collect(*, merchant: Merchant, code: str, amount, operator, ip: str | None = None) -> Transfer:
    """The merchant's terminal takes ``amount`` points with a resident's pay code.

    The code pays once: a retry with the same merchant and amount returns the same receipt; any
    other use of a used, lapsed, replaced, mistyped or invented code is refused.
    """
    if not is_operator(operator, merchant):
        raise PermissionDenied
    amount = ledger.amount_of(amount)
    code = lib.normalize_pay_code(code)
    if not lib.pay_code_is_genuine(_pay_code_secret(), code):
        raise invalid(
            {"code": [_("This is not a valid pay code: check the 18 digits or scan again.")]},
            code="points.paycode_invalid",
        )
    key = f"pay:{code}"
    fingerprint = payment_fingerprint(merchant, amount)
    used = invalid(
        {"code": [_("This pay code has already been used. Ask the resident to show a new one.")]},
        code="points.paycode_used",
    )
    try:
        earlier = ledger.replay(key, fingerprint)
    except ValidationError:  # used before, for another merchant or amount
        raise used from None
    if earlier is not None:  # this very request, retried: the same receipt
        return earlier
    # Audited before any row is locked (audit chain, then ledger rows: see earning._award); a
    # refusal below rolls the entry back with everything else.
    audit_record(
        actor=operator,
        action="points.payment",
        obj=merchant,
        ip=ip,
        changes={"merchant": merchant.pk, "amount": amount, "by": "pay_code"},
    )
    pc = PayCode.objects.select_for_update().select_related("account").filter(code=code).first()
    now = timezone.now()
    if pc is None:
        raise invalid(
            {"code": [_("This is not a valid pay code: check the 18 digits or scan again.")]},
            code="points.paycode_invalid",
        )
    if pc.used_at is not None:
        # Used while this request waited for the code's row lock: by this very request sent
        # twice (same receipt), or by another till (refused).
        earlier = Transfer.objects.filter(idempotency_key=key).first()
        if earlier is not None and earlier.body_hash == fingerprint:
            return earlier
        raise used
    if pc.expires_at <= now:
        raise invalid(
            {"code": [_("This pay code has expired. Ask the resident to refresh it.")]},
            code="points.paycode_expired",
        )
    payer = pc.account
    require_in_scheme(merchant, payer)
    if payer.user_id == operator.pk:
        raise invalid(
            {"code": [_("You cannot take your own points at your own shop.")]}, code="points.self_payment"
        )
    to = merchant_account(merchant)
    try:
        posted = ledger.post(
            kind=TransferKind.PAYMENT,
            debit_id=payer.pk,
            credit_id=to.pk,
            amount=amount,
            key=key,
            fingerprint=fingerprint,
            source_type="points.merchant",
            source_id=str(merchant.pk),
            area_code=payer.area_id,
            counter_area_code=merchant.area_id,
            actor=operator,
            memo=_("Pay code at %(name)s") % {"name": merchant.organisation.name},
            check_replay=False,
        )
    except ledger.Insufficient:
        payer.refresh_from_db(fields=["balance"])
        raise _insufficient(payer, amount) from None
    except ValidationError:  # a concurrent use of the same code with other details committed first
        raise used from None
    if not posted.created:  # a concurrent twin of this very request won: same receipt
        return posted.transfer
    PayCode.objects.filter(pk=pc.pk).update(used_at=now, transfer=posted.transfer)
    return posted.transfer


def payment_fingerprint(merchant: Merchant, amount: int) -> str:
    """What a retry of a payment must repeat to get its receipt rather than a refusal."""
    return lib.body_fingerprint({"merchant": merchant.pk, "amount": amount})


def payment_transfer(merchant: Merchant, account: Account, amount: int, key: str) -> dict:
    """The transfer of a payment by the merchant's code but its credit (the merchant's account)
    and actor: ``ledger.post``'s fields, as both payment paths write it (``fast_pay``)."""
    return {
        "kind": TransferKind.PAYMENT,
        "debit_id": account.pk,
        "amount": amount,
        "key": f"mpay:{account.pk}:{key}",
        "fingerprint": payment_fingerprint(merchant, amount),
        "source_type": "points.merchant",
        "source_id": str(merchant.pk),
        "area_code": account.area_id,
        "counter_area_code": merchant.area_id,
        "memo": _("Paid %(name)s by scanning its code") % {"name": merchant.organisation.name},
    }


def payment_audit(merchant: Merchant, account_id: int, amount: int, ip: str | None) -> dict:
    """What the audit entry of a payment by the merchant's code records (but the actor)."""
    return {
        "action": "points.payment",
        "obj": merchant,
        "ip": ip,
        "changes": {"merchant": merchant.pk, "amount": amount, "by": "merchant_code", "account": account_id},
    }


@ledger.retrying
def merchant_pay(
    *, payer, merchant: Merchant, amount, key: str, organisation=None, ip: str | None = None
) -> Transfer:
    """A resident who scanned the merchant's code confirms ``amount``; ``key`` makes it pay once.

    With ``organisation``, a member spends the collective's points (e.g. a team's reward).

    On PostgreSQL, called on its own, a person's payment is two statements (``fast_pay``);
    whatever they do not settle — a retry, a refusal, a first payment — is decided here through
    the ORM in one transaction.
    """
    amount = ledger.amount_of(amount)
    key = (key or "").strip()
    if not 8 <= len(key) <= 64:
        raise invalid(_("The request key is missing; reload the page."), code="points.no_key")
    connection = transaction.get_connection()
    if organisation is None and not connection.in_atomic_block and fast_award.enabled(connection):
        for _attempt in range(3):
            try:
                transfer = fast_pay.try_pay(payer=payer, merchant=merchant, amount=amount, key=key, ip=ip)
            except fast_award.Miss as miss:
                if miss.moved:
                    continue
                break
            if transfer is not None:
                return transfer
            break
    return _merchant_pay(
        payer=payer, merchant=merchant, amount=amount, key=key, organisation=organisation, ip=ip
    )


@transaction.atomic
def _merchant_pay(
    *, payer, merchant: Merchant, amount: int, key: str, organisation, ip: str | None
) -> Transfer:
    if organisation is not None:
        account = organisation_account_for_member(payer, organisation)
    else:
        account = ledger.account_for_user(payer)
    require_in_scheme(merchant, account)
    if is_operator(payer, merchant):
        raise invalid(_("You cannot pay your own shop with your own points."), code="points.self_payment")
    fields = payment_transfer(merchant, account, amount, key)
    earlier = ledger.replay(fields["key"], fields["fingerprint"])
    if earlier is not None:
        return earlier
    to = merchant_account(merchant)
    # Before any row is locked: audit chain, then ledger rows (see earning._award).
    audit_record(actor=payer, **payment_audit(merchant, account.pk, amount, ip))
    try:
        posted = ledger.post(
            **fields,
            credit_id=to.pk,
            actor=payer,
            check_replay=False,  # replayed above, in this transaction; a concurrent twin fails the key
        )
    except ledger.Insufficient:
        account.refresh_from_db(fields=["balance"])
        raise _insufficient(account, amount) from None
    return posted.transfer


def organisation_accounts_of(user) -> list[Account]:
    """Accounts of the collectives the user belongs to (any role but the merchant's till)."""
    org_ids = {
        m.organisation_id for m in user.access.memberships if m.organisation_id and m.role != "merchant"
    }
    if not org_ids:
        return []
    return list(
        Account.objects.filter(kind=AccountKind.ORGANISATION, organisation_id__in=org_ids).select_related(
            "organisation"
        )
    )


def organisation_account_for_member(user, organisation) -> Account:
    for account in organisation_accounts_of(user):
        if account.organisation_id == organisation.pk:
            return account
    raise invalid(
        {"payer": [_("You can spend only the points of an organisation you belong to.")]},
        code="points.not_a_member",
    )


def merchant_of_transfer(transfer: Transfer) -> Merchant | None:
    """The merchant on the receiving side of a payment, if any."""
    account = transfer.credit
    if account.kind != AccountKind.MERCHANT or not account.organisation_id:
        return None
    return (
        Merchant.objects.filter(organisation_id=account.organisation_id)
        .select_related("organisation")
        .first()
    )


def payment_refund(*, transfer: Transfer, operator, reason: str, ip: str | None = None) -> Transfer:
    """The merchant gives a payment back (a mistake at the till), within the refund window."""
    if transfer.kind != TransferKind.PAYMENT:
        raise invalid(_("Only a payment can be refunded."), code="points.not_a_payment")
    merchant = merchant_of_transfer(transfer)
    if merchant is None or not is_operator(operator, merchant):
        raise PermissionDenied
    hours = int(points_setting("REFUND_HOURS"))
    if timezone.now() - transfer.created_at > timedelta(hours=hours):
        raise invalid(
            _("A payment can be refunded at the till within %(h)d hours; ask the community office.")
            % {"h": hours},
            code="points.refund_too_late",
        )
    return ledger.transfer_reverse(
        transfer=transfer, actor=operator, reason=reason, ip=ip, permission_checked=True
    )


# --- statements and settlements -----------------------------------------------------------------


def parse_period(text: str) -> tuple[datetime, datetime]:
    """ "2026-03" → [start, end) of that month in local time."""
    text = str(text or "").strip()
    tz = timezone.get_current_timezone()
    try:
        year, month = (int(part) for part in text.split("-"))
        if len(text) != 7 or not 2000 <= year <= 2100:
            raise ValueError(text)
        start = datetime(year, month, 1, tzinfo=tz)
    except ValueError:
        raise invalid(
            {"period": [_("Give the month as YYYY-MM, e.g. 2026-03.")]}, code="points.bad_period"
        ) from None
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


@dataclass(frozen=True)
class Statement:
    merchant: Merchant
    period: str
    start: datetime
    end: datetime
    rows: list[Transfer]
    received: int
    refunded: int
    settlement: Settlement | None

    @property
    def net(self) -> int:
        return self.received - self.refunded

    @property
    def closed(self) -> bool:
        return self.end <= timezone.now()


def merchant_statement(*, merchant: Merchant, period: str) -> Statement:
    """Payments received and refunds given in one month (by the time they happened)."""
    start, end = parse_period(period)
    account = merchant_account(merchant)
    rows = list(
        Transfer.objects.filter(created_at__gte=start, created_at__lt=end)
        .filter(
            Q(kind=TransferKind.PAYMENT, credit=account)
            | Q(kind=TransferKind.REVERSAL, debit=account, reverses__kind=TransferKind.PAYMENT)
        )
        .select_related("debit", "credit")
        .order_by("created_at", "id")
    )
    received = sum(t.amount for t in rows if t.kind == TransferKind.PAYMENT)
    refunded = sum(t.amount for t in rows if t.kind == TransferKind.REVERSAL)
    settlement = Settlement.objects.filter(merchant=merchant, period=start.strftime("%Y-%m")).first()
    return Statement(merchant, start.strftime("%Y-%m"), start, end, rows, received, refunded, settlement)


@ledger.retrying
@transaction.atomic
def settlement_create(*, merchant: Merchant, period: str, actor, ip: str | None = None) -> Settlement:
    """Settle a finished month: the merchant's net takes move to the scheme's redemption account."""
    if not actor.access.can("points.settle", merchant.area_id):
        raise PermissionDenied
    statement = merchant_statement(merchant=merchant, period=period)
    if not statement.closed:
        raise invalid(
            {"period": [_("A month can be settled only after it has ended.")]}, code="points.period_open"
        )
    if statement.settlement is not None:
        raise invalid({"period": [_("This month is already settled.")]}, code="points.already_settled")
    if statement.net <= 0:
        raise invalid({"period": [_("Nothing to settle for this month.")]}, code="points.nothing_to_settle")
    audit_record(  # before any row is locked: audit chain, then ledger rows (see earning._award)
        actor=actor,
        action="points.settlement",
        obj=merchant,
        ip=ip,
        changes={"merchant": merchant.pk, "period": statement.period, "points": statement.net},
    )
    account = merchant_account(merchant)
    key = f"settle:{merchant.pk}:{statement.period}"
    try:
        posted = ledger.post(
            kind=TransferKind.SETTLEMENT,
            debit_id=account.pk,
            credit_id=ledger.system_account_id(AccountKind.REDEMPTION, merchant.area_id, key),
            amount=statement.net,
            key=key,
            fingerprint=lib.body_fingerprint({"merchant": merchant.pk, "period": statement.period}),
            source_type="points.settlement",
            source_id=f"{merchant.pk}:{statement.period}",
            area_code=merchant.area_id,
            counter_area_code=ledger.scheme_code(merchant.area_id),
            actor=actor,
            memo=_("Settlement for %(period)s") % {"period": statement.period},
        )
    except ledger.Insufficient:
        raise invalid(
            {
                "period": [
                    _(
                        "The merchant's balance is lower than this month's net takings; settle the earlier months first."
                    )
                ]
            },
            code="points.insufficient",
        ) from None
    try:
        with transaction.atomic():
            settlement = Settlement.objects.create(
                merchant=merchant,
                area_id=merchant.area_id,
                period=statement.period,
                points=statement.net,
                transfer=posted.transfer,
                created_by=actor,
            )
    except IntegrityError:
        raise invalid(
            {"period": [_("This month is already settled.")]}, code="points.already_settled"
        ) from None
    return settlement


def merchant_takings(merchant: Merchant, since: datetime) -> int:
    account = merchant_account(merchant)
    return (
        Transfer.objects.filter(kind=TransferKind.PAYMENT, credit=account, created_at__gte=since).aggregate(
            s=Sum("amount")
        )["s"]
        or 0
    )

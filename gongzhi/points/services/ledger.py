"""The ledger core: accounts, the one way to post a transfer, reversals, and verification.

Posting a transfer (``post``) does, in one transaction:

1. look the idempotency key up: the same key with the same body returns the original transfer
   (a retry pays once); with a different body it is refused and nothing is written;
2. insert the transfer row first: the unique key makes a concurrent duplicate wait here, before
   it touches any balance, and then fail into step 1;
3. apply the two balance changes in account-id order (one global lock order, so two transfers
   never deadlock on each other's rows); the debit is ``UPDATE ... SET balance = balance - x
   WHERE id = ? AND balance - x >= floor`` — no read-modify-write, so no lost update — and when
   it matches no row the savepoint rolls the transfer row back and the caller is told why.

Lock order, everywhere in the app: the audit chain head first (each service writes its audit
entry before it touches a ledger row, as callers such as the ticket engine do before asking for
a reward), then ledger rows, two accounts in id order, an issuance shard debited last. One order
means two transactions never wait for each other the opposite way round; a deadlock PostgreSQL
still reports is retried by ``retrying`` at the outermost transaction.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.areas.models import Area
from gongzhi.audit.services import audit_record
from gongzhi.core import sql
from gongzhi.core.errors import invalid
from gongzhi.lib import points as lib

from ..conf import points_setting
from ..models import (
    SYSTEM_KINDS,
    Account,
    AccountKind,
    Award,
    AwardStatus,
    Budget,
    Transfer,
    TransferKind,
)

T = TypeVar("T")

AMOUNT_MESSAGES = {
    "amount.invalid": gettext_lazy("Enter the points as a whole number."),
    "amount.fractional": gettext_lazy("Points are whole numbers: %(value)s is not."),
    "amount.not_positive": gettext_lazy("Enter a positive number of points."),
    "amount.too_large": gettext_lazy("That is more points than any single transfer may move."),
}


def amount_of(value: object, *, field: str = "amount") -> int:
    """A positive whole number of points, or a ValidationError that says what is wrong with it."""
    try:
        return lib.parse_amount(value)
    except lib.AmountError as exc:
        message = str(AMOUNT_MESSAGES[exc.code]) % {"value": value}
        raise invalid({field: [message]}, code=f"points.{exc.code.replace('.', '_')}") from None


# --- retries ------------------------------------------------------------------------------------

RETRYABLE_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure


def _retryable(exc: Exception) -> bool:
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None) or getattr(getattr(cause, "diag", None), "sqlstate", None)
    return state in RETRYABLE_SQLSTATES or "database is locked" in str(exc)


def retrying(fn: Callable[..., T]) -> Callable[..., T]:
    """Re-run a whole transaction that PostgreSQL aborted to break a deadlock.

    Only at the outermost level: inside a caller's transaction the caller must decide.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        attempts = 8
        for attempt in range(attempts):
            if transaction.get_connection().in_atomic_block:
                return fn(*args, **kwargs)
            try:
                return fn(*args, **kwargs)
            except OperationalError as exc:
                if attempt == attempts - 1 or not _retryable(exc):
                    raise
                time.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 - jitter
        raise AssertionError("unreachable")

    return wrapper


# --- accounts -----------------------------------------------------------------------------------


def scheme_code(area_code: str) -> str:
    """The county-level unit whose points are redeemable everywhere in it (市域通兑通换)."""
    return area_code[:6] + "000000"


def home_area_code(user, fallback: str | None = None) -> str | None:
    if getattr(user, "person_id", None):
        return user.person.area_id
    memberships = user.access.memberships
    own = [m for m in memberships if m.role in ("resident", "rider", "volunteer")] or memberships
    if own:  # the narrowest area the person belongs to
        return max(own, key=lambda m: len(m.area.prefix)).area_id
    return fallback


def account_for_user(user, *, fallback_area: str | None = None, create: bool = True) -> Account | None:
    """A person's own account, opened on first use in their home area."""
    try:
        return Account.objects.get(user=user, kind=AccountKind.PERSON)
    except Account.DoesNotExist:
        if not create:
            return None
    area_code = home_area_code(user, fallback_area)
    if not area_code or not Area.objects.filter(code=area_code).exists():
        raise invalid(
            _("This person has no home area yet, so no points account can be opened."), code="points.no_area"
        )
    with transaction.atomic():
        account, _created = Account.objects.get_or_create(
            user=user, kind=AccountKind.PERSON, defaults={"name": user.name, "area_id": area_code}
        )
    return account


def account_for_organisation(organisation, kind: str = AccountKind.ORGANISATION) -> Account:
    found = Account.objects.filter(organisation=organisation, kind=kind).first()
    if found is not None:  # the usual case: no savepoint for a get_or_create
        return found
    with transaction.atomic():
        account, _created = Account.objects.get_or_create(
            organisation=organisation,
            kind=kind,
            defaults={"name": str(organisation.name), "area_id": organisation.area_id},
        )
    return account


def system_account_id(kind: str, area_code: str, key: str) -> int:
    """The redemption or expiry shard for a scheme, picked by the idempotency key's hash.

    Every payment-out credits a redemption account; spreading them over shards keeps those
    credits from queueing on one row (the same reason issuance is sharded). Ids are looked up
    every time rather than cached: a cache would outlive a rolled-back transaction.
    """
    assert kind in (AccountKind.REDEMPTION, AccountKind.EXPIRY)
    scheme = scheme_code(area_code)
    shard = lib.shard_for(key, int(points_setting("SHARDS")))
    found = (
        Account.objects.filter(kind=kind, area_id=scheme, shard=shard).values_list("id", flat=True).first()
    )
    if found is not None:
        return found
    with transaction.atomic():
        account, _created = Account.objects.get_or_create(
            kind=kind,
            area_id=scheme,
            shard=shard,
            defaults={"name": f"{AccountKind(kind).label} · {scheme} · {shard + 1}"},
        )
    return account.pk


def budget_shard_ids(budget: Budget) -> list[int]:
    """Issuance account ids of a budget, by shard number (fixed when the budget is opened)."""
    ids = list(
        Account.objects.filter(budget=budget, kind=AccountKind.ISSUANCE)
        .order_by("shard")
        .values_list("id", flat=True)
    )
    if len(ids) != budget.shard_count:
        raise invalid(_("This budget's accounts are incomplete."), code="points.budget_broken")
    return ids


# --- posting ------------------------------------------------------------------------------------


class Insufficient(Exception):
    """The debit's conditional update matched no row: the account would fall below its floor."""

    def __init__(self, account_id: int) -> None:
        super().__init__(account_id)
        self.account_id = account_id


@dataclass(frozen=True)
class Posted:
    transfer: Transfer
    created: bool  # False when this was an identical retry of an earlier request


def _conflict() -> ValidationError:
    return invalid(
        _(
            "This request key was already used for a different request; nothing was changed. "
            "Use a new key for a new request."
        ),
        code="points.idempotency_conflict",
    )


def replay(key: str, fingerprint: str) -> Transfer | None:
    """The earlier transfer under ``key`` if the body matches; a refusal if it does not."""
    existing = Transfer.objects.filter(idempotency_key=key).first()
    if existing is not None and existing.body_hash != fingerprint:
        raise _conflict()
    return existing


def transfer_row(
    *,
    kind: str,
    debit_id: int,
    credit_id: int,
    amount: int,
    key: str,
    fingerprint: str,
    source_type: str,
    source_id: str,
    area_code: str,
    counter_area_code: str,
    actor=None,
    memo: str = "",
    rule_code: str = "",
    reverses: Transfer | None = None,
) -> Transfer:
    """The row of one transfer, not yet written: every path that posts one builds it here."""
    return sql.built(
        Transfer,
        kind=kind,
        debit_id=debit_id,
        credit_id=credit_id,
        amount=amount,
        idempotency_key=key,
        body_hash=fingerprint,
        source_type=source_type[:60],
        source_id=str(source_id)[:64],
        rule_code=rule_code,
        reverses=reverses,
        area_id=area_code,
        counter_area_id=counter_area_code,
        memo=memo[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def move(debit_id: int, credit_id: int, amount: int) -> None:
    """Apply both balance changes, in id order; the debit is conditional on the floor."""
    for account_id, delta in sorted(((debit_id, -amount), (credit_id, amount))):
        if delta < 0:
            changed = Account.objects.filter(pk=account_id, balance__gte=F("floor") + amount).update(
                balance=F("balance") - amount
            )
            if not changed:
                raise Insufficient(account_id)
        else:
            Account.objects.filter(pk=account_id).update(balance=F("balance") + amount)


def post(
    *,
    kind: str,
    debit_id: int,
    credit_id: int,
    amount: int,
    key: str,
    fingerprint: str,
    source_type: str,
    source_id: str,
    area_code: str,
    counter_area_code: str,
    actor=None,
    memo: str = "",
    rule_code: str = "",
    reverses: Transfer | None = None,
    check_replay: bool = True,
) -> Posted:
    """Post one transfer, or replay the earlier identical one. Raises ``Insufficient``."""
    if check_replay:
        earlier = replay(key, fingerprint)
        if earlier is not None:
            return Posted(earlier, False)
    try:
        with transaction.atomic():
            transfer = transfer_row(
                kind=kind,
                debit_id=debit_id,
                credit_id=credit_id,
                amount=amount,
                key=key,
                fingerprint=fingerprint,
                source_type=source_type,
                source_id=source_id,
                area_code=area_code,
                counter_area_code=counter_area_code,
                actor=actor,
                memo=memo,
                rule_code=rule_code,
                reverses=reverses,
            )
            transfer.save()
            move(debit_id, credit_id, amount)
    except IntegrityError:
        # A concurrent request with the same key committed first: this is its retry.
        earlier = replay(key, fingerprint)
        if earlier is None:
            raise
        return Posted(earlier, False)
    return Posted(transfer, True)


def debit(account_id: int, amount: int) -> None:
    """The conditional debit alone: ``balance - amount >= floor`` or ``Insufficient``."""
    if not Account.objects.filter(pk=account_id, balance__gte=F("floor") + amount).update(
        balance=F("balance") - amount
    ):
        raise Insufficient(account_id)


def write_award_transfer(
    *,
    debit_id: int,
    credit_id: int,
    amount: int,
    key: str,
    fingerprint: str,
    source_type: str,
    source_id: str,
    area_code: str,
    counter_area_code: str,
    actor=None,
    memo: str = "",
    rule_code: str = "",
) -> Transfer:
    """The transfer row and the credit of an award; the caller applies ``debit`` itself.

    Runs inside the caller's savepoint: a duplicate key fails the insert there, and a debit
    that fails later rolls both back.
    """
    transfer = transfer_row(
        kind=TransferKind.AWARD,
        debit_id=debit_id,
        credit_id=credit_id,
        amount=amount,
        key=key,
        fingerprint=fingerprint,
        source_type=source_type,
        source_id=source_id,
        area_code=area_code,
        counter_area_code=counter_area_code,
        actor=actor,
        memo=memo,
        rule_code=rule_code,
    )
    transfer.save()
    Account.objects.filter(pk=credit_id).update(balance=F("balance") + amount)
    return transfer


def post_issuance(*, debit_ids: list[int], **fields) -> Transfer:
    """Debit the first issuance shard that can pay, then write the transfer and the credit.

    Debiting first means a shard that cannot pay writes nothing, so probing the next one needs
    no savepoint (used near exhaustion; the usual path debits last, see ``earning``).
    """
    for debit_id in debit_ids:
        try:
            debit(debit_id, fields["amount"])
        except Insufficient:
            continue
        return write_award_transfer(debit_id=debit_id, **fields)
    raise Insufficient(debit_ids[0])


def insufficient_error(account_id: int, amount: int) -> ValidationError:
    account = Account.objects.get(pk=account_id)
    if account.kind == AccountKind.ISSUANCE:
        return invalid(_("The issuing budget is used up."), code="points.budget_exhausted")
    return invalid(
        _("Not enough points: the balance of %(name)s is %(balance)d, %(amount)d are needed.")
        % {"name": account.name, "balance": account.balance, "amount": amount},
        code="points.insufficient",
    )


# --- reversals ----------------------------------------------------------------------------------

REVERSIBLE = {TransferKind.AWARD, TransferKind.PAYMENT, TransferKind.EXPIRY}


@retrying
@transaction.atomic
def transfer_reverse(
    *, transfer: Transfer, actor, reason: str, ip: str | None = None, permission_checked: bool = False
) -> Transfer:
    """Undo a transfer with a compensating one in the opposite direction (never an edit).

    An award, a merchant payment (a refund) or an expiry may be reversed once; shop orders are
    cancelled through the shop so the goods return to stock, and settlements are final.
    """
    if not permission_checked and not actor.access.can("points.reverse", transfer.area_id):
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise invalid({"reason": [_("Say why this is being reversed.")]}, code="points.reason_required")
    if transfer.kind == TransferKind.REVERSAL:
        raise invalid(
            _("A reversal cannot itself be reversed; post a new transfer instead."),
            code="points.not_reversible",
        )
    if transfer.kind not in REVERSIBLE:
        message = (
            _("Cancel the shop order instead: that also returns the goods to stock.")
            if transfer.kind == TransferKind.SHOP_ORDER
            else _("A settlement is final and cannot be reversed.")
        )
        raise invalid(message, code="points.not_reversible")
    if Transfer.objects.filter(reverses=transfer).exists():
        raise invalid(_("This transfer has already been reversed."), code="points.already_reversed")
    audit_record(
        actor=actor,
        action="points.transfer.reverse",
        object_type="points.transfer",
        object_id=str(transfer.pk),
        area_code=transfer.area_id,
        ip=ip,
        changes={"amount": transfer.amount, "reason": reason[:200]},
    )
    key = f"reverse:{transfer.pk}"
    try:
        posted = post(
            kind=TransferKind.REVERSAL,
            debit_id=transfer.credit_id,
            credit_id=transfer.debit_id,
            amount=transfer.amount,
            key=key,
            fingerprint=lib.body_fingerprint({"reverses": transfer.pk}),
            source_type="points.transfer",
            source_id=str(transfer.pk),
            area_code=transfer.area_id,
            counter_area_code=transfer.counter_area_id,
            actor=actor,
            memo=reason,
            rule_code=transfer.rule_code,
            reverses=transfer,
        )
    except Insufficient as exc:
        account = Account.objects.get(pk=exc.account_id)
        raise invalid(
            _(
                "%(name)s holds only %(balance)d points, fewer than the %(amount)d to take back: "
                "they have been spent or settled already."
            )
            % {"name": account.name, "balance": account.balance, "amount": transfer.amount},
            code="points.insufficient",
        ) from None
    if transfer.kind == TransferKind.AWARD:
        Award.objects.filter(transfer=transfer).update(status=AwardStatus.REVERSED)
    return posted.transfer


# --- verification -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerProblem:
    account_id: int | None
    name: str
    reason: str

    def __str__(self) -> str:
        where = f"account #{self.account_id:08d} ({self.name})" if self.account_id else self.name
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class LedgerReport:
    accounts: int
    transfers: int
    total: int
    problems: list[LedgerProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def ledger_verify() -> LedgerReport:
    """Recompute every balance from the transfers and check the ledger's invariants.

    Problems come in account order, so the first one names the first account that disagrees.
    """
    credits = dict(Transfer.objects.values("credit").annotate(s=Sum("amount")).values_list("credit", "s"))
    debits = dict(Transfer.objects.values("debit").annotate(s=Sum("amount")).values_list("debit", "s"))
    problems: list[LedgerProblem] = []
    total = 0
    count = 0
    for account in (
        Account.objects.order_by("id")
        .only("id", "name", "kind", "balance", "floor")
        .iterator(chunk_size=5000)
    ):
        count += 1
        computed = credits.get(account.pk, 0) - debits.get(account.pk, 0)
        total += account.balance
        if computed != account.balance:
            problems.append(
                LedgerProblem(
                    account.pk,
                    account.name,
                    f"stored balance {account.balance}, transfers add up to {computed}",
                )
            )
        elif account.kind not in SYSTEM_KINDS and account.balance < 0:
            problems.append(LedgerProblem(account.pk, account.name, f"negative balance {account.balance}"))
        elif account.balance < account.floor:
            problems.append(
                LedgerProblem(
                    account.pk, account.name, f"balance {account.balance} below its floor {account.floor}"
                )
            )
    missing = (set(credits) | set(debits)) - set(Account.objects.values_list("id", flat=True))
    if missing:
        problems.append(
            LedgerProblem(None, "ledger", f"transfers name missing accounts {sorted(missing)[:5]}")
        )
    if total != 0:
        problems.append(LedgerProblem(None, "ledger", f"balances add up to {total}, not zero"))
    for budget in Budget.objects.order_by("id"):
        floors = (
            Account.objects.filter(budget=budget, kind=AccountKind.ISSUANCE).aggregate(s=Sum("floor"))["s"]
            or 0
        )
        if -floors != budget.ceiling:
            problems.append(
                LedgerProblem(
                    None,
                    f"budget {budget.pk} ({budget.name})",
                    f"shards allot {-floors}, ceiling is {budget.ceiling}",
                )
            )
    for reversal in Transfer.objects.filter(reverses__isnull=False).select_related("reverses"):
        original = reversal.reverses
        if (reversal.debit_id, reversal.credit_id, reversal.amount) != (
            original.credit_id,
            original.debit_id,
            original.amount,
        ):
            problems.append(
                LedgerProblem(
                    None, f"transfer {reversal.pk}", f"does not mirror the transfer {original.pk} it reverses"
                )
            )
    return LedgerReport(accounts=count, transfers=Transfer.objects.count(), total=total, problems=problems)

"""A payment at a caring merchant in two statements on PostgreSQL: the common case of
``redemption.merchant_pay``.

Why. Through the ORM a payment is 13 statements (the payer's and the merchant's accounts, the
replay check, the audit chain head, the entry, the transfer, the two balances, a savepoint,
BEGIN and COMMIT); on this project's two cores that held payments at under a tenth of
pgbench's rate, where an award (``fast_award.py``) takes one or two.

What. Called on its own (not inside a caller's transaction), one statement reads the payer's
account (its area, balance and floor), the merchant's account, whether the request's key was
used before, and this connection's own audit chain head, and draws the ids of the transfer and
the audit entry. Python decides as the ORM path does — the scheme checks
(``redemption.require_in_scheme``), the key, the fingerprint, the memo, the audit entry and its
hash — and one statement of data-modifying ``WITH`` parts writes the entry and moves the head,
writes the transfer, and moves both balances, the payer's only if it stays at or above its
floor. ``gongzhi_require`` fails the whole statement unless the head moved from where it was read
(another writer on the chain: try again) and both balances moved (the payer short: the ORM path
answers, with the balance as it is then), checked in the app's one lock order — audit chain,
then the accounts in id order, as ``ledger.move`` locks them.

Anything else — no account yet, a merchant without its account, a key used before (a retry:
the ORM path replays or refuses it), a request inside a caller's transaction, a concurrent twin
(unique key) — returns None or raises ``fast_award.Miss`` with nothing written, and the ORM path
decides. ``test_fast_pay.py`` pays the same series both ways and compares what was written.
"""

# ruff: noqa: S608 - the statements here are built from model metadata; every value is a parameter

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from django.db import IntegrityError

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEntry
from gongzhi.core import sql

from ..models import Account, AccountKind, Merchant, Transfer
from . import fast_award, ledger

SHORT = "payment: the payer cannot pay"
MOVED = fast_award.MOVED


class _Read(NamedTuple):
    account_id: int
    account_area: str
    balance: int
    floor: int
    merchant_account_id: int
    used: bool  # a transfer under the request's key exists: the ORM path replays or refuses it
    chain: int | None
    seq: int | None
    prev_hash: str | None
    transfer_id: int
    entry_id: int


@cache
def _read_sql() -> str:
    col, account, transfer = sql.column, sql.table(Account), sql.table(Transfer)
    return f"""
WITH payer AS MATERIALIZED (
    SELECT {col(Account, "id")} AS account_id, {col(Account, "area")} AS account_area,
           {col(Account, "balance")} AS balance, {col(Account, "floor")} AS floor
    FROM {account} WHERE {col(Account, "user")} = %s AND {col(Account, "kind")} = %s),
till AS MATERIALIZED (
    SELECT {col(Account, "id")} AS merchant_account_id FROM {account}
    WHERE {col(Account, "organisation")} = %s AND {col(Account, "kind")} = %s
    ORDER BY {col(Account, "id")} LIMIT 1),
head AS MATERIALIZED ({{head}})
SELECT payer.*, till.*,
       EXISTS (SELECT 1 FROM {transfer}
               WHERE {col(Transfer, "idempotency_key")} = 'mpay:' || payer.account_id || ':' || %s),
       head.chain, head.seq, head.hash,
       nextval(pg_get_serial_sequence(%s, %s)), nextval(pg_get_serial_sequence(%s, %s))
FROM payer CROSS JOIN till LEFT JOIN head ON TRUE
"""


@cache
def _move_sql() -> tuple[str, str]:
    account = sql.table(Account)
    balance, floor, pk = (sql.quote(Account._meta.get_field(f).column) for f in ("balance", "floor", "id"))
    return (
        f"UPDATE {account} SET {balance} = {balance} - %s WHERE {pk} = %s AND {balance} - %s >= {floor} "
        f"RETURNING {pk}",
        f"UPDATE {account} SET {balance} = {balance} + %s WHERE {pk} = %s RETURNING {pk}",
    )


def try_pay(*, payer, merchant: Merchant, amount: int, key: str, ip: str | None) -> Transfer | None:
    """Pay ``amount`` of ``payer``'s points to ``merchant`` in two statements, or None (nothing
    written) for the ORM path to decide. Raises the scheme's refusals as the ORM path does, and
    ``fast_award.Miss`` when the write could not complete (nothing of it written); with
    ``moved`` another writer took the audit head in between and the same path may try again."""
    from .redemption import (  # here: redemption calls this module
        is_operator,
        payment_audit,
        payment_transfer,
        require_in_scheme,
    )

    head_sql, head_params = audit.own_head_sql()
    with sql.prepared_cursor() as cursor:
        cursor.execute(
            _read_sql().replace("{head}", head_sql),
            [payer.pk, AccountKind.PERSON, merchant.organisation_id, AccountKind.MERCHANT, *head_params, key]
            + sql.serial_sequences(Transfer, AuditEntry),
        )
        row = cursor.fetchone()
    if row is None:  # no account yet (the payer's or the merchant's): the ORM path opens it
        return None
    read = _Read(*row)
    if read.used or read.chain is None:  # a retry, or the chain's head not made yet
        return None
    account = sql.built(Account, id=read.account_id, area_id=read.account_area, balance=read.balance)
    require_in_scheme(merchant, account)
    if is_operator(payer, merchant):
        return None  # refused on the ORM path, with its message
    if read.balance - amount < read.floor:
        return None  # refused on the ORM path, with the balance as it is then
    entry = audit.audit_entry_after(
        read.chain, read.seq, read.prev_hash, actor=payer, **payment_audit(merchant, account.pk, amount, ip)
    )
    entry.pk = read.entry_id
    transfer = ledger.transfer_row(
        **payment_transfer(merchant, account, amount, key), credit_id=read.merchant_account_id, actor=payer
    )
    transfer.pk = read.transfer_id
    debit_sql, credit_sql = _move_sql()
    moves = sorted(
        [
            ("debit", account.pk, debit_sql, [amount, account.pk, amount], SHORT),
            ("credit", read.merchant_account_id, credit_sql, [amount, read.merchant_account_id], MOVED),
        ],
        key=lambda move: move[1],
    )
    parts = [
        *audit.entry_write_parts(entry),
        ("transfer", *sql.insert_row(transfer)),
        *((name, text, values) for name, _id, text, values, _message in moves),
    ]
    # Rows are locked in the order of the checks: the head, then the accounts in id order.
    checks = [("audit_head", MOVED), *((name, message) for name, _id, _text, _values, message in moves)]
    try:
        fast_award.guarded_write(parts, checks)
    except IntegrityError:  # a concurrent twin of this request took the key: the ORM path replays
        raise fast_award.Miss() from None
    except fast_award.Refused as refused:
        moved = refused.message == MOVED
        if moved:
            audit.own_chain_lost()
        raise fast_award.Miss(moved=moved) from None
    audit.own_head_written(entry)
    transfer._state.adding = entry._state.adding = False
    return transfer

"""An award in one or two statements on PostgreSQL: the common case of ``earning.points_award``.

Why. Every award debits an issuance shard, credits a person, writes the transfer, the award,
the person's cap counter and an audit entry. Through the ORM that is 17 statements; on this
project's two-core machine each statement costs the client and the database about the same
whatever it does, so the count *is* the throughput: 16 clients managed a twentieth of
pgbench's TPC-B rate (bench/README.md, "Points ledger"), the issue asks for 0.3.

What. One statement reads what the award is decided on: the rule that applies at the place of
the deed (the most specific area first) with its budget, the beneficiary's account, an audit
chain head and the person's cap counter for the rule and month, and draws the ids of the rows to
write. Python decides exactly as the ORM path does — the same cap arithmetic
(``earning.cap_allowance``), status, home shard, fingerprint, audit entry and hash — and one
statement of data-modifying ``WITH`` parts writes the audit entry and head, the transfer, the
award, the credit, the counter and the conditional debit of the key's home shard. Rows are built
as model instances and written with their fields' own conversions (``gongzhi.core.sql``).

Three ways to hold what was read until it is written:

* Called on its own (the usual case: a service's own call), each statement is its own
  transaction and nothing is locked in between — no BEGIN, no COMMIT, no row held while Python
  decides. The head read is this connection's own chain (``audit.own_head_sql``); the write
  moves the head and the counter only from what was read and ends in ``gongzhi_require``
  (``points/migrations/0002_require_function.py``), which fails the whole statement unless the
  head and the counter moved and the home shard paid. Another writer in between (rare: each
  connection keeps to a chain of its own) is a ``Miss`` with ``moved``: the caller tries again.
  On this project's two cores this took about a sixth off the machine's CPU per award against
  the locked form (1.8 → 1.5 ms; bench/README.md, "Points ledger").
* Called on its own under a rule this process has paid under before at the same place — for
  anyone, not only a person it paid before — an award does not read at all (one statement).
  What that read found and stays put (the rule and its budget: ``_known``) is checked by the
  write against what the read would find now (``_known_sql``: a rule changed, switched off or
  outdone by a more specific one, a budget closed — the write fails and the award reads
  afresh). The write finds the beneficiary's account itself (``_filled_sql``); what covers it —
  the award's fingerprint and the audit entry's hash — is hashed by the statement from the
  texts Python wrote with a placeholder for the account (``_FILL``), byte for byte what Python
  would hash. The head is the one the connection's own last write left (``audit.own_head``);
  the cap counter is made or moved by the grant only if the whole of it fits (otherwise, or
  with no account yet, the award reads and may pay part); ids come in blocks (``_next_ids``).
* Inside a caller's transaction (the ticket engine's reward hook, a check-out), the read locks
  the head (one nobody holds: ``SKIP LOCKED``) and then the counter until commit — the app's one
  lock order: audit chain, then ledger rows — and the issuance shard is locked from the write to
  COMMIT only. The guards of the write then always hold.

Everything else is the ORM path's (``earning._award``), which handles every case and is the
only path on SQLite: ``try_award`` returns None before writing when there is no rule or no
account yet, every audit head is held, the budget is closed or the person is capped out; and
it raises ``Miss`` when the write cannot complete — a duplicate deed (unique keys), a home shard
too short to pay, a cap counter created meanwhile by a concurrent award — after which nothing
of it remains (the caller rolls its savepoint back; outside a transaction the statement failed
whole) and the ORM path decides. The points tests run on both databases; ``test_fast_award.py``
checks the paths write the same rows, in and outside a transaction, and that a writer in
between makes the award try again rather than fork the chain or lose a cap update.
"""

# ruff: noqa: S608 - the statements here are built from model metadata; every value is a parameter

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from typing import NamedTuple

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEntry
from gongzhi.core import sql
from gongzhi.lib import points as lib

from ..conf import points_setting
from ..models import Account, AccountKind, Award, AwardCounter, Budget, EarningRule, Transfer, TransferKind
from . import earning, ledger

REQUIRE_SQLSTATE = "GZ001"  # raised by gongzhi_require (points/migrations/0002_require_function.py)
MOVED = "award: the audit head or the cap counter moved since the read"
SHORT = "award: the home shard cannot pay"
UNREAD = "award: without a read, no account or the caps would cut the grant"


class Miss(Exception):
    """The write statement could not complete the award: roll back and decide again.

    ``moved``: outside a transaction, another writer took the head or the counter between the
    read and the write; the two statements may simply be tried again. ``read``: an award that
    did not read found no account or a counter the whole grant does not fit: try again with the
    read (``use_known=False``). Otherwise the ORM path decides (a duplicate deed, a short home
    shard, a first counter created meanwhile).
    """

    def __init__(self, *, moved: bool = False, read: bool = False) -> None:
        super().__init__("moved" if moved else "read first" if read else "decide on the ORM path")
        self.moved, self.read = moved, read


# What an award's read found that stays put from one award to the next, per process: the rule
# that applied at the place of the deed and its budget, by (rule code, place). An award outside a
# transaction that finds them here does not read: its write checks them against the rows as
# they are then (``_known_sql``), finds the beneficiary's account itself (``_filled_sql``), moves
# or makes the cap counter only if the whole grant fits, and follows the head its connection's
# last write left (``audit.own_head``). Anything that moved fails the write; the award then reads.
_known: dict[tuple, tuple] = {}
_KNOWN_MAX = 10_000  # entries; the cache starts afresh beyond that
_ID_BLOCK = 32  # ids of the three rows an award inserts, drawn per connection this many at a time

# What only the write of an award that did not read finds — the beneficiary's account and area,
# and so the award's fingerprint and the audit entry's hash, which cover the account — is put in
# the rows and hashed texts as these strings and filled in by the statement (``_FILL``). A
# control character is always escaped in JSON, so their JSON forms ("\u0001gz:...") appear only
# where a value is exactly such a string (or a user's text ends in a quote and one of them); the
# award counts them before sending and reads instead if there are more than it put there.
_ACCOUNT, _AREA, _FINGERPRINT, _HASH = "\x01gz:account", "\x01gz:area", "\x01gz:fingerprint", "\x01gz:hash"
_MARKS = 9  # in the fingerprint's text 1, the entry's hashed text 1, its row 2, transfer 3, award 2
_TOKEN = json.dumps("\x01gz:")[:-1]  # how each of them begins in JSON text


def _mark(value: str) -> str:
    """The SQL literal of a placeholder's JSON form, quotes included."""
    return "'" + json.dumps(value) + "'"


def forget() -> None:
    """Drop what earlier awards of this process found (tests; a deployment never needs to: every
    entry is checked by the write that uses it)."""
    _known.clear()
    audit.own_chain_lost()


def _known_read(key: tuple, quantity: int) -> _Read | None:
    """The rule and budget an earlier award found for ``key``, with this connection's own head,
    fresh ids and placeholders for the account, or None (never found, the head not known, or a
    grant the caps would cut even from nothing: then read)."""
    found = _known.get(key)
    if found is None:
        return None
    head = audit.own_head()
    if head is None:
        return None
    rule = _Read(*found, *[None] * (len(_Read._fields) - _KNOWN_WIDTH))
    requested = rule.points * quantity
    if any(cap is not None and requested > cap for cap in (rule.daily_cap, rule.monthly_cap)):
        return None
    transfer_id, award_id, entry_id = _next_ids()
    chain, seq, prev_hash = head
    return rule._replace(
        account_id=_ACCOUNT, account_area=_AREA, chain=chain, seq=seq, prev_hash=prev_hash,
        transfer_id=transfer_id, award_id=award_id, entry_id=entry_id,
    )  # fmt: skip


def _lost(key: tuple) -> None:
    """Something the award took as known had moved: read it all afresh next time."""
    _known.pop(key, None)
    audit.own_chain_lost()


def _next_ids() -> tuple[int, int, int]:
    """Ids for an award's transfer, award and audit entry, drawn ``_ID_BLOCK`` at a time per
    connection (a sequence never hands a value out twice; unused ones are gaps, as after a
    rollback)."""
    connection = transaction.get_connection()
    block = getattr(connection, "_gongzhi_award_ids", None)
    if not block:
        block = connection._gongzhi_award_ids = [
            tuple(row)
            for row in sql.fetch(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)), nextval(pg_get_serial_sequence(%s, %s)), "
                "nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [*sql.serial_sequences(Transfer, Award, AuditEntry), _ID_BLOCK],
            )
        ]
    return block.pop()


class Refused(Exception):
    """A part of a guarded write did not do its work: ``message`` says which check failed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def guarded_write(parts: list[tuple[str, str, list]], checks: list[tuple[str, str]], returning=()) -> tuple:
    """One statement of data-modifying ``WITH`` parts ``(name, statement, parameters)`` that fails
    whole unless each checked part returned exactly one row: ``gongzhi_require`` raises the
    check's message (``Refused``). A part that changes rows runs when the final SELECT first reads
    it (the others at the end), so the order of ``checks`` is the order rows are locked in.
    ``returning``: SQL expressions whose values the call returns. A unique key that another
    writer took first is the ``IntegrityError`` it is (``constraint_of`` names the key)."""
    statement = "WITH " + ", ".join(f"{name} AS ({text})" for name, text, _ in parts)
    statement += " SELECT " + ", ".join(
        [f"gongzhi_require((SELECT count(*) FROM {name}) = 1, '{message}')" for name, message in checks]
        + list(returning)
    )
    try:
        with sql.prepared_cursor() as cursor:
            cursor.execute(statement, [p for _, _, values in parts for p in values])
            return tuple(cursor.fetchone()[len(checks) :])
    except IntegrityError:
        raise
    except DatabaseError as exc:
        diag = getattr(exc.__cause__, "diag", None)
        if getattr(diag, "sqlstate", None) != REQUIRE_SQLSTATE:
            raise
        raise Refused(diag.message_primary) from None


def constraint_of(exc: IntegrityError) -> str | None:
    return getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)


# Unique keys a concurrent writer can take between an unlocked read and the write: the audit
# chain's next sequence, and the person's first cap counter of the month.
_RACES = {"audit_chain_seq_unique", "points_counter_unique"}


def enabled(connection) -> bool:
    return connection.vendor == "postgresql" and bool(points_setting("FAST_AWARDS"))


@cache
def _rule_and_account_sql(owner_column: str) -> tuple[str, str]:
    """The rule that applies at the place of the deed (the most specific area first) with its
    budget, and the beneficiary's account: parameters (code, area chain, area chain) and (owner,
    kind). The read selects them; an award that did not read checks them (``_known_sql``)."""
    rule, budget, account = (sql.table(m) for m in (EarningRule, Budget, Account))
    col = sql.column
    return (
        f"""
    SELECT {col(EarningRule, "id", "r")} AS rule_id, {col(EarningRule, "points", "r")} AS points,
           {col(EarningRule, "daily_cap", "r")} AS daily_cap, {col(EarningRule, "monthly_cap", "r")} AS monthly_cap,
           {col(Budget, "id", "b")} AS budget_id, {col(Budget, "area", "b")} AS budget_area,
           {col(Budget, "shard_count", "b")} AS shard_count, {col(Budget, "created_at", "b")} AS budget_created,
           {col(Budget, "active", "b")} AS budget_active, {col(Budget, "valid_from", "b")} AS valid_from,
           {col(Budget, "valid_until", "b")} AS valid_until
    FROM {rule} r JOIN {budget} b ON {col(Budget, "id", "b")} = {col(EarningRule, "budget", "r")}
    WHERE {col(EarningRule, "code", "r")} = %s AND {col(EarningRule, "active", "r")}
          AND {col(EarningRule, "area", "r")} = ANY(%s)
    ORDER BY array_position(%s::varchar[], {col(EarningRule, "area", "r")}::varchar) LIMIT 1""",
        f"""
    SELECT {col(Account, "id")} AS account_id, {col(Account, "area")} AS account_area FROM {account}
    WHERE {owner_column} = %s AND {col(Account, "kind")} = %s""",
    )


@cache
def _known_sql() -> str:
    """A row only if the rule and budget an award found earlier are still what the read would
    find now, column for column (a rule changed or switched off, a more specific rule added, a
    budget closed or changed: no row). Parameters: the rule's of ``_rule_and_account_sql``, then
    the first ``_KNOWN_WIDTH`` values of the earlier ``_Read``."""
    rule, _account = _rule_and_account_sql("")
    columns = ", ".join(_Read._fields[:_KNOWN_WIDTH])
    return f"SELECT 1 FROM ({rule}) rule WHERE ({columns}) IS NOT DISTINCT FROM ({sql.placeholders(_KNOWN_WIDTH)})"


@cache
def _filled_sql(owner_column: str) -> str:
    """For an award that did not read: the beneficiary's account and area, the award's
    fingerprint and the audit entry's hash (SHA-256 of their texts with the account filled in,
    as ``lib.body_fingerprint`` and ``AuditEntry.compute_hash`` compute them). Parameters: the
    fingerprint's text, the entry's hashed text, then the account's of ``_rule_and_account_sql``."""
    _rule, account = _rule_and_account_sql(owner_column)
    hashed = f"encode(sha256(convert_to(replace(%s, {_mark(_ACCOUNT)}, account_id::text), 'UTF8')), 'hex')"
    return f"SELECT account_id, account_area, {hashed} AS fingerprint, {hashed} AS entry_hash FROM ({account}) account"


# A row's JSON text (``%s``) with what ``filled`` found in place of the placeholders.
_FILL = (
    f"replace(replace(replace(replace(%s, {_mark(_ACCOUNT)}, filled.account_id::text), "
    f"{_mark(_AREA)}, to_json(filled.account_area)::text), "
    f"{_mark(_FINGERPRINT)}, '\"' || filled.fingerprint || '\"'), "
    f"{_mark(_HASH)}, '\"' || filled.entry_hash || '\"')"
)


@cache
def _read_sql(owner_column: str, locking: bool) -> str:
    """The read statement, without its audit-head part (which depends on the transaction).

    ``locking`` (inside a transaction): the cap counter is locked until commit; outside one
    nothing is locked, and the write checks that the counter has not moved since.
    """
    counter = sql.table(AwardCounter)
    col = sql.column
    rule, account = _rule_and_account_sql(owner_column)
    return f"""
WITH rule AS MATERIALIZED ({rule}),
account AS MATERIALIZED ({account}),
head AS MATERIALIZED ({{head}}),
counter AS MATERIALIZED (
    SELECT {col(AwardCounter, "id")} AS counter_id, {col(AwardCounter, "day")} AS day,
           {col(AwardCounter, "day_points")} AS day_points, {col(AwardCounter, "month_points")} AS month_points
    FROM {counter}
    WHERE {col(AwardCounter, "account")} = (SELECT account_id FROM account)
          AND {col(AwardCounter, "rule_code")} = %s AND {col(AwardCounter, "month")} = %s
          AND EXISTS (SELECT 1 FROM head)
    {"FOR UPDATE" if locking else ""})
SELECT rule.*, account.*, head.chain, head.seq, head.hash, counter.*,
       nextval(pg_get_serial_sequence(%s, %s)), nextval(pg_get_serial_sequence(%s, %s)),
       nextval(pg_get_serial_sequence(%s, %s)),
       CASE WHEN counter.counter_id IS NULL THEN nextval(pg_get_serial_sequence(%s, %s)) END
FROM rule CROSS JOIN account LEFT JOIN head ON TRUE LEFT JOIN counter ON TRUE
"""


@cache
def _update_sql() -> dict[str, str]:
    account, counter = sql.table(Account), sql.table(AwardCounter)
    col = lambda m, f: sql.quote(m._meta.get_field(f).column)  # noqa: E731 - local shorthand
    balance, floor, pk = col(Account, "balance"), col(Account, "floor"), col(Account, "id")
    day, day_points = col(AwardCounter, "day"), col(AwardCounter, "day_points")
    so_far_excluded = f"(CASE WHEN c.{day} = EXCLUDED.{day} THEN c.{day_points} ELSE 0 END)"
    return {
        "credit": f"UPDATE {account} SET {balance} = {balance} + %s WHERE {pk} = %s RETURNING {pk}",
        "credit_filled": f"UPDATE {account} SET {balance} = {balance} + %s "
        f"WHERE {pk} = (SELECT account_id FROM filled) RETURNING {pk}",
        "debit": f"UPDATE {account} SET {balance} = {balance} - %s WHERE {pk} = %s AND {balance} - %s >= {floor} "
        f"RETURNING {pk}",
        # Only from the totals read (always so under the read's lock); a row back when it moved.
        "counter": f"UPDATE {counter} SET {col(AwardCounter, 'day')} = %s, {col(AwardCounter, 'day_points')} = %s, "
        f"{col(AwardCounter, 'month_points')} = %s WHERE {col(AwardCounter, 'id')} = %s "
        f"AND {col(AwardCounter, 'day')} = %s AND {col(AwardCounter, 'day_points')} = %s "
        f"AND {col(AwardCounter, 'month_points')} = %s RETURNING {col(AwardCounter, 'id')}",
        # Without a read: the account's counter for the rule and month made with the grant, or
        # moved by it, only if the whole of it fits under both caps (the new one always does:
        # ``_known_read``). Parameters: rule code, month, today, grant, then each cap twice.
        "counter_by": f"INSERT INTO {counter} AS c ({col(AwardCounter, 'account')}, {col(AwardCounter, 'rule_code')}, "
        f"{col(AwardCounter, 'month')}, {col(AwardCounter, 'day')}, {col(AwardCounter, 'day_points')}, "
        f"{col(AwardCounter, 'month_points')}) "
        "SELECT account_id, %s, %s, %s::date, g, g FROM filled, (SELECT %s::integer AS g) grant_ "
        f"ON CONFLICT ({col(AwardCounter, 'account')}, {col(AwardCounter, 'rule_code')}, {col(AwardCounter, 'month')}) "
        f"DO UPDATE SET {col(AwardCounter, 'day')} = EXCLUDED.{col(AwardCounter, 'day')}, "
        f"{col(AwardCounter, 'day_points')} = {so_far_excluded} + EXCLUDED.{col(AwardCounter, 'day_points')}, "
        f"{col(AwardCounter, 'month_points')} = c.{col(AwardCounter, 'month_points')} "
        f"+ EXCLUDED.{col(AwardCounter, 'month_points')} "
        f"WHERE (%s::integer IS NULL OR {so_far_excluded} + EXCLUDED.{col(AwardCounter, 'day_points')} <= %s) "
        f"AND (%s::integer IS NULL OR c.{col(AwardCounter, 'month_points')} "
        f"+ EXCLUDED.{col(AwardCounter, 'month_points')} <= %s) RETURNING 1",
    }


def try_award(
    *,
    rule_code: str,
    area_chain: list[str],
    user_id: int | None,
    organisation_id: int | None,
    source_type: str,
    source_id: str,
    area_code: str,
    quantity: int,
    actor,
    note: str,
    ip: str | None,
    use_known: bool = True,
) -> earning.AwardOutcome | None:
    """Pay one award in two statements (one with ``use_known`` and a rule this process knows),
    or None (nothing written) for the ORM path to decide.

    Inside a transaction the read locks the audit chain head and the cap counter until commit.
    Outside one (the caller's own call, not inside a block of its own) each statement is its own
    transaction and nothing is held between them: the write moves the head and the counter only
    from what was read, and fails whole when either moved or the home shard cannot pay.

    Raises ``Miss`` when the write could not complete (nothing of it remains once the caller has
    rolled back; outside a transaction nothing was written); ``Miss.moved``: another writer got
    to the head or the counter first, and the same path may simply try again.
    """
    connection = transaction.get_connection()
    locking = connection.in_atomic_block
    owner, kind, owner_id = (
        (sql.quote(Account._meta.get_field("user").column), AccountKind.PERSON, user_id)
        if organisation_id is None
        else (
            sql.quote(Account._meta.get_field("organisation").column),
            AccountKind.ORGANISATION,
            organisation_id,
        )
    )
    month = earning.counter_month()
    known_key = (rule_code, area_chain[0])
    read = _known_read(known_key, quantity) if use_known and not locking else None
    known = read is not None  # checked by the write, not read now; the account found by it
    if read is None:
        read = _read(owner, kind, owner_id, rule_code, area_chain, month, locking=locking, wait=False)
    if locking and read is not None and read.chain is None:  # every audit head is held: wait for one
        read = _read(owner, kind, owner_id, rule_code, area_chain, month, locking=True, wait=True)
    if read is None:  # no rule here, or no account yet
        return None
    (rule_id, points, daily_cap, monthly_cap, budget_id, budget_area, shard_count, budget_created,
     budget_active, valid_from, valid_until, account_id, account_area, chain, seq, prev_hash,
     counter_id, day, day_points, month_points, transfer_id, award_id, entry_id, new_counter_id) = read  # fmt: skip
    if chain is None:  # the head's row does not exist yet: the ORM path creates it
        return None
    if locking:
        audit.head_taken(chain)  # from here on this transaction's chain, whichever path writes
    budget = sql.built(
        Budget,
        id=budget_id,
        area_id=budget_area,
        shard_count=shard_count,
        created_at=budget_created,
        active=budget_active,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    rule = sql.built(
        EarningRule,
        id=rule_id,
        code=rule_code,
        points=points,
        daily_cap=daily_cap,
        monthly_cap=monthly_cap,
        budget=budget,
    )
    requested = points * quantity
    capped = daily_cap is not None or monthly_cap is not None
    grant = (  # a missing counter (the month's first award) counts nothing yet
        earning.cap_allowance(
            rule, requested, day=day, day_points=day_points or 0, month_points=month_points or 0
        )
        if capped
        else requested
    )
    if grant <= 0 or not earning.budget_open(budget):
        return None  # recorded as capped or refused by the ORM path, under the head just taken

    award = earning.new_award(
        rule_id=rule_id,
        rule_code=rule_code,
        source_type=source_type,
        source_id=source_id,
        account_id=account_id,
        area_code=area_code,
        quantity=quantity,
        requested=requested,
        note=note,
        actor=actor,
        hashed=not known,  # else the write fills in the account, and so the hashes that cover it
    )
    award.pk, award.transfer_id, award.paid = award_id, transfer_id, grant
    award.status, award.reason = earning.paid_status(grant, requested)
    audited = earning.award_audit(award, ip)
    entry = audit.audit_entry_after(chain, seq, prev_hash, actor=actor, hashed=not known, **audited)
    entry.pk = entry_id
    if known:
        hashed = [
            lib.canonical_json(
                earning.award_body(rule_code, source_type, source_id, _ACCOUNT, quantity, area_code)
            ),
            entry.canonical().decode(),
        ]
        award.body_hash, entry.hash = _FINGERPRINT, _HASH
    key = earning.award_key(rule_code, source_type, source_id)
    transfer = ledger.transfer_row(
        kind=TransferKind.AWARD,
        debit_id=earning.shard_ids(budget)[lib.probe_order(key, shard_count)[0]],
        credit_id=account_id,
        amount=grant,
        key=key,
        fingerprint=award.body_hash,
        source_type=source_type,
        source_id=source_id,
        area_code=account_area,
        counter_area_code=budget_area,
        actor=actor,
        memo=note,
        rule_code=rule_code,
    )
    transfer.pk = transfer_id
    updates = _update_sql()
    today = timezone.localdate()
    fill = {"json_sql": _FILL, "using": "filled"} if known else {}
    filled_hash = {"hash_sql": "SELECT entry_hash FROM filled"} if known else {}
    rows = [
        *audit.entry_write_parts(entry, **fill, **filled_hash),
        ("transfer", *sql.insert_row(transfer, **fill)),
        ("award", *sql.insert_row(award, **fill)),
    ]
    parts: list[tuple[str, str, list]] = rows
    if known:
        texts = [*hashed, *(values[0] for name, _, values in rows if name != "audit_head")]
        if sum(text.count(_TOKEN) for text in texts) != _MARKS:
            raise Miss(read=True)  # a value of the deed's looks like a placeholder: read, fill in here
        parts = [
            ("known", _known_sql(), [rule_code, area_chain, area_chain, *read[:_KNOWN_WIDTH]]),
            ("filled", _filled_sql(owner), [*hashed, owner_id, kind]),
            *rows,
            ("credit", updates["credit_filled"], [grant]),
        ]
    else:
        parts.append(("credit", updates["credit"], [grant, account_id]))
    if capped and known:  # the whole grant, if it fits under the caps
        parts.append(
            (
                "counter",
                updates["counter_by"],
                [rule_code, month, today, grant, daily_cap, daily_cap, monthly_cap, monthly_cap],
            )
        )
    elif capped and counter_id is not None:
        same_day = day == today
        parts.append(
            (
                "counter",
                updates["counter"],
                [today, (day_points if same_day else 0) + grant, month_points + grant, counter_id]
                + [day, day_points, month_points],
            )
        )
    elif capped:  # the month's first: a concurrent first award makes this insert fail (Miss)
        counter = sql.built(
            AwardCounter,
            id=new_counter_id,
            account_id=account_id,
            rule_code=rule_code,
            month=month,
            day=today,
            day_points=grant,
            month_points=grant,
        )
        text, values = sql.insert_row(counter)
        parts.append(("counter", f"{text} RETURNING 1", values))
    parts.append(("debit", updates["debit"], [grant, transfer.debit_id, grant]))
    # Every part runs to completion whatever the others matched: the statement fails (and, its
    # own transaction or rolled back by the caller, writes nothing) unless all of them did. The
    # checks follow the app's one lock order — audit chain, counter, the person's account, the
    # issuance shard last (as on the ORM path; the other way round, a write here and an award
    # there each held what the other waited for). An award that did not read finds no account,
    # or a counter the grant does not fit whole, as UNREAD: it reads next (nothing it took as
    # known has moved).
    checks = [("known", MOVED), ("filled", UNREAD)] if known else []
    checks += [
        ("audit_head", MOVED),
        *([("counter", UNREAD if known else MOVED)] if capped else []),
        ("credit", MOVED),
        ("debit", SHORT),
    ]
    try:
        found = guarded_write(
            parts, checks, [f"(SELECT {column} FROM filled)" for column in _FILLED if known]
        )
    except IntegrityError as exc:  # a duplicate deed, or a first counter or entry written meanwhile
        moved = not locking and constraint_of(exc) in _RACES
        if moved:
            _lost(known_key)
        raise Miss(moved=moved) from None
    except Refused as refused:
        # MOVED: the head, the counter or (known) the rule or budget moved since they were read;
        # SHORT: the home shard cannot pay, the ORM path probes the others and pools.
        if refused.message == UNREAD:
            raise Miss(read=True) from None
        moved = refused.message == MOVED
        if moved and not locking:
            _lost(known_key)
        raise Miss(moved=moved) from None
    if known:
        account_id, account_area, fingerprint, entry_hash = found
        award.account_id, award.body_hash = account_id, fingerprint
        transfer.credit_id, transfer.area_id, transfer.body_hash = account_id, account_area, fingerprint
        entry.changes["account"], entry.hash = account_id, entry_hash
    if not locking:
        audit.own_head_written(entry)
        if not known:
            if len(_known) >= _KNOWN_MAX:
                _known.clear()
            _known[known_key] = tuple(read[:_KNOWN_WIDTH])
    award._state.adding = entry._state.adding = False
    return earning.AwardOutcome(paid_now=True, points=grant, reason=award.reason, award=award)


class _Read(NamedTuple):
    """One row of the read-and-lock statement (None columns: no head free, no counter yet)."""

    rule_id: int
    points: int
    daily_cap: int | None
    monthly_cap: int | None
    budget_id: int
    budget_area: str
    shard_count: int
    budget_created: datetime
    budget_active: bool
    valid_from: date
    valid_until: date | None
    account_id: int
    account_area: str
    chain: int | None
    seq: int | None
    prev_hash: str | None
    counter_id: int | None
    day: date | None
    day_points: int | None
    month_points: int | None
    transfer_id: int  # drawn for the rows the write inserts
    award_id: int
    entry_id: int
    new_counter_id: int | None  # drawn when the person has no counter for the rule this month


# The rule-and-budget columns of a read: what an award may take as known.
_KNOWN_WIDTH = _Read._fields.index("valid_until") + 1
# What the write of an award that did not read found, returned after its checks.
_FILLED = ("account_id", "account_area", "fingerprint", "entry_hash")


def _read(
    owner: str,
    kind: str,
    owner_id: int,
    rule_code: str,
    area_chain: list[str],
    month: str,
    *,
    locking: bool,
    wait: bool,
) -> _Read | None:
    only_if = "EXISTS (SELECT 1 FROM rule) AND EXISTS (SELECT 1 FROM account)"
    head_sql, head_params = (
        audit.head_lock_sql(only_if=only_if, wait=wait) if locking else audit.own_head_sql(only_if)
    )
    with sql.prepared_cursor() as cursor:
        cursor.execute(
            _read_sql(owner, locking).replace("{head}", head_sql),
            [rule_code, area_chain, area_chain, owner_id, kind, *head_params, rule_code, month]
            + sql.serial_sequences(Transfer, Award, AuditEntry, AwardCounter),
        )
        row = cursor.fetchone()
    return _Read(*row) if row is not None else None

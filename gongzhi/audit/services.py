"""Writing to and verifying the audit log. Every service that writes calls ``audit_record``."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gongzhi.core import sql

from .models import GENESIS, AuditChainHead, AuditEntry

# Field names whose values are never written in clear, whatever a caller passes.
SENSITIVE_KEYS = ("password", "id_number", "mobile", "phone", "secret", "token", "totp")


def _mask_changes(changes: dict) -> dict:
    def clean(key: str, value):
        if isinstance(value, dict):
            return {k: clean(k, v) for k, v in value.items()}
        if any(s in key.lower() for s in SENSITIVE_KEYS) and not key.lower().endswith("_masked"):
            return "***"
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        return str(value)

    return {k: clean(k, v) for k, v in (changes or {}).items()}


def _chain_count() -> int:
    return max(1, int(settings.GONGZHI.get("AUDIT_CHAINS", 1)))


def chain_heads_create(using: str = "default") -> None:
    """Create the heads of chains 0 … AUDIT_CHAINS − 1 that do not exist yet (after migrating).

    A head nobody holds can be taken without waiting (``SKIP LOCKED``) only if its row exists;
    created lazily, the first heads of a new database were the only ones to choose from.
    """
    AuditChainHead.objects.using(using).bulk_create(
        [AuditChainHead(chain=chain) for chain in range(_chain_count())], ignore_conflicts=True
    )


def _head_for_this_transaction() -> AuditChainHead:
    """The head of this transaction's chain, locked until commit: one chain per transaction.

    A transaction that appended to two chains could hold one head while waiting for the other,
    held by a transaction waiting the opposite way: a deadlock (seen with concurrent service
    orders, each audited on submission and on dispatch). So the first entry picks the chain and
    every later entry of the same transaction reuses it.

    The first entry takes a head nobody holds (``FOR UPDATE SKIP LOCKED``, at random among the
    free ones) where the database can, so with more chains than transactions writing at once no
    audited write queues behind another's audit entry, however long that transaction runs on.
    Only when every head is held (or on SQLite, which serialises writers anyway) does it wait, for
    a random one. Skipping never waits, so it adds no lock cycle: the one lock order stays "audit
    chain first, then the rows the service changes" (see ``gongzhi.points.services.earning``).

    "This transaction" is recognised by a marker among its on-commit callbacks: Django drops them
    when the transaction (or the savepoint that wrote the first entry) rolls back, so a retry after
    a rollback picks afresh, as it must to get out of a lock cycle.
    """
    connection = transaction.get_connection()
    held = _held_chain(connection)
    if held is not None:
        return AuditChainHead.objects.select_for_update().get(chain=held)  # ours: no wait
    count = _chain_count()
    head = None
    if connection.features.has_select_for_update_skip_locked:
        rows = sql.fetch(_head_sql(), [count])
        head = _HEAD.instance(rows[0]) if rows else None
    if head is None:  # every head held, not all created yet, or no SKIP LOCKED: wait for one
        chain = random.randrange(count)  # noqa: S311 - load spreading, not security
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(chain=chain)
    _mark_chain(connection, head.chain)
    return head


def _mark_chain(connection, chain: int) -> None:
    """Remember ``chain`` as this transaction's (see ``_head_for_this_transaction``)."""

    def marker() -> None:
        """Runs at commit; its presence in the pending callbacks means "same transaction"."""

    transaction.on_commit(marker)
    connection._gongzhi_audit_chain = (marker, chain)


def _held_chain(connection) -> int | None:
    held = getattr(connection, "_gongzhi_audit_chain", None)
    if held is not None and any(callback[1] is held[0] for callback in connection.run_on_commit):
        return held[1]
    return None


def head_lock_sql(only_if: str = "TRUE", *, wait: bool = False) -> tuple[str, list]:
    """PostgreSQL: a SELECT of ``chain, seq, hash`` that locks this transaction's chain head.

    The same choice as ``audit_record`` makes, for a service that reads everything it needs in
    one statement (``gongzhi.points.services.fast_award``): this transaction's own chain if it
    already wrote an entry, else a head nobody holds (``SKIP LOCKED``), else no row at all —
    the caller then takes the ordinary path, which waits for one. Call ``head_taken`` with the
    chain of the row it returned. ``only_if``: an SQL condition without parameters (e.g. on
    other parts of the caller's statement) under which a head is taken at all. ``wait``: when
    none was free, wait for a head chosen at random, as ``audit_record`` does.
    """
    held = _held_chain(transaction.get_connection())
    if held is not None:
        return _head_sql(only_if, free=False), [held]
    if wait:
        return _head_sql(only_if, free=False), [random.randrange(_chain_count())]  # noqa: S311 - load spreading
    return _head_sql(only_if), [_chain_count()]


def own_head_sql(only_if: str = "TRUE") -> tuple[str, list]:
    """PostgreSQL, outside a transaction: a SELECT of ``chain, seq, hash`` of this connection's own
    chain, unlocked, for a caller that writes its entry in one statement a moment later.

    Nothing is held between the read and that write, so the write must find the head where it
    was read (``entry_write_parts`` moves it only from the sequence read, and the caller fails the
    statement when it did not move). Each connection keeps to a chain of its own, picked at
    random, so two writers rarely share one; after a conflict ``own_chain_lost`` picks another.
    Writers inside transactions lock the head as ever (``head_lock_sql``) and win such a race.
    """
    connection = transaction.get_connection()
    chain = getattr(connection, "_gongzhi_own_chain", None)
    if chain is None or chain >= _chain_count():
        chain = connection._gongzhi_own_chain = random.randrange(_chain_count())  # noqa: S311 - load spreading
    return _head_sql(only_if, free=False, lock=False), [chain]


def own_chain_lost() -> None:
    """Another writer moved this connection's chain between its read and its write: pick another."""
    connection = transaction.get_connection()
    connection._gongzhi_own_chain = connection._gongzhi_own_head = None


def own_head_written(entry: AuditEntry) -> None:
    """This connection just appended ``entry`` to its own chain, outside a transaction, committed:
    the head is there now unless another writer moves it (``own_head``)."""
    connection = transaction.get_connection()
    if getattr(connection, "_gongzhi_own_chain", None) == entry.chain:
        connection._gongzhi_own_head = (entry.chain, entry.seq, entry.hash)


def own_head() -> tuple[int, int, str] | None:
    """``(chain, seq, hash)`` of this connection's own chain as its last write left it, if known:
    a writer may take it as the head to follow without reading it, since ``entry_write_parts``
    moves the head only from there (another writer in between fails the write, which then calls
    ``own_chain_lost``)."""
    connection = transaction.get_connection()
    head = getattr(connection, "_gongzhi_own_head", None)
    if (
        head is None
        or head[0] != getattr(connection, "_gongzhi_own_chain", None)
        or head[0] >= _chain_count()
    ):
        return None
    return head


def entry_write_parts(
    entry: AuditEntry, *, json_sql: str = "%s", using: str = "", hash_sql: str | None = None
) -> list[tuple[str, str, list]]:
    """``(name, statement, parameters)`` that append ``entry`` (from ``audit_entry_after``, its id
    drawn) and move its chain head, as parts of a caller's single ``WITH`` statement (PostgreSQL).

    The head moves only from the sequence the entry follows and returns a row when it did, so a
    statement that read the head without locking it can tell (``SELECT count(*) FROM
    audit_head``) whether another writer got there first; a locked head always moves.

    ``json_sql`` and ``using``: as for ``sql.insert_row``; ``hash_sql``: an SQL expression of the
    entry's hash, when the statement computes it (from values only it finds).
    """
    seq = sql.quote(AuditChainHead._meta.get_field("seq").column)
    update = _head_update_sql() if hash_sql is None else _head_update_sql(f"({hash_sql})")
    hashed = [entry.hash] if hash_sql is None else []
    return [
        ("audit_entry", *sql.insert_row(entry, json_sql=json_sql, using=using)),
        (
            "audit_head",
            f"{update} AND {seq} = %s RETURNING {seq}",
            [entry.seq, *hashed, entry.chain, entry.seq - 1],
        ),
    ]


def head_taken(chain: int) -> None:
    """The head ``head_lock_sql`` locked is this transaction's chain from now on."""
    connection = transaction.get_connection()
    if _held_chain(connection) != chain:
        _mark_chain(connection, chain)


def audit_entry_after(
    chain: int,
    seq: int,
    prev_hash: str,
    *,
    actor=None,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    area_code: str = "",
    ip: str | None = None,
    success: bool = True,
    changes: dict | None = None,
    actor_label: str = "",
    hashed: bool = True,
) -> AuditEntry:
    """The entry that follows a chain head at ``seq`` with ``prev_hash``: unsaved, hash computed
    (``hashed=False``: not, for a writer whose statement computes it)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        area_code = area_code or str(getattr(obj, "area_id", "") or "")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    entry = sql.built(
        AuditEntry,
        chain=chain,
        seq=seq + 1,
        at=timezone.now(),
        actor=actor,
        actor_label=actor_label or (str(actor) if actor is not None else "system"),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        area_code=area_code or "",
        ip=ip or None,
        success=success,
        changes=_mask_changes(changes or {}),
        prev_hash=prev_hash,
    )
    if hashed:
        entry.hash = entry.compute_hash()
    return entry


@transaction.atomic(savepoint=False)  # the caller's transaction; a failed entry fails the caller
def audit_record(*, actor=None, action: str, **fields) -> AuditEntry:
    """Append one entry, chained to the last entry of a free chain (one per transaction).

    Runs inside the caller's transaction, so the entry exists exactly when the change it records
    does. The chain head row is locked until commit; spreading transactions over several chains
    keeps that lock from serialising every audited write. ``fields``: those of
    ``audit_entry_after`` (``obj`` or ``object_type``/``object_id``, ``area_code``, ``ip``,
    ``success``, ``changes``, ``actor_label``).
    """
    head = _head_for_this_transaction()
    entry = audit_entry_after(head.chain, head.seq, head.hash, actor=actor, action=action, **fields)
    # A new row: the append-only guard of save() holds by construction. The head (ours till
    # commit) moves with it — on PostgreSQL in the same statement, a round trip fewer per write.
    sql.insert(entry, along=("audit_head", _head_update_sql(), [entry.seq, entry.hash, entry.chain]))
    head.seq, head.hash = entry.seq, entry.hash
    return entry


_HEAD = sql.Columns(AuditChainHead)


@cache
def _head_sql(only_if: str = "TRUE", *, free: bool = True, lock: bool = True) -> str:
    """A chain head, locked: one nobody holds, at random (``free``: ``FOR UPDATE SKIP LOCKED``,
    PostgreSQL's syntax; only databases that can skip locked rows ask), or the one given (not
    locked with ``lock=False``: see ``own_head_sql``). Every audited write asks, so the statement
    is written once from the model (see ``gongzhi.core.sql``). ``only_if``: a condition without
    parameters under which a head is taken at all."""
    chain = sql.column(AuditChainHead, "chain")
    select = f"SELECT {_HEAD.sql} FROM {sql.table(AuditChainHead)}"  # noqa: S608 (identifiers from model metadata)
    if free:
        return f"{select} WHERE {chain} < %s AND ({only_if}) ORDER BY RANDOM() LIMIT 1 FOR UPDATE SKIP LOCKED"
    return f"{select} WHERE {chain} = %s AND ({only_if})" + (" FOR UPDATE" if lock else "")


@cache
def _head_update_sql(hash_sql: str = "%s") -> str:
    f = AuditChainHead._meta.get_field
    return (
        f"UPDATE {sql.table(AuditChainHead)} SET {sql.quote(f('seq').column)} = %s,"  # noqa: S608 (identifiers from model metadata)
        f" {sql.quote(f('hash').column)} = {hash_sql} WHERE {sql.quote(f('chain').column)} = %s"
    )


@dataclass(frozen=True)
class ChainBreak:
    chain: int
    seq: int
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"entry #{self.entry_id}" if self.entry_id else "a missing entry"
        return f"chain {self.chain}, sequence {self.seq} ({where}): {self.reason}"


def audit_verify(*, batch: int = 5000) -> Iterator[ChainBreak]:
    """Walk every chain in order and yield the first break in each (empty when intact)."""
    heads = {h.chain: h for h in AuditChainHead.objects.all()}
    chains = set(heads) | set(AuditEntry.objects.values_list("chain", flat=True).distinct())
    for chain in sorted(chains):
        expected_prev, expected_seq, broken = GENESIS, 1, None
        qs = AuditEntry.objects.filter(chain=chain).order_by("seq")
        for entry in qs.iterator(chunk_size=batch):
            if entry.seq != expected_seq:
                broken = ChainBreak(chain, expected_seq, None, "entry removed (sequence gap)")
            elif entry.prev_hash != expected_prev:
                broken = ChainBreak(chain, entry.seq, entry.pk, "previous-hash link does not match")
            elif entry.compute_hash() != entry.hash:
                broken = ChainBreak(chain, entry.seq, entry.pk, "contents altered (hash mismatch)")
            if broken:
                break
            expected_prev, expected_seq = entry.hash, entry.seq + 1
        head = heads.get(chain)
        if not broken and head is not None and (head.seq != expected_seq - 1 or head.hash != expected_prev):
            broken = ChainBreak(chain, expected_seq, None, "latest entries removed (chain head is ahead)")
        if broken:
            yield broken

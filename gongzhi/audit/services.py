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
    held = getattr(connection, "_gongzhi_audit_chain", None)
    if held is not None and any(callback[1] is held[0] for callback in connection.run_on_commit):
        return AuditChainHead.objects.select_for_update().get(chain=held[1])  # ours: no wait
    count = _chain_count()
    head = None
    if connection.features.has_select_for_update_skip_locked:
        rows = sql.fetch(_free_head_sql(), [count])
        head = _HEAD.instance(rows[0]) if rows else None
    if head is None:  # every head held, not all created yet, or no SKIP LOCKED: wait for one
        chain = random.randrange(count)  # noqa: S311 - load spreading, not security
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(chain=chain)

    def marker() -> None:
        """Runs at commit; its presence in the pending callbacks means "same transaction"."""

    transaction.on_commit(marker)
    connection._gongzhi_audit_chain = (marker, head.chain)
    return head


@transaction.atomic(savepoint=False)  # the caller's transaction; a failed entry fails the caller
def audit_record(
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
) -> AuditEntry:
    """Append one entry, chained to the last entry of a free chain (one per transaction).

    Runs inside the caller's transaction, so the entry exists exactly when the change it records
    does. The chain head row is locked until commit; spreading transactions over several chains
    keeps that lock from serialising every audited write.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        area_code = area_code or str(getattr(obj, "area_id", "") or "")
    head = _head_for_this_transaction()
    chain = head.chain
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    entry = AuditEntry(
        chain=chain,
        seq=head.seq + 1,
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
        prev_hash=head.hash,
    )
    entry.hash = entry.compute_hash()
    sql.insert(entry)  # a new row: the append-only guard of save() holds by construction
    head.seq = entry.seq
    head.hash = entry.hash
    sql.execute(_head_update_sql(), [head.seq, head.hash, head.chain])
    return entry


_HEAD = sql.Columns(AuditChainHead)


@cache
def _free_head_sql() -> str:
    """A chain head nobody holds, at random, locked (``FOR UPDATE SKIP LOCKED``: PostgreSQL's
    syntax; only databases that can skip locked rows ask). Every audited write asks, so the
    statement is written once from the model (see ``gongzhi.core.sql``)."""
    return (
        f"SELECT {_HEAD.sql} FROM {sql.table(AuditChainHead)}"  # noqa: S608 (identifiers from model metadata)
        f" WHERE {sql.column(AuditChainHead, 'chain')} < %s ORDER BY RANDOM() LIMIT 1 FOR UPDATE SKIP LOCKED"
    )


@cache
def _head_update_sql() -> str:
    f = AuditChainHead._meta.get_field
    return (
        f"UPDATE {sql.table(AuditChainHead)} SET {sql.quote(f('seq').column)} = %s,"  # noqa: S608 (identifiers from model metadata)
        f" {sql.quote(f('hash').column)} = %s WHERE {sql.quote(f('chain').column)} = %s"
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

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.audit.models import AuditEntry
from gongzhi.audit.services import audit_record, audit_verify


@pytest.fixture
def entries(db):
    return [
        audit_record(action="test.write", object_type="x", object_id=str(i), changes={"n": i})
        for i in range(12)
    ]


def test_verify__intact_log__reports_no_break(entries):
    assert list(audit_verify()) == []
    call_command("audit_verify")


def test_verify__altered_entry__is_named(entries):
    victim = entries[5]
    AuditEntry.objects.filter(pk=victim.pk).update(changes={"n": 999})
    breaks = list(audit_verify())
    assert len(breaks) == 1
    assert breaks[0].entry_id == victim.pk
    assert "altered" in breaks[0].reason
    with pytest.raises(CommandError) as exc:
        call_command("audit_verify")
    assert exc.value.returncode == 1
    assert f"#{victim.pk}" in str(exc.value)


def test_verify__removed_entry__is_found(entries):
    victim = entries[3]
    AuditEntry.objects.filter(pk=victim.pk)._raw_delete(AuditEntry.objects.db)
    breaks = list(audit_verify())
    assert len(breaks) == 1
    assert breaks[0].chain == victim.chain
    assert breaks[0].seq == victim.seq


def test_verify__removed_latest_entry__is_found(entries):
    last = AuditEntry.objects.order_by("-id").first()
    AuditEntry.objects.filter(pk=last.pk)._raw_delete(AuditEntry.objects.db)
    assert [b.chain for b in audit_verify()] == [last.chain]


def test_entries__cannot_be_edited_or_deleted_through_the_orm(entries):
    e = entries[0]
    e.action = "forged"
    with pytest.raises(RuntimeError):
        e.save()
    with pytest.raises(RuntimeError):
        e.delete()


def test_changes__never_hold_passwords_or_numbers_in_clear(db):
    e = audit_record(
        action="t",
        changes={
            "password": "Secret#123",
            "id_number": "510185199001011234",
            "mobile_masked": "138****1234",
            "name": "张*",
        },
    )
    assert e.changes == {"password": "***", "id_number": "***", "mobile_masked": "138****1234", "name": "张*"}


def test_entries_of_one_transaction__share_one_chain_so_concurrent_writers_cannot_deadlock(db, settings):
    from django.db import transaction

    from gongzhi.audit.models import AuditEntry
    from gongzhi.audit.services import audit_record

    settings.GONGZHI = {**settings.GONGZHI, "AUDIT_CHAINS": 64}
    with transaction.atomic():
        for i in range(10):
            audit_record(action="test.step", object_type="x", object_id=str(i))
    assert AuditEntry.objects.filter(action="test.step").values("chain").distinct().count() == 1

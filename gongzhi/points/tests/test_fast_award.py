"""On PostgreSQL an award is two statements (``services/fast_award.py``); it must write what the ORM path writes.

The same deeds are rewarded twice, once with the two-statement path and once with it switched off
(every award through the ORM, as on SQLite), and everything a person, an auditor or a statement
would see is compared: the outcomes, the award rows, the transfers, the cap counters, the balances
and the audit entries. The scenario goes through the cases the fast path hands over to the ORM
path: a duplicate, a retry with other details, a cap reached, no rule, a short home shard that is
pooled, an exhausted budget, and an award inside a caller's audited transaction.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from conftest import ANXIANGJIE, CITY
from gongzhi.audit.models import AuditEntry
from gongzhi.audit.services import audit_record, audit_verify
from gongzhi.directory.models import Organisation, OrgKind
from gongzhi.points.models import Account, Award, AwardCounter, Transfer
from gongzhi.points.services import fast_award

from .conftest import codes, ledger_ok

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the two-statement award is PostgreSQL's; SQLite has the ORM path only",
)


@pytest.fixture(autouse=True)
def _a_process_that_paid_nothing_yet():
    """What earlier awards of this process found (rules, its connection's audit head) is kept
    between tests; each starts as a fresh server process would."""
    fast_award.forget()


def _award(**kwargs):
    from gongzhi.points.services.earning import points_award

    return points_award(area_code=ANXIANGJIE, **kwargs)


def _scenario(tag: str, *, make_rule, make_user, area, city_staff) -> dict:
    """Reward a series of deeds under rules named after ``tag``; return what can be seen of them."""
    from gongzhi.points.services.earning import budget_create

    person = make_user("resident", ANXIANGJIE)
    make_rule(f"{tag}.plain", 10)
    make_rule(f"{tag}.capped", 5, daily_cap=12, monthly_cap=100)
    small = budget_create(name=f"{tag} 小预算", area=area(CITY), ceiling=10, actor=city_staff, shard_count=4)
    make_rule(f"{tag}.small", 4, rule_budget=small)
    org = Organisation.objects.create(name=f"{tag} 志愿队", kind=OrgKind.SOCIAL_ORG, area=area(ANXIANGJIE))

    outcomes = []

    def award(code: str, source: str, **kwargs):
        outcome = _award(
            rule_code=f"{tag}.{code}", source_type="tests.deed", source_id=f"{tag}-{source}", **kwargs
        )
        outcomes.append((code, source, outcome.paid_now, outcome.points, outcome.reason))
        return outcome

    award("plain", "1", beneficiary=person, note="扶老人过马路")
    award("plain", "1", beneficiary=person, note="扶老人过马路")  # a retry: duplicate
    with pytest.raises(ValidationError) as refused:
        award("plain", "1", beneficiary=person, quantity=2)  # the same deed with other details
    assert codes(refused.value) == {"points.idempotency_conflict"}
    award("plain", "2", beneficiary=person, quantity=2)
    for n in range(4):  # 5, 5, then 2 of 5 (the daily cap of 12), then nothing
        award("capped", f"c{n}", beneficiary=person)
    award("missing", "1", beneficiary=person)  # no such rule
    award("plain", "org", organisation=org)
    for n in range(4):  # shards of 2 or 3 points each: pooled for the first two, then exhausted
        award("small", f"s{n}", beneficiary=person)
    with transaction.atomic():  # a caller that audits its own change first, as the ticket engine does
        audit_record(actor=None, action="tests.close", object_type="tests.deed", object_id=tag)
        award("plain", "3", beneficiary=person)

    account = Account.objects.get(user=person, kind="person")
    org_account = Account.objects.get(organisation=org)
    awards = [
        (a.rule_code.split(".", 1)[1], a.source_id.split("-", 1)[1], a.account_id == account.pk,
         a.quantity, a.requested, a.paid, a.status, a.reason, a.note, a.transfer_id is not None)
        for a in Award.objects.filter(rule_code__startswith=f"{tag}.").order_by("id")
    ]  # fmt: skip
    transfers = [
        (t.kind, t.amount, t.credit_id in (account.pk, org_account.pk), t.debit.budget.name.replace(tag, ""),
         t.idempotency_key.replace(tag, ""), t.source_id.replace(tag, ""), t.area_id, t.counter_area_id, t.memo)
        for t in Transfer.objects.filter(rule_code__startswith=f"{tag}.").select_related("debit__budget").order_by("id")
    ]  # fmt: skip
    counters = [
        (c.rule_code.replace(tag, ""), c.month, c.day, c.day_points, c.month_points)
        for c in AwardCounter.objects.filter(rule_code__startswith=f"{tag}.").order_by("id")
    ]
    accounts = {account.pk: "person", org_account.pk: "organisation"}
    audit = [
        (e.action, e.object_type, e.object_id.replace(tag, ""), e.area_code,
         {k: accounts[v] if k == "account" else str(v).replace(tag, "") for k, v in e.changes.items()})
        for e in AuditEntry.objects.filter(object_id__contains=tag).order_by("id")
    ]  # fmt: skip
    nested = AuditEntry.objects.filter(object_id__in=[tag, f"{tag}.plain:tests.deed:{tag}-3"])
    return {
        "outcomes": outcomes,
        "awards": awards,
        "transfers": transfers,
        "counters": counters,
        "balances": (account.balance, org_account.balance),
        "audit": audit,
        "nested_on_one_chain": len({e.chain for e in nested}) == 1 and nested.count() == 2,
    }


def test_the_two_statement_award__writes_what_the_orm_path_writes(
    settings, areas, make_rule, make_user, area, city_staff
):
    parts = dict(make_rule=make_rule, make_user=make_user, area=area, city_staff=city_staff)
    fast = _scenario("fast", **parts)
    settings.GONGZHI_POINTS = {"FAST_AWARDS": False}
    orm = _scenario("orm", **parts)

    assert fast == orm
    assert [o[2:] for o in fast["outcomes"]][:6] == [
        (True, 10, ""),
        (False, 10, "duplicate"),
        (True, 20, ""),
        (True, 5, ""),
        (True, 5, ""),
        (True, 2, "capped"),
    ]
    assert fast["balances"] == (10 + 20 + 12 + 8 + 10, 10)
    assert fast["nested_on_one_chain"]
    assert not list(audit_verify())
    ledger_ok()


def test_an_award_on_postgresql__is_one_read_and_one_write(areas, make_rule, resident_a, give):
    make_rule("volunteer.hour", 3, daily_cap=30)
    give(resident_a, 1)  # the person's account exists
    _award(rule_code="volunteer.hour", beneficiary=resident_a, source_type="tests.hours", source_id="1")

    with CaptureQueriesContext(connection) as captured:  # the counter exists now: the usual case
        outcome = _award(
            rule_code="volunteer.hour", beneficiary=resident_a, source_type="tests.hours", source_id="2"
        )

    assert outcome.paid_now and outcome.points == 3
    own = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(own) == 2, "\n\n".join(own)
    assert Award.objects.get(source_id="2").transfer.amount == 3
    assert AwardCounter.objects.get(rule_code="volunteer.hour").day_points == 6
    assert not list(audit_verify())
    ledger_ok()


# --- outside a transaction: two statements, each its own, nothing held in between -----------------


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction__the_two_statements_write_what_the_orm_path_writes(
    settings, areas, make_rule, make_user, area, city_staff
):
    assert not connection.in_atomic_block  # each award below is the caller's own call
    parts = dict(make_rule=make_rule, make_user=make_user, area=area, city_staff=city_staff)
    own = _scenario("own", **parts)
    settings.GONGZHI_POINTS = {"FAST_AWARDS": False}
    orm = _scenario("orm", **parts)

    assert own == orm
    assert own["balances"] == (10 + 20 + 12 + 8 + 10, 10)
    assert not list(audit_verify())
    ledger_ok()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction__an_award_under_a_rule_new_to_the_process_is_two_statements_and_no_begin_or_commit(
    areas, make_rule, resident_a, give
):
    make_rule("volunteer.hour", 3, daily_cap=30)
    give(resident_a, 1)
    _award(rule_code="volunteer.hour", beneficiary=resident_a, source_type="tests.hours", source_id="1")
    fast_award.forget()  # as in a process that has not paid under the rule yet

    with CaptureQueriesContext(connection) as captured:
        outcome = _award(
            rule_code="volunteer.hour", beneficiary=resident_a, source_type="tests.hours", source_id="2"
        )

    assert outcome.paid_now and outcome.points == 3
    assert len(captured.captured_queries) == 2, "\n\n".join(q["sql"] for q in captured.captured_queries)
    assert not connection.in_atomic_block
    assert AwardCounter.objects.get(rule_code="volunteer.hour").day_points == 6
    assert not list(audit_verify())
    ledger_ok()


def _between_read_and_write(monkeypatch, interloper) -> list:
    """Run ``interloper()`` in another connection, committed, right after the award's first read."""
    import threading

    from django.db import connections

    fast_award.forget()  # the award reads (nothing of an earlier one taken as known)
    reads = []  # this thread's, not the interloper's
    original = fast_award._read
    ours = threading.get_ident()

    def read(*args, **kwargs):
        found = original(*args, **kwargs)
        if threading.get_ident() != ours:
            return found
        reads.append(found)
        if len(reads) == 1:
            failed = []

            def run():
                try:
                    interloper()
                except Exception as exc:  # noqa: BLE001 - reported below
                    failed.append(exc)
                finally:
                    connections.close_all()

            other = threading.Thread(target=run)
            other.start()
            other.join()
            assert not failed, failed
        return found

    monkeypatch.setattr(fast_award, "_read", read)
    return reads


@pytest.mark.django_db(transaction=True)
def test_a_writer_on_the_same_audit_chain_in_between__the_award_tries_again_and_the_chain_holds(
    settings, monkeypatch, areas, make_rule, resident_a, give
):
    settings.GONGZHI = {**settings.GONGZHI, "AUDIT_CHAINS": 1}  # the other writer must take our chain
    make_rule("volunteer.hour", 3)
    give(resident_a, 1)
    reads = _between_read_and_write(
        monkeypatch,
        lambda: audit_record(actor=None, action="tests.between", object_type="tests.deed", object_id="x"),
    )

    outcome = _award(
        rule_code="volunteer.hour", beneficiary=resident_a, source_type="tests.hours", source_id="1"
    )

    assert outcome.paid_now and outcome.points == 3
    assert len(reads) == 2  # the first write found the head moved and wrote nothing; the second paid
    assert reads[1].seq == reads[0].seq + 1
    assert Award.objects.filter(rule_code="volunteer.hour").count() == 1
    assert Transfer.objects.filter(rule_code="volunteer.hour").count() == 1
    entries = list(AuditEntry.objects.filter(chain=0, seq__gt=reads[0].seq).order_by("seq"))
    assert [e.action for e in entries] == ["tests.between", "points.award"]
    assert not list(audit_verify())
    ledger_ok()


@pytest.mark.django_db(transaction=True)
def test_an_award_to_the_same_person_in_between__counts_both_against_the_cap(
    monkeypatch, areas, make_rule, resident_a, give
):
    make_rule("volunteer.hour", 4, daily_cap=10)
    give(resident_a, 1)
    _award(rule_code="volunteer.hour", beneficiary=resident_a, source_type="tests.hours", source_id="0")
    reads = _between_read_and_write(
        monkeypatch,
        lambda: _award(
            rule_code="volunteer.hour", beneficiary=resident_a, source_type="tests.hours", source_id="1"
        ),
    )

    outcome = _award(
        rule_code="volunteer.hour", beneficiary=resident_a, source_type="tests.hours", source_id="2"
    )

    # 4 (before), 4 (in between), then only 2 more fit under the daily cap of 10: the award read
    # the counter at 4, found it moved to 8 when writing, and decided again.
    assert (outcome.points, outcome.reason) == (2, "capped")
    assert [r.day_points for r in reads] == [4, 8]
    counter = AwardCounter.objects.get(rule_code="volunteer.hour")
    assert (counter.day_points, counter.month_points) == (10, 10)
    assert sum(a.paid for a in Award.objects.filter(rule_code="volunteer.hour")) == 10
    assert not list(audit_verify())
    ledger_ok()


# --- outside a transaction, after an award of the same rule to the same person: no read ---------


def _awards(rule_code: str, person, *sources: str):
    return [
        _award(rule_code=rule_code, beneficiary=person, source_type="tests.deed", source_id=source)
        for source in sources
    ]


@pytest.mark.django_db(transaction=True)
def test_an_award_under_a_rule_paid_before__is_one_statement_for_anyone(
    areas, make_rule, make_user, resident_a, give
):
    make_rule("volunteer.hour", 3, daily_cap=30)
    newcomer = make_user("resident", ANXIANGJIE, name="居民乙")
    give(resident_a, 1)
    give(newcomer, 1)  # an account, but nothing under the rule yet
    _awards("volunteer.hour", resident_a, "1", "2")  # the rule read, then known

    with CaptureQueriesContext(connection) as captured:
        (again,) = _awards("volunteer.hour", resident_a, "3")
        (first,) = _awards("volunteer.hour", newcomer, "4")  # never paid by this process

    assert [(o.paid_now, o.points) for o in (again, first)] == [(True, 3), (True, 3)]
    assert len(captured.captured_queries) == 2, "\n\n".join(q["sql"] for q in captured.captured_queries)
    newcomers = Account.objects.get(user=newcomer, kind="person")
    assert (first.award.account_id, first.award.transfer.credit_id) == (newcomers.pk, newcomers.pk)
    assert first.award.body_hash == Award.objects.get(pk=first.award.pk).body_hash
    counters = AwardCounter.objects.filter(rule_code="volunteer.hour")
    assert sorted((c.account_id, c.day_points) for c in counters) == sorted(
        [(Account.objects.get(user=resident_a).pk, 9), (newcomers.pk, 3)]
    )
    assert newcomers.balance == 1 + 3
    # The statement filled in the account and hashed what covers it: as Python would have.
    entry = AuditEntry.objects.get(object_id="volunteer.hour:tests.deed:4")
    assert entry.changes["account"] == newcomers.pk and entry.hash == entry.compute_hash()
    duplicate = _awards("volunteer.hour", newcomer, "4")[0]  # the fingerprint matches a retry's
    assert (duplicate.paid_now, duplicate.reason) == (False, "duplicate")
    assert not list(audit_verify())
    ledger_ok()


@pytest.mark.django_db(transaction=True)
def test_an_award_that_did_not_read__reads_when_the_person_has_no_account_or_the_cap_would_cut_it(
    areas, make_rule, make_user, resident_a, give
):
    make_rule("volunteer.hour", 4, daily_cap=10)
    give(resident_a, 1)
    _awards("volunteer.hour", resident_a, "1")  # the rule known from here on
    counter = AwardCounter.objects.get(rule_code="volunteer.hour")
    AwardCounter.objects.filter(pk=counter.pk).update(day_points=8)  # another process paid 4 more

    (capped,) = _awards("volunteer.hour", resident_a, "2")
    stranger = make_user("resident", ANXIANGJIE, name="居民丙")  # no points account yet
    (opened,) = _awards("volunteer.hour", stranger, "3")

    assert (capped.points, capped.reason) == (2, "capped")  # read the counter at 8: 2 more fit
    assert AwardCounter.objects.get(pk=counter.pk).day_points == 10
    assert opened.paid_now and opened.points == 4
    assert Account.objects.get(user=stranger, kind="person").balance == 4
    assert not list(audit_verify())
    ledger_ok()


@pytest.mark.django_db(transaction=True)
def test_a_note_that_looks_like_a_placeholder__is_written_as_given(areas, make_rule, resident_a, give):
    make_rule("volunteer.hour", 3)
    give(resident_a, 1)
    _awards("volunteer.hour", resident_a, "1")
    note = fast_award._ACCOUNT  # what an award that did not read writes in place of the account

    outcome = _award(
        rule_code="volunteer.hour", beneficiary=resident_a, source_type="tests.deed", source_id="2", note=note
    )

    assert outcome.paid_now
    award = Award.objects.get(pk=outcome.award.pk)
    assert (award.note, award.transfer.memo, award.account_id) == (note, note, award.transfer.credit_id)
    assert not list(audit_verify())
    ledger_ok()


@pytest.mark.django_db(transaction=True)
def test_what_an_award_took_as_known__is_checked_when_it_moved(
    areas, area, make_rule, resident_a, give, city_staff
):
    from gongzhi.points.models import Budget, EarningRule
    from gongzhi.points.services.earning import RuleInput, rule_create

    rule = make_rule("volunteer.hour", 3, daily_cap=10)
    give(resident_a, 1)
    assert [o.points for o in _awards("volunteer.hour", resident_a, "1", "2")] == [3, 3]

    EarningRule.objects.filter(pk=rule.pk).update(points=4)  # the rule changed
    # Taken as known, the rule was still worth 3: the write found it changed and the award read
    # afresh — 4 points (6 + 4 = 10, the daily cap), then nothing more today.
    assert [(o.points, o.reason) for o in _awards("volunteer.hour", resident_a, "3", "4")] == [
        (4, ""),
        (0, "cap_reached"),
    ]
    assert AwardCounter.objects.get(rule_code="volunteer.hour").day_points == 10

    rule_create(  # a more specific rule for the person's community
        data=RuleInput(code="volunteer.hour", name="社区志愿时长", points=1, budget=rule.budget),
        area=area(ANXIANGJIE),
        actor=city_staff,
    )
    (outcome,) = _awards("volunteer.hour", resident_a, "5")
    assert outcome.points == 1 and outcome.award.rule.area_id == ANXIANGJIE

    Budget.objects.filter(pk=rule.budget_id).update(active=False)  # the budget closed
    (closed,) = _awards("volunteer.hour", resident_a, "6")
    assert not closed.paid_now and closed.reason == "budget_closed"
    assert not list(audit_verify())
    ledger_ok()


@pytest.mark.django_db(transaction=True)
def test_a_writer_on_the_chain_between_two_awards__the_second_reads_afresh(
    settings, areas, make_rule, resident_a, give
):
    import threading

    from django.db import connections

    settings.GONGZHI = {**settings.GONGZHI, "AUDIT_CHAINS": 1}
    make_rule("volunteer.hour", 3)
    give(resident_a, 1)
    _awards("volunteer.hour", resident_a, "1", "2")

    def other():
        audit_record(actor=None, action="tests.between", object_type="tests.deed", object_id="x")
        connections.close_all()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    (outcome,) = _awards("volunteer.hour", resident_a, "3")

    assert outcome.paid_now and outcome.points == 3
    assert Award.objects.filter(rule_code="volunteer.hour").count() == 3
    assert [e.action for e in AuditEntry.objects.filter(chain=0).order_by("seq")][-2:] == [
        "tests.between",
        "points.award",
    ]
    assert not list(audit_verify())
    ledger_ok()

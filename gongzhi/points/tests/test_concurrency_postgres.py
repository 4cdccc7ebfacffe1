"""Real concurrency on PostgreSQL: many connections at once never overdraw, lose or double-pay.

SQLite serialises every write transaction (one writer at a time), so these races cannot happen
there and the tests are skipped; `.ci/run` runs the suite again on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from conftest import ANXIANGJIE
from gongzhi.audit.services import audit_verify
from gongzhi.points.models import Account, Transfer, TransferKind

from .conftest import balance_of, codes, ledger_ok

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite runs one write transaction at a time, so no race can occur",
    ),
]


def _together(n: int, work) -> list:
    """Run work(i) in n threads released at the same instant; each uses its own connection."""
    from django.db import connections

    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _awarding(rule_code: str, people: list, *, deeds: int):
    """work(i) for ``_together``: ``deeds`` awards under the rule to the people in turn (thread i
    rewards person i mod n), returning the points paid."""
    from gongzhi.points.services.earning import points_award

    def work(i: int) -> int:
        return sum(
            points_award(
                rule_code=rule_code,
                beneficiary=people[i % len(people)],
                source_type="tests.deed",
                source_id=f"{i}-{n}",
                area_code=ANXIANGJIE,
            ).points
            for n in range(deeds)
        )

    return work


def test_32_threads_spending_from_one_account__never_overdraw_and_lose_no_update(
    areas, resident_a, give, merchant, operator
):
    from gongzhi.points.services.redemption import merchant_account, merchant_pay

    give(resident_a, 1000)

    def spend(i: int) -> Counter:
        outcome = Counter()
        for n in range(8):
            try:
                merchant_pay(payer=resident_a, merchant=merchant, amount=7, key=f"thread-{i:02d}-{n}")
                outcome["paid"] += 1
            except ValidationError as exc:
                assert codes(exc) == {"points.insufficient"}, exc
                outcome["refused"] += 1
        return outcome

    results = _together(32, spend)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors[:3]
    paid = sum(r["paid"] for r in results)
    assert paid == 1000 // 7  # 256 attempts for 142 payments: every one that fits is paid
    assert balance_of(resident_a) == 1000 - 7 * paid >= 0
    assert merchant_account(merchant).balance == 7 * paid
    assert Transfer.objects.filter(kind=TransferKind.PAYMENT).count() == paid
    ledger_ok()


def test_32_threads_awarding_one_person_through_the_sharded_budget__lose_no_update(
    areas, resident_a, make_rule
):
    from gongzhi.points.services.earning import budget_use, points_award

    rule = make_rule("volunteer.hour", 1)

    def award(i: int) -> int:
        total = 0
        for n in range(10):
            total += points_award(
                rule_code="volunteer.hour",
                beneficiary=resident_a,
                source_type="tests.hours",
                source_id=f"{i}-{n}",
                area_code=ANXIANGJIE,
            ).points
        return total

    results = _together(32, award)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert balance_of(resident_a) == 320 == sum(results)
    assert budget_use(rule.budget).issued == 320
    assert not list(audit_verify())
    ledger_ok()


def test_16_threads_on_two_audit_chains_awarding_two_people_under_caps__every_point_counted_once(
    settings, areas, make_user, make_rule
):
    """Outside a transaction an award holds nothing between its read and its write; with more
    writers than chains and two people sharing cap counters, most writes find something moved."""
    from gongzhi.points.models import AwardCounter

    settings.GONGZHI = {**settings.GONGZHI, "AUDIT_CHAINS": 2}
    make_rule("volunteer.hour", 2, daily_cap=150, monthly_cap=1000)
    people = [make_user("resident", ANXIANGJIE) for _ in range(2)]

    results = _together(16, _awarding("volunteer.hour", people, deeds=10))
    assert not [r for r in results if isinstance(r, Exception)], results
    # 80 awards of 2 per person would be 160: the daily cap of 150 holds, and is reached exactly.
    assert [balance_of(p) for p in people] == [150, 150]
    assert sum(results) == 300
    assert sorted(c.day_points for c in AwardCounter.objects.filter(rule_code="volunteer.hour")) == [150, 150]
    assert not list(audit_verify())
    ledger_ok()


def test_a_budget_near_its_ceiling__never_issues_beyond_it_under_contention(
    areas, make_user, make_rule, city_staff, area
):
    from gongzhi.points.services.earning import budget_create, budget_use

    small = budget_create(
        name="小预算", area=area("510185000000"), ceiling=100, actor=city_staff, shard_count=4
    )
    make_rule("hazard.verified", 3, rule_budget=small)
    people = [make_user("resident", ANXIANGJIE) for _ in range(8)]

    results = _together(16, _awarding("hazard.verified", people, deeds=5))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert budget_use(small).issued == sum(results) == 99  # 33 awards of 3 fit under 100
    ledger_ok()


def test_the_same_award_sent_by_10_threads_at_once__pays_once(areas, resident_a, make_rule):
    from gongzhi.points.services.earning import points_award

    make_rule("sentinel.resolved", 25)

    def award(_i: int):
        return points_award(
            rule_code="sentinel.resolved",
            beneficiary=resident_a,
            source_type="tickets.ticket",
            source_id="777",
            area_code=ANXIANGJIE,
        )

    results = _together(10, award)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.paid_now for r in results) == 1
    assert {r.points for r in results} == {25}
    assert balance_of(resident_a) == 25
    ledger_ok()


def test_one_pay_code_scanned_by_10_tills_at_once__pays_once(areas, resident_a, give, merchant, operator):
    from gongzhi.points.services.redemption import pay_code_collect, pay_code_issue

    give(resident_a, 100)
    code = pay_code_issue(user=resident_a).code

    def collect(_i: int):
        return pay_code_collect(merchant=merchant, code=code, amount=30, operator=operator)

    results = _together(10, collect)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.pk for r in results}) == 1
    assert balance_of(resident_a) == 70
    assert Account.objects.filter(kind="merchant").get().balance == 30
    ledger_ok()

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import ANXIANGJIE, BAITALU, CITY, JIANCHENG
from gongzhi.core.rewards import RewardRequest, reward
from gongzhi.points.models import Account, Award, AwardStatus, Transfer
from gongzhi.points.services.earning import (
    RuleInput,
    award_manual,
    award_retry,
    budget_create,
    budget_update,
    budget_use,
    points_award,
    rule_create,
    rule_update,
)

from .conftest import balance_of, codes, ledger_ok

pytestmark = pytest.mark.django_db


def _award(user, source_id="1", rule="hazard.verified", area=ANXIANGJIE, quantity=1):
    return points_award(
        rule_code=rule,
        beneficiary=user,
        source_type="tickets.ticket",
        source_id=source_id,
        area_code=area,
        quantity=quantity,
    )


def test_budget__splits_its_ceiling_over_its_shards(budget):
    shards = Account.objects.filter(budget=budget).order_by("shard")
    assert [a.floor for a in shards] == [-25_000] * 4
    assert budget_use(budget).remaining == 100_000


def test_award__pays_the_rule_points_once_per_source(resident_a, make_rule):
    make_rule("hazard.verified", 20)
    first = _award(resident_a)
    again = [_award(resident_a) for _ in range(10)]
    assert first.paid_now and first.points == 20
    assert all(not o.paid_now and o.reason == "duplicate" and o.points == 20 for o in again)
    assert balance_of(resident_a) == 20
    assert Transfer.objects.count() == 1
    ledger_ok()


def test_award__the_same_source_for_another_person__is_refused_and_writes_nothing(
    resident_a, make_user, make_rule
):
    make_rule("hazard.verified", 20)
    _award(resident_a)
    other = make_user("resident", ANXIANGJIE)
    with pytest.raises(ValidationError) as exc:
        _award(other)
    assert exc.value.code == "points.idempotency_conflict"
    assert balance_of(other) == 0 and Award.objects.count() == 1


def test_award__without_a_rule__pays_nothing_and_records_nothing(resident_a):
    outcome = _award(resident_a, rule="no.such_rule")
    assert (outcome.paid_now, outcome.reason) == (False, "no_rule")
    assert not Award.objects.exists() and not Transfer.objects.exists()


def test_award__uses_the_most_specific_rule_for_the_place(resident_a, make_rule, town_staff_a, area, budget):
    make_rule("hazard.verified", 10)
    town_budget = budget_create(
        name="简城街道预算", area=area(JIANCHENG), ceiling=1000, actor=town_staff_a, shard_count=2
    )
    rule_create(
        data=RuleInput(code="hazard.verified", name="街道加码", points=30, budget=town_budget),
        area=area(JIANCHENG),
        actor=town_staff_a,
    )
    assert _award(resident_a, "a").points == 30
    assert budget_use(town_budget).issued == 30 and budget_use(budget).issued == 0


def test_award__stops_at_the_daily_cap_and_pays_the_remainder(resident_a, make_rule):
    make_rule("volunteer.hour", 10, daily_cap=25, unit="hour")
    first = _award(resident_a, "1", rule="volunteer.hour", quantity=2)
    second = _award(resident_a, "2", rule="volunteer.hour", quantity=2)
    third = _award(resident_a, "3", rule="volunteer.hour", quantity=1)
    assert (first.points, first.reason) == (20, "")
    assert (second.points, second.reason) == (5, "capped")
    assert (third.points, third.reason, third.paid_now) == (0, "cap_reached", False)
    assert balance_of(resident_a) == 25
    assert Award.objects.get(source_id="3").status == AwardStatus.CAPPED
    ledger_ok()


def test_award__monthly_cap_counts_across_days(resident_a, make_rule):
    from gongzhi.points.models import AwardCounter

    make_rule("volunteer.hour", 10, daily_cap=25, monthly_cap=30)
    _award(resident_a, "1", rule="volunteer.hour", quantity=2)
    AwardCounter.objects.update(day=timezone.localdate() - timedelta(days=1))  # as if on another day
    assert _award(resident_a, "2", rule="volunteer.hour", quantity=2).points == 10


def test_award__beyond_the_budget__is_refused_and_paid_after_the_budget_is_raised(
    resident_a, make_rule, city_staff, area
):
    small = budget_create(name="小预算", area=area(CITY), ceiling=50, actor=city_staff, shard_count=4)
    make_rule("suggestion.adopted", 20, rule_budget=small)
    paid = [_award(resident_a, str(i), rule="suggestion.adopted").points for i in range(3)]
    assert paid == [20, 20, 0]
    refused = Award.objects.get(source_id="2")
    assert (refused.status, refused.reason) == (AwardStatus.REFUSED, "budget_exhausted")
    assert budget_use(small).issued == 40
    budget_update(budget=small, ceiling=100, actor=city_staff)
    assert award_retry(award=refused, actor=city_staff).points == 20
    assert balance_of(resident_a) == 60
    ledger_ok()


def test_award__shards_pool_their_headroom_when_no_single_one_can_pay(
    resident_a, make_rule, city_staff, area
):
    tight = budget_create(name="紧预算", area=area(CITY), ceiling=40, actor=city_staff, shard_count=4)
    make_rule("mediation.agreement", 25, rule_budget=tight)
    assert _award(resident_a, "x", rule="mediation.agreement").points == 25  # each shard alone holds 10
    assert budget_use(tight).remaining == 15
    ledger_ok()


def test_budget__ceiling_below_what_is_issued__is_refused(resident_a, make_rule, budget, city_staff):
    make_rule("hazard.verified", 300)
    _award(resident_a)
    with pytest.raises(ValidationError) as exc:
        budget_update(budget=budget, ceiling=299, actor=city_staff)
    assert codes(exc.value) == {"points.ceiling_below_issued"}
    budget.refresh_from_db()
    assert budget.ceiling == 100_000


def test_budget__only_staff_of_the_area_may_open_one(worker_of_community_a, area):
    with pytest.raises(PermissionDenied):
        budget_create(name="x", area=area(ANXIANGJIE), ceiling=10, actor=worker_of_community_a)


def test_rule__bad_values__are_refused_beside_their_fields(city_staff, budget, area):
    with pytest.raises(ValidationError) as exc:
        rule_create(
            data=RuleInput(code="Hazard Verified", name="", points="1.5", budget=budget, daily_cap=-3),
            area=area(CITY),
            actor=city_staff,
        )
    assert set(exc.value.message_dict) == {"code", "name", "points", "daily_cap"}


def test_rule__a_budget_of_another_area_cannot_pay_for_it(town_staff_a, area):
    other = budget_create(name="白塔路", area=area(BAITALU), ceiling=10, actor=town_staff_a)
    with pytest.raises(ValidationError) as exc:
        rule_create(
            data=RuleInput(code="a.b", name="x", points=1, budget=other),
            area=area(ANXIANGJIE),
            actor=town_staff_a,
        )
    assert "budget" in exc.value.message_dict


def test_rule_update__switching_a_rule_off_stops_new_awards(resident_a, make_rule, city_staff):
    rule = make_rule("hazard.verified", 10)
    rule_update(
        rule=rule,
        data=RuleInput(code="ignored", name="x", points=10, budget=rule.budget, active=False),
        actor=city_staff,
    )
    assert rule.code == "hazard.verified"
    assert _award(resident_a).reason == "no_rule"


def test_reward_hook__pays_through_the_ledger_once(resident_a, make_rule):
    make_rule("sentinel.resolved", 15)
    request = RewardRequest(
        rule="sentinel.resolved",
        beneficiary_user_id=resident_a.pk,
        source_type="tickets.ticket",
        source_id="42",
        area_code=ANXIANGJIE,
    )
    results = [reward(request) for _ in range(10)]
    assert results[0].paid and results[0].points == 15 and results[0].transfer_id
    assert all(
        not r.paid and r.reason == "duplicate" and r.transfer_id == results[0].transfer_id
        for r in results[1:]
    )
    assert balance_of(resident_a) == 15


def test_reward_hook__unknown_person__is_not_paid(make_rule):
    make_rule("sentinel.resolved", 15)
    result = reward(RewardRequest("sentinel.resolved", 999_999, "tickets.ticket", "1", ANXIANGJIE))
    assert (result.paid, result.reason) == (False, "no_beneficiary")


def test_award__fractional_or_negative_quantity__is_refused(resident_a, make_rule):
    make_rule("volunteer.hour", 10)
    for bad in (1.5, -2, 0, "x"):
        with pytest.raises(ValidationError):
            _award(resident_a, str(bad), rule="volunteer.hour", quantity=bad)
    assert not Award.objects.exists()


def test_award_manual__a_double_submitted_form_pays_once(resident_a, make_rule, worker_of_community_a):
    rule = make_rule("mediation.agreement", 50)
    for _ in range(2):
        award_manual(
            rule=rule,
            beneficiary=resident_a,
            quantity=1,
            note="调解邻里漏水纠纷",
            key="form-key-123",
            actor=worker_of_community_a,
        )
    assert balance_of(resident_a) == 50


def test_award_manual__a_person_outside_the_workers_area__is_refused(
    make_user, make_rule, worker_of_community_a
):
    rule = make_rule("mediation.agreement", 50)
    elsewhere = make_user("resident", BAITALU)
    with pytest.raises(PermissionDenied):
        award_manual(
            rule=rule,
            beneficiary=elsewhere,
            quantity=1,
            note="调解",
            key="form-key-456",
            actor=worker_of_community_a,
        )


def test_retrying__recognises_postgresqls_deadlock_and_serialization_errors():
    from django.db import OperationalError

    from gongzhi.points.services.ledger import _retryable

    class Deadlock(Exception):
        sqlstate = "40P01"

    error = OperationalError("deadlock detected")
    error.__cause__ = Deadlock()
    assert _retryable(error)
    assert not _retryable(OperationalError("connection refused"))

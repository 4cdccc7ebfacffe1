"""Pairings: capacity, consent, visits, overdue alerts, coverage, and optimal suggestions."""

from __future__ import annotations

import itertools
import math
import random
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import ANXIANGJIE, BAITALU, JIANCHENG
from gongzhi.lib import geo
from gongzhi.lib.matching import PairingWeights
from gongzhi.people.services import ConsentInput
from gongzhi.volunteering import selectors, services
from gongzhi.volunteering.models import Pairing, PairType, Visit

pytestmark = pytest.mark.django_db

CONSENT = ConsentInput("王芳", "grandparent", "13900001111", "结对关爱", "签字同意书")


@pytest.fixture
def elderly_type():
    return PairType.objects.get(code="neighbour_guardian")


@pytest.fixture
def child_type():
    return PairType.objects.get(code="caring_mother")


def _child(make_person, organiser, consent=None, **kw):
    return make_person(
        name="小明",
        birth=date(2018, 5, 1),
        tags=["left_behind_child"],
        consent=consent,
        created_by=organiser,
        **kw,
    )


def test_pair__beyond_the_volunteers_capacity__is_refused(
    make_volunteer, make_person, organiser, elderly_type
):
    guardian = make_volunteer(pair_capacity=1)
    services.pairing_create(
        pair_type=elderly_type,
        volunteer=guardian,
        person=make_person(tags=["elderly_alone"]),
        actor=organiser,
    )
    with pytest.raises(ValidationError) as exc:
        services.pairing_create(
            pair_type=elderly_type,
            volunteer=guardian,
            person=make_person(tags=["elderly_alone"]),
            actor=organiser,
        )
    assert "volunteer" in exc.value.message_dict
    assert Pairing.objects.count() == 1


def test_pair__a_volunteer_of_another_county__is_refused(
    make_volunteer, make_person, organiser, elderly_type
):
    """A neighbourhood guardian in 宝鸡 cannot be paired with an elderly person in 简阳, even by
    posting the volunteer's id past the suggestions."""
    from conftest import QINGJIANGLU

    far = make_volunteer(name="杨洁", area_code=QINGJIANGLU)
    with pytest.raises(ValidationError) as exc:
        services.pairing_create(
            pair_type=elderly_type, volunteer=far, person=make_person(tags=["elderly_alone"]), actor=organiser
        )
    assert exc.value.error_dict["volunteer"][0].code == "pairing.county"
    assert not Pairing.objects.exists()


def test_pair_page__ignores_a_next_address_on_another_site(
    signed_in, make_volunteer, make_person, organiser, elderly_type
):
    guardian, person = make_volunteer(), make_person(tags=["elderly_alone"])
    response = signed_in(organiser).post(
        "/volunteering/pairings/pair/",
        {
            "pair_type": elderly_type.pk,
            "volunteer": guardian.pk,
            "person": person.pk,
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/volunteering/pairings/"
    assert Pairing.objects.filter(volunteer=guardian, person=person).exists()


def test_pair__child_without_active_consent__is_refused(make_volunteer, make_person, organiser, child_type):
    from gongzhi.people.services import consent_withdraw

    child = _child(make_person, organiser, consent=CONSENT)
    for consent in child.consents.all():
        consent_withdraw(consent=consent, withdrawn_by=organiser)
    with pytest.raises(ValidationError) as exc:
        services.pairing_create(
            pair_type=child_type, volunteer=make_volunteer(), person=child, actor=organiser
        )
    assert "person" in exc.value.message_dict
    assert not Pairing.objects.exists()


def test_pair__child_with_consent__is_paired(make_volunteer, make_person, organiser, child_type):
    child = _child(make_person, organiser, consent=CONSENT)
    pairing = services.pairing_create(
        pair_type=child_type, volunteer=make_volunteer(), person=child, actor=organiser
    )
    assert pairing.person == child


def test_visits__overdue_when_older_than_the_pair_types_frequency(
    make_volunteer, make_person, organiser, elderly_type
):
    pairing = services.pairing_create(
        pair_type=elderly_type,
        volunteer=make_volunteer(),
        person=make_person(tags=["elderly_alone"]),
        actor=organiser,
    )
    today = timezone.localdate()
    Pairing.objects.filter(pk=pairing.pk).update(started_on=today - timedelta(days=30))
    pairing.refresh_from_db()
    assert [p.pk for p in selectors.overdue_pairings(viewer=organiser)] == [pairing.pk]
    services.visit_record(
        pairing=pairing, day=today - timedelta(days=2), kind="home", notes="血压正常", actor=organiser
    )
    assert selectors.overdue_pairings(viewer=organiser) == []


def test_visit__in_the_future__is_refused(make_volunteer, make_person, organiser, elderly_type):
    pairing = services.pairing_create(
        pair_type=elderly_type,
        volunteer=make_volunteer(),
        person=make_person(tags=["elderly_alone"]),
        actor=organiser,
    )
    with pytest.raises(ValidationError):
        services.visit_record(
            pairing=pairing, day=timezone.localdate() + timedelta(days=1), kind="call", actor=organiser
        )
    assert not Visit.objects.exists()


def test_coverage__shares_paired_and_visited_per_community(
    make_volunteer, make_person, town_staff_a, organiser, elderly_type
):
    a1, a2 = make_person(tags=["elderly_alone"]), make_person(tags=["elderly_alone"])
    make_person(BAITALU, tags=["elderly_alone"])
    services.pairing_create(pair_type=elderly_type, volunteer=make_volunteer(), person=a1, actor=organiser)
    rows = {
        (r.area.code, r.pair_type.code): r for r in selectors.coverage(viewer=town_staff_a, level="village")
    }
    a = rows[(ANXIANGJIE, "neighbour_guardian")]
    assert (a.people, a.paired, a.on_schedule) == (2, 1, 1)
    assert a.share_paired == 0.5
    assert rows[(BAITALU, "neighbour_guardian")].paired == 0
    town = {r.area.code: r for r in selectors.coverage(viewer=town_staff_a, level="town")}
    assert (town[JIANCHENG].people, town[JIANCHENG].paired) == (3, 1)
    assert a2 is not None


def _brute_force(people, volunteers, w: PairingWeights):
    """Least-cost assignment with most people paired, by trying every assignment."""
    best = None
    options = [None, *range(len(volunteers))]
    for choice in itertools.product(options, repeat=len(people)):
        load = [0] * len(volunteers)
        cost, assigned, ok = 0.0, 0, True
        for p, j in zip(people, choice, strict=True):
            if j is None:
                continue
            v = volunteers[j]
            load[j] += 1
            d = geo.haversine_m(p.lat, p.lng, v.lat, v.lng)
            if load[j] > v.pair_capacity or d > w.max_distance_m:
                ok = False
                break
            cost += d + (0 if p.area_id == v.area_id else w.different_village)
            assigned += 1
        if ok and (best is None or (assigned, -cost) > (best[0], -best[1])):
            best = (assigned, cost)
    return best


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_suggestions__equal_the_brute_force_optimum_on_small_instances(
    seed, make_volunteer, make_person, town_staff_a, elderly_type
):
    rng = random.Random(seed)
    people = []
    for i in range(5):
        code = rng.choice([ANXIANGJIE, BAITALU])
        person = make_person(code, name=f"老人{i}", tags=["elderly_alone"])
        person.lat, person.lng = 30.39 + rng.random() * 0.03, 104.54 + rng.random() * 0.03
        person.save(update_fields=["lat", "lng"])
        people.append(person)
    volunteers = [
        make_volunteer(
            name=f"守护人{j}",
            area_code=rng.choice([ANXIANGJIE, BAITALU]),
            pair_capacity=rng.choice([1, 2]),
            lat=30.39 + rng.random() * 0.03,
            lng=104.54 + rng.random() * 0.03,
        )
        for j in range(3)
    ]
    w = PairingWeights()
    result = selectors.pairing_suggestions(viewer=town_staff_a, pair_type=elderly_type, area_code=JIANCHENG)
    assert result.proven_optimal
    cost = sum(
        geo.haversine_m(s.person.lat, s.person.lng, s.volunteer.lat, s.volunteer.lng)
        + (0 if s.same_village else w.different_village)
        for s in result.pairs
    )
    best = _brute_force(people, volunteers, w)
    assert len(result.pairs) == best[0]
    assert math.isclose(cost, best[1], rel_tol=1e-3, abs_tol=5.0)


def test_suggestions__leave_out_children_without_consent(make_volunteer, make_person, organiser, child_type):
    from gongzhi.people.services import consent_withdraw

    child = _child(make_person, organiser, consent=CONSENT)
    child.lat, child.lng = 30.39, 104.55
    child.save(update_fields=["lat", "lng"])
    for consent in child.consents.all():
        consent_withdraw(consent=consent, withdrawn_by=organiser)
    make_volunteer(lat=30.391, lng=104.551)
    result = selectors.pairing_suggestions(viewer=organiser, pair_type=child_type, area_code=ANXIANGJIE)
    assert result.pairs == []
    assert result.needs_consent == [child]

"""Reporting a lead, following it, being rewarded once, and merging duplicates."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import ANXIANGJIE
from gongzhi.sentinel.models import DuplicateReward, Lead
from gongzhi.tickets.models import State, Ticket, TicketAttachment
from gongzhi.tickets.policies import PartyRef
from gongzhi.tickets.services import (
    routing_rule_create,
    ticket_accept,
    ticket_close,
    ticket_dispatch,
    ticket_rate,
    ticket_reopen,
    ticket_resolve,
)

from .conftest import FAR, NEAR, OUTSIDE, points_of

pytestmark = pytest.mark.django_db


def handle(ticket, officer, note="已清除小广告"):
    ticket_accept(ticket=ticket, actor=officer)
    return ticket_resolve(ticket=ticket, actor=officer, note=note)


def test_report__goes_to_the_categorys_unit_with_its_deadline(report, unit):
    ticket = report()
    assert ticket.kind == "sentinel" and ticket.state == State.DISPATCHED
    assert list(ticket.offers.values_list("party_org_id", flat=True)) == [unit.pk]
    assert round((ticket.deadline - ticket.created_at).total_seconds() / 3600) == 48
    assert ticket.attachments.filter(stage=TicketAttachment.Stage.SUBMISSION).count() == 1
    lead = Lead.objects.get(ticket=ticket)
    assert len(lead.geohash) == 7 and lead.category.code == "illegal_ads"


def test_report__a_routing_rule_of_the_area_wins_over_the_category_unit(report, area, worker_of_community_a):
    from gongzhi.directory.models import Organisation, OrgKind

    property_co = Organisation.objects.create(name="安象物业", kind=OrgKind.PROPERTY, area=area(ANXIANGJIE))
    routing_rule_create(
        kind="sentinel",
        category="illegal_ads",
        area=area(ANXIANGJIE),
        strategy="party",
        party_org=property_co,
        actor=worker_of_community_a,
    )
    ticket = report()
    assert list(ticket.offers.values_list("party_org_id", flat=True)) == [property_co.pk]


def test_report__the_reporter_follows_every_step_on_the_public_timeline(report, officer, rider):
    ticket = handle(report(), officer)
    public = list(ticket.events.filter(visibility="public").values_list("action", flat=True))
    assert public[:4] == ["submit", "dispatch", "accept", "resolve"]
    assert Ticket.objects.visible_to(rider).filter(pk=ticket.pk).exists()


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"at": OUTSIDE}, "location", "ticket.location_outside"),
        (
            {"photos": [SimpleUploadedFile("x.jpg", b"%PDF-1.4 no", content_type="image/jpeg")]},
            "photos",
            None,
        ),
        ({"text": "  "}, "text", "sentinel.text"),
    ],
)
def test_report__bad_input__is_refused_and_writes_nothing(report, fields, field, code):
    with pytest.raises(ValidationError) as exc:
        report(**fields)
    assert field in exc.value.error_dict
    if code:
        assert exc.value.error_dict[field][0].code == code
    assert not Ticket.objects.exists() and not Lead.objects.exists()


def test_report__unknown_or_inactive_category__is_refused(report, category):
    category.is_active = False
    category.save()
    with pytest.raises(ValidationError) as exc:
        report()
    assert "category" in exc.value.error_dict
    assert not Ticket.objects.exists()


def test_report__a_resident_without_the_sentinel_permission__may_not(report, resident_a):
    with pytest.raises(ValidationError) as exc:
        report(reporter=resident_a)
    assert exc.value.error_dict["area"][0].code == "ticket.submit_forbidden"


def test_reward__paid_once_however_often_it_is_closed_reopened_or_retried(
    report, officer, rider, unit, reward_rule
):
    from gongzhi.sentinel.policy import SentinelPolicy

    ticket = handle(report(), officer)
    ticket_rate(ticket=ticket, actor=rider, rating=5)
    assert points_of(rider) == 20
    ticket_reopen(ticket=ticket, actor=rider, note="又贴上了")
    assert ticket.state == State.REOPENED
    ticket_dispatch(ticket=ticket, parties=[PartyRef("org", unit.pk)], actor=None)
    ticket_accept(ticket=ticket, actor=officer)
    ticket_resolve(ticket=ticket, actor=officer, note="再次清除")
    ticket_close(ticket=ticket, actor=rider)
    SentinelPolicy().on_close(ticket, actor=None)  # a retried closing hook
    assert points_of(rider) == 20
    assert ticket.events.filter(data__reward_rule="sentinel.resolved").count() == 1


def test_reward__an_unresolved_or_cancelled_lead_pays_nothing(report, rider, reward_rule):
    from gongzhi.tickets.services import ticket_cancel

    ticket_cancel(ticket=report(), actor=rider)
    assert points_of(rider) == 0


def test_merge__duplicate_shares_the_outcome_and_only_the_first_reporter_is_paid(
    report, officer, rider, rider2, worker_of_community_a, reward_rule
):
    from gongzhi.sentinel.services import lead_merge

    first = report()
    second = report(reporter=rider2, at=NEAR)
    lead_merge(duplicate=second, into=first, actor=worker_of_community_a)
    second.refresh_from_db()
    assert second.state == State.CANCELLED and Lead.objects.get(ticket=second).merged_into_id == first.pk
    handle(first, officer, note="已全部清除")
    ticket_rate(ticket=first, actor=rider, rating=5)
    assert points_of(rider) == 20 and points_of(rider2) == 0
    assert second.events.filter(note__contains="已全部清除").exists()


def test_merge__when_the_category_pays_all__every_reporter_is_paid(
    report, officer, rider, rider2, worker_of_community_a, reward_rule, category
):
    from gongzhi.sentinel.services import lead_merge

    category.duplicate_reward = DuplicateReward.ALL
    category.save()
    first, second = report(), report(reporter=rider2, at=NEAR)
    lead_merge(duplicate=second, into=first, actor=worker_of_community_a)
    handle(first, officer)
    ticket_rate(ticket=first, actor=rider, rating=4)
    assert points_of(rider) == 20 and points_of(rider2) == 20


def test_merge__by_someone_who_does_not_dispatch_there__is_refused(report, rider2, worker_of_community_b):
    from gongzhi.sentinel.services import lead_merge

    first, second = report(), report(reporter=rider2, at=NEAR)
    with pytest.raises(PermissionDenied):
        lead_merge(duplicate=second, into=first, actor=worker_of_community_b)
    assert Lead.objects.get(ticket=second).merged_into_id is None


def test_merge__into_itself__is_refused(report, worker_of_community_a):
    from gongzhi.sentinel.services import lead_merge

    first = report()
    with pytest.raises(ValidationError):
        lead_merge(duplicate=first, into=first, actor=worker_of_community_a)


def test_nearby__finds_open_leads_near_and_recent_but_not_far_old_or_other_category(report, category, rider2):
    from datetime import timedelta

    from django.utils import timezone

    from gongzhi.sentinel.models import SentinelCategory
    from gongzhi.sentinel.selectors import nearby_open_leads

    other = SentinelCategory.objects.create(code="fraud", name="疑似诈骗", deadline_hours=24)
    near = report()
    report(at=FAR)
    report(cat=other)
    old = report(reporter=rider2)
    Lead.objects.filter(ticket=old).update(created_at=timezone.now() - timedelta(hours=100))
    found = nearby_open_leads(category=category, lat=NEAR[0], lng=NEAR[1])
    assert [n.lead.ticket_id for n in found] == [near.pk]
    assert 40 <= found[0].distance_m <= 70

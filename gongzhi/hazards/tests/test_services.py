"""Reporting a hazard, assessing it, rectification, re-inspection with a photo, the reward once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from conftest import ANXIANGJIE
from gongzhi.accounts.roles import Role
from gongzhi.hazards.models import Hazard, Reinspection, RiskLevel, Source
from gongzhi.hazards.selectors import hazard_figures
from gongzhi.hazards.services import hazard_assess, hazard_reinspect
from gongzhi.sentinel.tests.conftest import OUTSIDE, photo, points_of
from gongzhi.tickets.models import State, Ticket, TicketAttachment
from gongzhi.tickets.services import (
    ticket_accept,
    ticket_close,
    ticket_dispatch,
    ticket_rate,
    ticket_reopen,
    ticket_resolve,
)

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> set[str]:
    return (
        {e.code for errs in exc.error_dict.values() for e in errs}
        if hasattr(exc, "error_dict")
        else {exc.code}
    )


def test_report__a_resident_reports_with_photo_and_position__it_waits_for_assessment(report, resident_a):
    ticket = report()
    hazard = Hazard.objects.get(ticket=ticket)
    assert ticket.kind == "hazard" and ticket.state == State.SUBMITTED
    assert hazard.source == Source.RESIDENT and hazard.risk_level == RiskLevel.GENERAL
    assert ticket.attachments.filter(stage=TicketAttachment.Stage.SUBMISSION).count() == 1
    assert round((ticket.deadline - ticket.created_at) / timedelta(days=1)) == 7


def test_report__a_community_worker_logs_an_inspection_finding(report, worker_of_community_a):
    ticket = report(
        reporter=worker_of_community_a, source="inspection", risk_level="major", at=None, address="安象街3号"
    )
    assert Hazard.objects.get(ticket=ticket).source == Source.INSPECTION
    assert round((ticket.deadline - ticket.created_at) / timedelta(days=1)) == 30


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            {"photos": [SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")]},
            "attachment.not_image",
        ),
        ({"at": OUTSIDE}, "ticket.location_outside"),
        ({"at": None}, "hazard.location_required"),
        ({"text": "危" * 1001}, "hazard.text_length"),
        ({"text": "  "}, "hazard.text"),
        ({"category": "volcano"}, "ticket.unknown_category"),
        ({"risk_level": "apocalyptic"}, "hazard.risk_level"),
    ],
    ids=[
        "not-an-image",
        "outside-the-city",
        "no-place",
        "too-long",
        "empty",
        "unknown-category",
        "unknown-risk",
    ],
)
def test_report__bad_input__is_refused_with_a_reason_and_writes_nothing(report, change, code):
    with pytest.raises(ValidationError) as caught:
        report(**change)
    assert code in codes(caught.value)
    assert not Ticket.objects.exists() and not Hazard.objects.exists()


def test_assess__sets_risk_owner_and_a_deadline_by_risk_level_and_offers_it_to_the_owner(
    report, worker_of_community_a, owner
):
    ticket = report()
    hazard_assess(
        ticket=ticket, actor=worker_of_community_a, risk_level="major", owner=owner, note="需制定整改方案"
    )
    ticket.refresh_from_db()
    hazard = Hazard.objects.get(ticket=ticket)
    assert hazard.risk_level == "major" and hazard.owner == owner
    assert ticket.state == State.DISPATCHED and ticket.priority == 4
    assert list(ticket.offers.values_list("party_org_id", flat=True)) == [owner.pk]
    assert abs(ticket.deadline - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert (
        "重大" in ticket.events.get(action="dispatch").note
        or "Major" in ticket.events.get(action="dispatch").note
    )


def test_assess__deadlines_are_configurable_per_risk_level(report, worker_of_community_a, owner, settings):
    settings.GONGZHI_HAZARD_DEADLINE_DAYS = {"larger": 3}
    ticket = report()
    hazard_assess(ticket=ticket, actor=worker_of_community_a, risk_level="larger", owner=owner)
    ticket.refresh_from_db()
    assert abs(ticket.deadline - (timezone.now() + timedelta(days=3))) < timedelta(minutes=1)


def test_assess__by_a_resident_or_another_community__is_refused(
    report, resident_a, worker_of_community_b, owner
):
    ticket = report()
    for actor in (resident_a, worker_of_community_b):
        with pytest.raises(ValidationError) as caught:
            hazard_assess(ticket=ticket, actor=actor, risk_level="general", owner=owner)
        assert codes(caught.value) == {"hazard.assess_forbidden"}
    ticket.refresh_from_db()
    assert ticket.state == State.SUBMITTED and Hazard.objects.get(ticket=ticket).owner is None


def test_reinspection__without_a_photo_or_a_failing_one_without_findings__writes_nothing(
    rectified, worker_of_community_a
):
    ticket = rectified()
    with pytest.raises(ValidationError) as caught:
        hazard_reinspect(ticket=ticket, actor=worker_of_community_a, passed=True, note="已整改", photos=[])
    assert codes(caught.value) == {"hazard.reinspection_photo"}
    with pytest.raises(ValidationError) as caught:
        hazard_reinspect(ticket=ticket, actor=worker_of_community_a, passed=False, note="", photos=[photo()])
    assert codes(caught.value) == {"hazard.note"}
    with pytest.raises(ValidationError) as caught:
        bad = SimpleUploadedFile("x.png", b"GIF89a", content_type="image/png")
        hazard_reinspect(ticket=ticket, actor=worker_of_community_a, passed=True, photos=[bad])
    assert codes(caught.value) == {"attachment.not_image"}
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED and not Reinspection.objects.exists()
    assert not ticket.attachments.filter(stage=TicketAttachment.Stage.NOTE).exists()


def test_closing_without_a_passed_reinspection__is_refused_with_the_reason(
    rectified, worker_of_community_a, resident_a
):
    ticket = rectified()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        ticket_close(ticket=ticket, actor=worker_of_community_a, note="看着没问题")
    assert codes(caught.value) == {"hazard.close_without_reinspection"}
    assert "复查" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        ticket_rate(ticket=Ticket.objects.get(pk=ticket.pk), actor=resident_a, rating=5)
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED and ticket.closed_at is None


def test_failed_reinspection__goes_back_to_the_owner__passed_one_closes_and_pays_the_finder_once(
    rectified, worker_of_community_a, owner, owner_member, resident_a, reward_rule
):
    ticket = rectified()
    hazard_reinspect(
        ticket=ticket, actor=worker_of_community_a, passed=False, note="充电线仍私拉乱接", photos=[photo()]
    )
    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED
    assert list(ticket.offers.open().values_list("party_org_id", flat=True)) == [owner.pk]
    assert abs(ticket.deadline - (timezone.now() + timedelta(days=15))) < timedelta(minutes=1)
    assert points_of(resident_a) == 0

    ticket_accept(ticket=ticket, actor=owner_member)
    ticket_resolve(ticket=ticket, actor=owner_member, note="已拆除私拉电线", photos=[photo("fixed.jpg")])
    # The re-inspection of the first round does not count for the second.
    with pytest.raises(ValidationError):
        ticket_close(ticket=ticket, actor=worker_of_community_a, note="关闭")
    hazard_reinspect(
        ticket=ticket, actor=worker_of_community_a, passed=True, note="现场已整改到位", photos=[photo()]
    )
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED
    assert points_of(resident_a) == 30
    assert list(Reinspection.objects.filter(hazard_id=ticket.pk).values_list("passed", flat=True)) == [
        False,
        True,
    ]
    assert Reinspection.objects.filter(passed=True).get().photos.count() == 1

    # Reopened, rectified and re-inspected again, or a retried closing: never paid twice.
    ticket_reopen(ticket=ticket, actor=worker_of_community_a, note="群众反映又出现")
    ticket_dispatch(ticket=ticket, parties=[owner], actor=worker_of_community_a)
    ticket_accept(ticket=ticket, actor=owner_member)
    ticket_resolve(ticket=ticket, actor=owner_member, note="再次清理", photos=[photo()])
    hazard_reinspect(ticket=ticket, actor=worker_of_community_a, passed=True, photos=[photo()])
    with pytest.raises(ValidationError):
        ticket_close(ticket=Ticket.objects.get(pk=ticket.pk), actor=worker_of_community_a, note="重试")
    assert points_of(resident_a) == 30
    assert Ticket.objects.get(pk=ticket.pk).state == State.CLOSED


def test_reinspection__by_the_owner_themselves__is_refused(
    rectified, report, make_user, owner, area, worker_of_community_a
):
    from gongzhi.accounts.services import membership_grant

    # A community worker who also works for the property company cannot pass their own work.
    both = make_user(Role.COMMUNITY_WORKER, ANXIANGJIE, name="兼职网格员")
    membership_grant(user=both, role=Role.ORG_MEMBER, area=area(ANXIANGJIE), organisation=owner)
    ticket = report()
    hazard_assess(ticket=ticket, actor=worker_of_community_a, risk_level="general", owner=owner)
    ticket_accept(ticket=ticket, actor=both)
    ticket_resolve(ticket=ticket, actor=both, note="已整改", photos=[photo()])
    with pytest.raises(ValidationError) as caught:
        hazard_reinspect(ticket=ticket, actor=both, passed=True, photos=[photo()])
    assert codes(caught.value) == {"hazard.reinspect_owner"}
    assert Ticket.objects.get(pk=ticket.pk).state == State.RESOLVED


def test_reinspection__before_rectification_is_reported__is_refused(report, worker_of_community_a):
    ticket = report()
    with pytest.raises(ValidationError) as caught:
        hazard_reinspect(ticket=ticket, actor=worker_of_community_a, passed=True, photos=[photo()])
    assert codes(caught.value) == {"hazard.reinspect_state"}


def test_figures__found_rectified_and_overdue_by_risk_level__within_the_viewers_scope(
    rectified, report, worker_of_community_a, worker_of_community_b, owner
):
    closed = rectified()
    hazard_reinspect(ticket=closed, actor=worker_of_community_a, passed=True, photos=[photo()])
    late = report(text="井盖缺失")
    hazard_assess(ticket=late, actor=worker_of_community_a, risk_level="major", owner=owner)
    Ticket.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(days=1))
    with translation.override("zh-hans"):
        rows = {r.key: r for r in hazard_figures(viewer=worker_of_community_a, by="risk_level")}
    assert (rows["较大"].found, rows["较大"].rectified, rows["较大"].overdue) == (1, 1, 0)
    assert (rows["重大"].found, rows["重大"].rectified, rows["重大"].overdue) == (1, 0, 1)
    by_area = hazard_figures(viewer=worker_of_community_a, by="area")
    assert [(r.key, r.found) for r in by_area] == [("安象街社区", 2)]
    assert hazard_figures(viewer=worker_of_community_b, by="month") == []


def test_reinspection__by_town_staff_who_found_it__fails_back_to_the_owner(
    report, town_staff_a, worker_of_community_a, owner, owner_member
):
    ticket = report(reporter=town_staff_a, source="inspection")
    hazard_assess(ticket=ticket, actor=worker_of_community_a, risk_level="general", owner=owner)
    ticket_accept(ticket=ticket, actor=owner_member)
    ticket_resolve(ticket=ticket, actor=owner_member, note="已整改", photos=[photo()])
    hazard_reinspect(ticket=ticket, actor=town_staff_a, passed=False, note="灭火器仍过期", photos=[photo()])
    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED
    assert list(ticket.offers.open().values_list("party_org_id", flat=True)) == [owner.pk]

"""Making a suggestion, review, the answer with a public reason, and points once for adoption."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from gongzhi.sentinel.tests.conftest import photo, points_of
from gongzhi.suggestions.models import Outcome, Suggestion
from gongzhi.suggestions.selectors import adopted_public, suggestion_figures
from gongzhi.suggestions.services import suggestion_decide, suggestion_review
from gongzhi.tickets.models import State, Ticket
from gongzhi.tickets.services import ticket_close, ticket_reopen

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> set[str]:
    return (
        {e.code for errs in exc.error_dict.values() for e in errs}
        if hasattr(exc, "error_dict")
        else {exc.code}
    )


def test_submit__a_resident_suggests_with_a_photo__it_waits_for_the_community(suggest):
    ticket = suggest(photos=[photo()])
    assert (
        ticket.kind == "suggestion"
        and ticket.state == State.SUBMITTED
        and ticket.category == "elderly_children"
    )
    assert Suggestion.objects.get(ticket=ticket).outcome == Outcome.PENDING
    assert ticket.attachments.count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"text": ""}, "suggestion.text"),
        ({"text": "长" * 1001}, "suggestion.text_length"),
        (
            {"photos": [SimpleUploadedFile("idea.jpg", b"plain text", content_type="image/jpeg")]},
            "attachment.not_image",
        ),
        ({"topic": "astrology"}, "ticket.unknown_category"),
    ],
    ids=["empty", "too-long", "not-an-image", "unknown-topic"],
)
def test_submit__bad_input__is_refused_and_writes_nothing(suggest, change, code):
    with pytest.raises(ValidationError) as caught:
        suggest(**change)
    assert code in codes(caught.value)
    assert not Ticket.objects.exists() and not Suggestion.objects.exists()


def test_submit__for_another_community__is_refused(area, resident_a):
    from conftest import BAITALU
    from gongzhi.suggestions.services import suggestion_submit

    with pytest.raises(ValidationError) as caught:
        suggestion_submit(author=resident_a, topic="other", area=area(BAITALU), text="建议")
    assert "ticket.submit_forbidden" in codes(caught.value)


def test_review__the_resident_sees_it_is_being_reviewed(suggest, worker_of_community_a):
    ticket = suggest()
    suggestion_review(ticket=ticket, actor=worker_of_community_a)
    ticket.refresh_from_db()
    assert ticket.state == State.IN_PROGRESS and ticket.assignee_user == worker_of_community_a
    public = ticket.events.filter(visibility="public").values_list("action", flat=True)
    assert "start" in public


def test_decide__not_adopted_without_a_reason__is_refused_and_changes_nothing(suggest, worker_of_community_a):
    ticket = suggest()
    with pytest.raises(ValidationError) as caught:
        suggestion_decide(ticket=ticket, actor=worker_of_community_a, adopted=False, reason="  ")
    assert codes(caught.value) == {"suggestion.reason_required"}
    with pytest.raises(ValidationError) as caught:
        suggestion_decide(ticket=ticket, actor=worker_of_community_a, adopted=False, reason="理" * 1001)
    assert codes(caught.value) == {"suggestion.reason_length"}
    ticket.refresh_from_db()
    assert ticket.state == State.SUBMITTED and ticket.events.count() == 1
    assert Suggestion.objects.get(ticket=ticket).outcome == Outcome.PENDING


def test_decide__by_a_resident_or_another_community__is_refused(suggest, resident_a, worker_of_community_b):
    ticket = suggest()
    for actor in (resident_a, worker_of_community_b):
        with pytest.raises(ValidationError) as caught:
            suggestion_decide(ticket=ticket, actor=actor, adopted=True, reason="好")
        assert codes(caught.value) == {"suggestion.forbidden"}


def test_decide__adopted__closes_publishes_the_reason_and_pays_the_author_once(
    suggest, worker_of_community_a, resident_a, reward_rule
):
    ticket = suggest()
    suggestion_decide(
        ticket=ticket, actor=worker_of_community_a, adopted=True, reason="已协调公交公司增设座椅"
    )
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED and ticket.resolution_note.endswith("已协调公交公司增设座椅")
    assert points_of(resident_a) == 20
    assert [s.public_reason for s in adopted_public()] == ["已协调公交公司增设座椅"]

    # The resident reopens, the community answers again: still paid once.
    ticket_reopen(ticket=ticket, actor=resident_a, note="座椅还没装")
    assert not adopted_public().exists()
    suggestion_decide(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=worker_of_community_a, adopted=True, reason="下周安装"
    )
    with pytest.raises(ValidationError):
        suggestion_decide(
            ticket=Ticket.objects.get(pk=ticket.pk), actor=worker_of_community_a, adopted=True, reason="重试"
        )
    assert points_of(resident_a) == 20
    assert Ticket.objects.get(pk=ticket.pk).state == State.CLOSED


def test_decide__not_adopted__tells_the_reason_pays_nothing_and_is_not_published(
    suggest, worker_of_community_a, resident_a, reward_rule
):
    ticket = suggest()
    suggestion_decide(
        ticket=ticket, actor=worker_of_community_a, adopted=False, reason="该路段不具备安装条件"
    )
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED and points_of(resident_a) == 0
    assert Suggestion.objects.get(ticket=ticket).outcome == Outcome.NOT_ADOPTED
    assert not adopted_public().exists()
    notes = ticket.events.filter(visibility="public").values_list("note", flat=True)
    assert any("该路段不具备安装条件" in n for n in notes)


def test_closing_an_unanswered_suggestion_through_the_engine__is_refused(suggest, worker_of_community_a):
    from gongzhi.tickets.services import ticket_resolve

    ticket = suggest()
    suggestion_review(ticket=ticket, actor=worker_of_community_a)
    ticket_resolve(ticket=ticket, actor=worker_of_community_a, note="看过了")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        ticket_close(ticket=Ticket.objects.get(pk=ticket.pk), actor=worker_of_community_a, note="关闭")
    assert codes(caught.value) == {"suggestion.close_unanswered"}
    assert Ticket.objects.get(pk=ticket.pk).state == State.RESOLVED


def test_figures__received_and_adopted_by_topic__within_the_viewers_scope(
    suggest, worker_of_community_a, worker_of_community_b
):
    suggestion_decide(ticket=suggest(), actor=worker_of_community_a, adopted=True, reason="采纳")
    suggestion_decide(
        ticket=suggest(topic="traffic", text="增设非机动车停车区"),
        actor=worker_of_community_a,
        adopted=False,
        reason="已有规划",
    )
    suggest(topic="traffic", text="路口加装红绿灯")
    with translation.override("zh-hans"):
        rows = {r.key: r for r in suggestion_figures(viewer=worker_of_community_a, by="topic")}
    assert (rows["一老一小"].received, rows["一老一小"].adopted) == (1, 1)
    assert (rows["交通出行"].received, rows["交通出行"].answered, rows["交通出行"].adopted) == (2, 1, 0)
    assert suggestion_figures(viewer=worker_of_community_b, by="area") == []

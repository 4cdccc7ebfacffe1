"""The phone page, the answer the resident reads, the office's pages and the public list."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from conftest import ANXIANGJIE
from gongzhi.sentinel.tests.conftest import photo
from gongzhi.suggestions.models import Outcome, Suggestion
from gongzhi.tickets.models import State, Ticket

pytestmark = pytest.mark.django_db


def test_submit_page__a_resident_suggests_in_a_few_taps_and_reads_the_answer(
    client, signed_in, resident_a, worker_of_community_a
):
    page = signed_in(resident_a).get(reverse("suggestions:submit"))
    assert page.status_code == 200 and "一老一小" in page.content.decode()
    response = client.post(
        reverse("suggestions:submit"),
        {"topic": "environment", "text": "垃圾分类点晚上加装照明", "area": ANXIANGJIE, "photos": [photo()]},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "suggestions:detail", args=[ticket.pk]
    )

    worker = signed_in(worker_of_community_a)
    assert ticket.title in worker.get(reverse("suggestions:list")).content.decode()
    assert 'id="answer"' in worker.get(reverse("suggestions:detail", args=[ticket.pk])).content.decode()
    assert worker.post(reverse("suggestions:review", args=[ticket.pk])).status_code == 302
    answered = worker.post(
        reverse("suggestions:decide", args=[ticket.pk]), {"adopted": "1", "reason": "已安排物业本周加装"}
    )
    assert answered.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).state == State.CLOSED

    mine = signed_in(resident_a).get(reverse("suggestions:detail", args=[ticket.pk])).content.decode()
    assert "已安排物业本周加装" in mine and 'id="answer"' not in mine
    client.logout()
    public = client.get(reverse("suggestions:adopted")).content.decode()
    assert "垃圾分类点晚上加装照明" in public and "已安排物业本周加装" in public
    assert resident_a.name not in public


@pytest.mark.parametrize(
    ("change", "message_part"),
    [
        ({"text": ""}, 'role="alert"'),
        ({"text": "长" * 1001}, "1000"),
        ({"photos": [SimpleUploadedFile("b.jpg", b"not an image", content_type="image/jpeg")]}, "b.jpg"),
    ],
    ids=["empty", "too-long", "not-an-image"],
)
def test_submit_page__bad_input__shows_an_error_and_writes_nothing(
    signed_in, resident_a, change, message_part
):
    data = {"topic": "other", "text": "建议", "area": ANXIANGJIE, **change}
    with translation.override("zh-hans"):
        response = signed_in(resident_a).post(
            reverse("suggestions:submit"), data, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert response.status_code == 400 and message_part in response.content.decode()
    assert not Ticket.objects.exists()


def test_decide__not_adopted_without_a_reason__shows_the_error(signed_in, suggest, worker_of_community_a):
    ticket = suggest()
    with translation.override("zh-hans"):
        response = signed_in(worker_of_community_a).post(
            reverse("suggestions:decide", args=[ticket.pk]),
            {"adopted": "0", "reason": ""},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 400 and "请填写理由" in response.content.decode()
    assert Suggestion.objects.get(ticket=ticket).outcome == Outcome.PENDING


def test_pages_of_another_community__show_nothing(signed_in, suggest, worker_of_community_b):
    ticket = suggest()
    client = signed_in(worker_of_community_b)
    assert client.get(reverse("suggestions:detail", args=[ticket.pk])).status_code == 404
    assert (
        client.post(
            reverse("suggestions:decide", args=[ticket.pk]), {"adopted": "1", "reason": "x"}
        ).status_code
        == 404
    )
    assert ticket.title not in client.get(reverse("suggestions:list")).content.decode()
    assert "<td>1</td>" not in client.get(reverse("suggestions:figures")).content.decode()

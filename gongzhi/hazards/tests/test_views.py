"""The phone report page, the office's list and hazard page with assessment and re-inspection."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from conftest import ANXIANGJIE
from gongzhi.hazards.models import Hazard, Reinspection
from gongzhi.sentinel.tests.conftest import INSIDE, OUTSIDE, photo
from gongzhi.tickets.models import State, Ticket

pytestmark = pytest.mark.django_db


def form_data(at=INSIDE, **extra):
    data = {
        "category": "fire",
        "text": "小区消防通道被私家车堵死",
        "area": ANXIANGJIE,
        "risk_level": "general",
        "lat": at[0] if at else "",
        "lng": at[1] if at else "",
        "address": "",
    }
    data.update(extra)
    return data


def test_report_page__a_resident_reports_with_a_photo_and_follows_it(signed_in, resident_a):
    client = signed_in(resident_a)
    page = client.get(reverse("hazards:report"))
    assert page.status_code == 200 and 'name="source"' not in page.content.decode()
    response = client.post(reverse("hazards:report"), {**form_data(), "photos": [photo()]})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("hazards:detail", args=[ticket.pk])
    assert ticket.attachments.count() == 1 and Hazard.objects.get(ticket=ticket).source == "resident"
    detail = client.get(response["Location"]).content.decode()
    assert "小区消防通道被私家车堵死" in detail and 'id="assess"' not in detail
    assert ticket.title in client.get(reverse("hazards:mine")).content.decode()


@pytest.mark.parametrize(
    ("change", "message_part"),
    [
        ({"lat": OUTSIDE[0], "lng": OUTSIDE[1]}, "安象街社区"),
        ({"photos": [SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")]}, "a.jpg"),
        ({"lat": "", "lng": ""}, "位置"),
        ({"text": "险" * 1001}, "1000"),
    ],
    ids=["outside-the-city", "not-an-image", "no-place", "too-long"],
)
def test_report_page__bad_input__shows_an_error_and_writes_nothing(
    signed_in, resident_a, change, message_part
):
    with translation.override("zh-hans"):
        response = signed_in(resident_a).post(
            reverse("hazards:report"), form_data(**change), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    body = response.content.decode()
    assert response.status_code == 400 and 'role="alert"' in body and message_part in body
    assert not Ticket.objects.exists()


def test_hazard_page__the_worker_assesses__then_re_inspects_with_a_photo(
    signed_in, report, worker_of_community_a, owner, owner_member, resident_a
):
    from gongzhi.tickets.services import ticket_accept, ticket_resolve

    ticket = report()
    client = signed_in(worker_of_community_a)
    assert ticket.title in client.get(reverse("hazards:list")).content.decode()
    page = client.get(reverse("hazards:detail", args=[ticket.pk])).content.decode()
    assert 'id="assess"' in page and owner.name in page
    response = client.post(
        reverse("hazards:assess", args=[ticket.pk]), {"risk_level": "larger", "owner": owner.pk, "note": ""}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED

    ticket_accept(ticket=ticket, actor=owner_member)
    ticket_resolve(ticket=ticket, actor=owner_member, note="已清理通道", photos=[photo()])
    url = reverse("hazards:reinspect", args=[ticket.pk])
    with translation.override("zh-hans"):
        refused = client.post(url, {"passed": "1", "note": "到位"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 400 and "复查现场照片" in refused.content.decode()
    assert not Reinspection.objects.exists()
    done = client.post(url, {"passed": "1", "note": "现场核实已整改", "photos": [photo()]})
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED
    # The resident sees the outcome and the re-inspection on the hazard's page.
    mine = signed_in(resident_a).get(reverse("hazards:detail", args=[ticket.pk])).content.decode()
    assert "现场核实已整改" in mine and 'id="reinspect"' not in mine


def test_hazard_page__of_another_community__is_not_found(signed_in, report, worker_of_community_b):
    ticket = report()
    client = signed_in(worker_of_community_b)
    assert client.get(reverse("hazards:detail", args=[ticket.pk])).status_code == 404
    assert (
        client.post(reverse("hazards:assess", args=[ticket.pk]), {"risk_level": "major"}).status_code == 404
    )
    assert ticket.title not in client.get(reverse("hazards:list")).content.decode()


def test_figures_page__shows_the_viewers_hazards_by_risk_level(signed_in, report, worker_of_community_a):
    report()
    with translation.override("zh-hans"):
        body = (
            signed_in(worker_of_community_a)
            .get(reverse("hazards:figures"), HTTP_ACCEPT_LANGUAGE="zh-hans")
            .content.decode()
        )
    assert "一般" in body and "<td>1</td>" in body


def test_generic_ticket_page__sends_the_resident_to_the_hazard_page_instead_of_rating(
    signed_in, rectified, resident_a
):
    """A rectified hazard closes by re-inspection, not by the reporter's rating: the ticket page
    offers no "confirm and rate" but a link to the hazard page, and "my requests" links there."""
    ticket = rectified()
    client = signed_in(resident_a)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    hazard_page = reverse("hazards:detail", args=[ticket.pk])
    assert 'id="kind-page"' in page and f'href="{hazard_page}"' in page
    assert 'id="rate"' not in page
    assert f'href="{hazard_page}"' in client.get("/tickets/mine/").content.decode()


def test_report_page__the_community_follows_the_phones_position(signed_in, resident_a):
    """A resident reports what she passes: standing in 白塔路社区 with 安象街社区 (her home) chosen,
    the hazard belongs to 白塔路社区, whose office must handle it."""
    from conftest import BAITALU
    from gongzhi.areas.models import Area

    baitalu = Area.objects.get(code=BAITALU)
    data = {**form_data(), "lat": baitalu.lat, "lng": baitalu.lng, "photos": [photo()]}
    response = signed_in(resident_a).post(reverse("hazards:report"), data)
    assert response.status_code == 302
    assert Ticket.objects.get().area_id == BAITALU

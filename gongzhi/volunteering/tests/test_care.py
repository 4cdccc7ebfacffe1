"""Visit photos (metadata stripped) and a concern that opens a ticket in the person's community."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from conftest import ANXIANGJIE
from gongzhi.tickets.models import Ticket
from gongzhi.volunteering import services
from gongzhi.volunteering.models import PairType, Visit, VisitPhoto

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def pairing(make_volunteer, make_person, organiser):
    return services.pairing_create(
        pair_type=PairType.objects.get(code="neighbour_guardian"),
        volunteer=make_volunteer(),
        person=make_person(tags=["elderly_alone"], created_by=organiser),
        actor=organiser,
    )


def _jpeg_with_gps() -> SimpleUploadedFile:
    img = Image.new("RGB", (64, 48), "orange")
    exif = Image.Exif()
    exif[0x8825] = {2: (30.0, 23.0, 45.0)}  # GPSInfo: latitude
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile("visit.jpg", out.getvalue(), content_type="image/jpeg")


def test_visit__photo_is_kept_without_its_location_and_shown_to_the_volunteer(signed_in, pairing):
    client = signed_in(pairing.volunteer.user)
    response = client.post(
        reverse("volunteering:visit", args=[pairing.pk]),
        {
            "day": timezone.localdate().isoformat(),
            "kind": "home",
            "notes": "精神不错",
            "photos": [_jpeg_with_gps()],
        },
    )
    assert response.status_code == 302
    photo = VisitPhoto.objects.get()
    served = client.get(reverse("volunteering:visit_photo", args=[photo.pk]))
    assert served.status_code == 200
    data = b"".join(served.streaming_content)
    assert not Image.open(io.BytesIO(data)).getexif().get(0x8825)


def test_visit__a_file_that_is_not_a_photo__is_refused_and_nothing_written(signed_in, pairing):
    response = signed_in(pairing.volunteer.user).post(
        reverse("volunteering:visit", args=[pairing.pk]),
        {
            "day": timezone.localdate().isoformat(),
            "kind": "home",
            "photos": [SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")],
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["photos"]
    assert not Visit.objects.exists() and not VisitPhoto.objects.exists()


def test_visit_photo__of_another_community__is_not_found(signed_in, pairing, worker_of_community_b):
    services.visit_record(
        pairing=pairing,
        day=timezone.localdate(),
        kind="home",
        photos=[_jpeg_with_gps()],
        actor=pairing.volunteer.user,
    )
    photo = VisitPhoto.objects.get()
    response = signed_in(worker_of_community_b).get(reverse("volunteering:visit_photo", args=[photo.pk]))
    assert response.status_code == 404


def test_concern__opens_a_ticket_of_the_persons_community_linked_both_ways(signed_in, pairing):
    response = signed_in(pairing.volunteer.user).post(
        reverse("volunteering:visit", args=[pairing.pk]),
        {
            "day": timezone.localdate().isoformat(),
            "kind": "home",
            "concerns": "老人家中燃气灶漏气",
            "open_ticket": "on",
            "concern_category": "safety",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    ticket = Ticket.objects.get()
    assert visit.ticket == ticket
    assert (ticket.kind, ticket.category, ticket.area_id) == ("care_concern", "safety", ANXIANGJIE)
    assert ticket.extra["visit_id"] == visit.pk and ticket.extra["pairing_id"] == pairing.pk
    assert ticket.description == "老人家中燃气灶漏气"
    page = signed_in(pairing.volunteer.user).get(reverse("volunteering:visit", args=[pairing.pk]))
    assert ticket.number in page.content.decode()


def test_concern__asking_for_a_ticket_without_describing_it__is_refused(pairing):
    with pytest.raises(ValidationError) as exc:
        services.visit_record(
            pairing=pairing,
            day=timezone.localdate(),
            kind="call",
            open_ticket=True,
            actor=pairing.volunteer.user,
        )
    assert "concerns" in exc.value.message_dict
    assert not Visit.objects.exists() and not Ticket.objects.exists()


def test_api__visit_with_a_concern_ticket(signed_in, pairing):
    response = signed_in(pairing.volunteer.user).post(
        f"/api/v1/volunteering/pairings/{pairing.pk}/visits",
        {
            "day": timezone.localdate().isoformat(),
            "kind": "call",
            "concerns": "独居老人近日食欲不振",
            "open_ticket": "true",
            "concern_category": "health",
            "photos": [_jpeg_with_gps()],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["photos"] == 1
    assert body["ticket_number"] == Ticket.objects.get().number

"""Submitting: every bad input is refused beside its field and writes nothing; photos are proven
images, capped at 10 MB and stripped of EXIF (GPS included)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import ANXIANGJIE, BAITALU, JIANCHENG
from gongzhi.audit.models import AuditEntry
from gongzhi.tickets.models import Ticket, TicketAttachment
from gongzhi.tickets.services import ticket_submit

# 安象街社区's centre is 30.42393, 104.55484; 宝鸡 is about 600 km away.
INSIDE = (30.4245, 104.5551)
OUTSIDE = (34.36, 107.13)


def jpeg_with_gps(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (30.0, 25.0, 30.0), 3: "E", 4: (104.0, 33.0, 5.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_submit__records_the_ticket_its_deadline_and_an_audit_entry(submit):
    ticket = submit(lat=INSIDE[0], lng=INSIDE[1], address="安象街12号")
    assert (ticket.lat, ticket.lng) == INSIDE
    assert ticket.deadline - ticket.created_at == __import__("datetime").timedelta(days=7)
    assert AuditEntry.objects.filter(action="ticket.submit", object_id=str(ticket.pk)).exists()


def test_deadline__follows_the_category_limit_class(submit, volunteer_a):
    fire = submit("test_hazard", "fire", submitter=volunteer_a, title="电动车楼道充电")
    assert (fire.deadline - fire.created_at).total_seconds() == 2 * 3600


def test_deadline__limits_are_a_setting(submit, settings):
    settings.GONGZHI_TICKET_LIMITS = {"general": 48}
    ticket = submit()
    assert (ticket.deadline - ticket.created_at).total_seconds() == 48 * 3600


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"category": "flying_cars"}, "category", "ticket.unknown_category"),
        ({"title": ""}, "title", "ticket.title"),
        ({"lat": OUTSIDE[0], "lng": OUTSIDE[1]}, "location", "ticket.location_outside"),
        ({"lat": 30.42}, "location", "ticket.location"),
        ({"lat": 95, "lng": 104.5}, "location", "ticket.location"),
        ({"priority": 9}, "priority", "ticket.priority"),
        ({"extra": {"people": 0}}, "extra.people", "ticket.extra"),
        ({"extra": {"unknown_field": 1}}, "extra.unknown_field", "ticket.extra"),
    ],
)
def test_submit__bad_input__is_refused_beside_the_field_and_writes_nothing(
    area, resident_a, fields, field, code
):
    args = {
        "kind": "service_order",
        "category": "elderly_care",
        "area": area(ANXIANGJIE),
        "title": "探访",
        "submitter": resident_a,
    }
    args.update(fields)
    with pytest.raises(ValidationError) as exc:
        ticket_submit(**args)
    assert exc.value.error_dict[field][0].code == code
    assert not Ticket.objects.exists() and not AuditEntry.objects.filter(action="ticket.submit").exists()


def test_submit__unknown_kind__is_refused(area, resident_a):
    with pytest.raises(ValidationError) as exc:
        ticket_submit(
            kind="ufo_sighting", category="x", area=area(ANXIANGJIE), title="t", submitter=resident_a
        )
    assert exc.value.error_dict["kind"][0].code == "ticket.unknown_kind"


def test_submit__for_a_community_the_resident_does_not_belong_to__is_refused(area, resident_a):
    with pytest.raises(ValidationError) as exc:
        ticket_submit(
            kind="service_order",
            category="elderly_care",
            area=area(BAITALU),
            title="探访",
            submitter=resident_a,
        )
    assert exc.value.error_dict["area"][0].code == "ticket.submit_forbidden"


def test_submit__for_a_whole_street__is_refused(area, resident_a):
    with pytest.raises(ValidationError) as exc:
        ticket_submit(
            kind="service_order",
            category="elderly_care",
            area=area(JIANCHENG),
            title="探访",
            submitter=resident_a,
        )
    assert exc.value.error_dict["area"][0].code == "ticket.area_level"


def test_location__inside_a_boundary_polygon__is_checked_against_the_polygon(area, resident_a):
    community = area(ANXIANGJIE)
    community.boundary = {
        "type": "Polygon",
        "coordinates": [
            [[104.55, 30.42], [104.56, 30.42], [104.56, 30.43], [104.55, 30.43], [104.55, 30.42]]
        ],
    }
    community.save()
    args = {
        "kind": "service_order",
        "category": "elderly_care",
        "area": community,
        "title": "探访",
        "submitter": resident_a,
    }
    assert ticket_submit(lat=30.425, lng=104.555, **args).pk
    with pytest.raises(ValidationError) as exc:
        ticket_submit(lat=30.435, lng=104.555, **args)  # 1 km north: near the centre, outside the polygon
    assert exc.value.error_dict["location"][0].code == "ticket.location_outside"


def test_photo__is_re_encoded_without_exif_or_gps(submit):
    ticket = submit(photos=[upload(jpeg_with_gps())])
    attachment = ticket.attachments.get()
    assert attachment.content_type == "image/jpeg" and (attachment.width, attachment.height) == (64, 48)
    with attachment.file.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        assert not stored.getexif() and "exif" not in stored.info


def test_photo__png_and_webp_are_accepted(submit):
    for fmt, name in (("PNG", "a.png"), ("WEBP", "b.webp")):
        out = io.BytesIO()
        Image.new("RGB", (10, 10)).save(out, fmt)
        submit(photos=[upload(out.getvalue(), name)])
    assert set(TicketAttachment.objects.values_list("content_type", flat=True)) == {"image/png", "image/webp"}


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"%PDF-1.4 not an image", "scan.jpg", "attachment.not_image"),
        (b"GIF89a" + b"\x00" * 40, "x.gif", "attachment.not_image"),
        (jpeg_with_gps()[:200], "torn.jpg", "attachment.not_image"),
    ],
)
def test_photo__that_is_not_an_image__is_refused_and_nothing_is_written(submit, data, name, code):
    with pytest.raises(ValidationError) as exc:
        submit(photos=[upload(data, name)])
    assert exc.value.error_dict["photos"][0].code == code
    assert not Ticket.objects.exists() and not TicketAttachment.objects.exists()


def test_photo__over_10_mb__is_refused(submit):
    big = upload(b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 1), "big.jpg")
    with pytest.raises(ValidationError) as exc:
        submit(photos=[big])
    assert exc.value.error_dict["photos"][0].code == "attachment.too_large"
    assert "10" in exc.value.error_dict["photos"][0].messages[0]
    assert not Ticket.objects.exists()


def test_photo__a_decompression_bomb__is_refused(submit):
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")  # 64 megapixels in a few kilobytes
    with pytest.raises(ValidationError) as exc:
        submit(photos=[upload(out.getvalue(), "bomb.png")])
    assert exc.value.error_dict["photos"][0].code == "attachment.too_large"


def test_photo__more_than_nine_at_once__is_refused(submit):
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    with pytest.raises(ValidationError) as exc:
        submit(photos=[upload(out.getvalue(), f"{i}.png") for i in range(10)])
    assert exc.value.error_dict["photos"][0].code == "attachment.too_many"


def test_kind_registry__refuses_a_second_policy_for_the_same_code():
    from gongzhi.tickets.policies import KindPolicy, register

    class Impostor(KindPolicy):
        code = "service_order"

    with pytest.raises(ValueError):
        register(Impostor)

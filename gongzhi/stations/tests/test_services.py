"""Writes to the registry: locations, scope, merges with their history, hours and photos."""

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import ANXIANGJIE, BAITALU, JIANCHENG
from gongzhi.areas.models import Area
from gongzhi.audit.models import AuditEntry
from gongzhi.lib import geo, opening_hours
from gongzhi.stations import services
from gongzhi.stations.models import Station, StationEvent, StationStatus

from .factories import functions, make_station

pytestmark = pytest.mark.django_db
HERE = (30.4245, 104.5551)  # by 安象街社区's centre


def area(code):
    return Area.objects.get(code=code)


def test_create__wgs84__is_stored_as_given_and_audited(worker_of_community_a):
    s = services.station_create(
        actor=worker_of_community_a, name=" 安象街驿站 ", area=area(ANXIANGJIE), lat=HERE[0], lng=HERE[1]
    )
    assert (s.name, s.lat, s.lng, s.source_crs) == ("安象街驿站", HERE[0], HERE[1], "wgs84")
    assert AuditEntry.objects.filter(action="station.create", object_id=str(s.pk)).exists()
    assert s.events.get().kind == StationEvent.Kind.CREATED


def test_create__gcj02__is_converted_back_to_the_wgs84_point():
    gcj = geo.wgs84_to_gcj02(*HERE)
    s = services.station_create(
        actor=None, name="站", area=area(ANXIANGJIE), lat=gcj[0], lng=gcj[1], source_crs="gcj02"
    )
    assert geo.haversine_m(s.lat, s.lng, *HERE) < 0.01
    assert (s.source_lat, s.source_lng) == gcj


def test_create__swapped_latitude_and_longitude__says_so():
    with pytest.raises(ValidationError) as exc:
        services.station_create(actor=None, name="站", area=area(ANXIANGJIE), lat=HERE[1], lng=HERE[0])
    assert exc.value.error_dict["lat"][0].code == "station.swapped"
    assert not Station.objects.exists()


def test_create__a_point_abroad__is_outside_china():
    with pytest.raises(ValidationError) as exc:
        services.station_create(actor=None, name="站", area=area(ANXIANGJIE), lat=48.85, lng=2.35)
    assert exc.value.error_dict["lat"][0].code == "station.outside_china"


def test_create__far_from_its_community__is_refused():
    with pytest.raises(ValidationError) as exc:
        services.station_create(actor=None, name="站", area=area(ANXIANGJIE), lat=30.9, lng=104.1)
    assert exc.value.error_dict["lat"][0].code == "station.far_from_area"


def test_create__outside_the_actor_scope__is_refused(worker_of_community_a):
    with pytest.raises(ValidationError) as exc:
        services.station_create(
            actor=worker_of_community_a, name="站", area=area(BAITALU), lat=30.4077, lng=104.5220
        )
    assert "area" in exc.value.message_dict


def test_create__unknown_facility_and_bad_phone__named_fields():
    with pytest.raises(ValidationError) as exc:
        services.station_create(
            actor=None,
            name="站",
            area=area(ANXIANGJIE),
            lat=HERE[0],
            lng=HERE[1],
            facilities=["sauna"],
            phone="call me",
        )
    assert {"facilities", "phone"} <= set(exc.value.message_dict)


def test_update__only_what_is_given_changes(worker_of_community_a):
    s = make_station(ANXIANGJIE, "站", HERE, fns=("暖心角",))
    services.station_update(station=s, actor=worker_of_community_a, name="新名", capacity=40)
    s.refresh_from_db()
    assert (s.name, s.capacity, list(s.functions.values_list("name", flat=True))) == ("新名", 40, ["暖心角"])


def test_update__worker_of_another_community__is_refused(worker_of_community_b):
    s = make_station(ANXIANGJIE, "站", HERE)
    with pytest.raises(PermissionDenied):
        services.station_update(station=s, actor=worker_of_community_b, name="改")


# --- merges -------------------------------------------------------------------------------


def test_merge__moves_functions_and_owners_and_keeps_both_sides_of_the_history(town_staff_a):
    from gongzhi.directory.models import Organisation

    union = Organisation.objects.create(name="简阳市总工会", kind="mass_org", area_id="510185000000")
    youth = Organisation.objects.create(name="共青团简阳市委员会", kind="mass_org", area_id="510185000000")
    into = make_station(ANXIANGJIE, "龙颈路站", HERE, fns=("工会驿站",))
    into.organisations.add(union)
    a = make_station(ANXIANGJIE, "青年之家", (30.4250, 104.5560), fns=("青年之家",))
    a.organisations.add(youth)
    b = make_station(ANXIANGJIE, "暖心角", (30.4240, 104.5540), fns=("暖心角", "工会驿站"))
    services.station_merge(sources=[a, b], into=into, actor=town_staff_a, note="178并73")
    assert set(into.functions.values_list("name", flat=True)) == {"工会驿站", "青年之家", "暖心角"}
    assert set(into.organisations.all()) == {union, youth}
    for s in (a, b):
        s.refresh_from_db()
        assert s.status == StationStatus.MERGED and s.merged_into == into
    absorbed = into.events.filter(kind=StationEvent.Kind.ABSORBED)
    assert {(e.other.name, tuple(e.details["functions_moved"])) for e in absorbed} == {
        ("青年之家", ("青年之家",)),
        ("暖心角", ("暖心角",)),  # 工会驿站 was there already
    }
    assert a.events.get(kind=StationEvent.Kind.MERGED_INTO).other == into
    assert AuditEntry.objects.filter(action="station.merge").count() == 2


def test_merge__a_merged_station_cannot_be_merged_again_or_edited(town_staff_a):
    into = make_station(ANXIANGJIE, "甲", HERE)
    a = make_station(ANXIANGJIE, "乙", (30.4250, 104.5560))
    services.station_merge(sources=[a], into=into, actor=town_staff_a)
    other = make_station(ANXIANGJIE, "丙", (30.4240, 104.5540))
    with pytest.raises(ValidationError):
        services.station_merge(sources=[a], into=other, actor=town_staff_a)
    with pytest.raises(ValidationError):
        services.station_update(station=a, actor=town_staff_a, name="复活")


def test_merge__into_itself_or_into_a_closed_one__is_refused(town_staff_a):
    s = make_station(ANXIANGJIE, "甲", HERE)
    t = make_station(ANXIANGJIE, "乙", (30.4250, 104.5560))
    with pytest.raises(ValidationError):
        services.station_merge(sources=[s], into=s, actor=town_staff_a)
    services.station_close(station=t, actor=town_staff_a, reason="装修")
    with pytest.raises(ValidationError) as exc:
        services.station_merge(sources=[s], into=t, actor=town_staff_a)
    assert "into" in exc.value.message_dict
    s.refresh_from_db()
    assert s.status == StationStatus.ACTIVE


def test_merge__community_worker_may_not(worker_of_community_a):
    s = make_station(ANXIANGJIE, "甲", HERE)
    t = make_station(ANXIANGJIE, "乙", (30.4250, 104.5560))
    with pytest.raises(PermissionDenied):
        services.station_merge(sources=[s], into=t, actor=worker_of_community_a)


def test_merge_of_a_merge__successor_follows_the_chain(town_staff_a):
    a = make_station(ANXIANGJIE, "甲", HERE)
    b = make_station(ANXIANGJIE, "乙", (30.4250, 104.5560))
    c = make_station(JIANCHENG, "丙", (30.4240, 104.5540))
    services.station_merge(sources=[a], into=b, actor=town_staff_a)
    services.station_merge(sources=[b], into=c, actor=town_staff_a)
    a.refresh_from_db()
    assert a.merged_into.name == "乙" and services.successor(a) == c


def test_close_and_reopen__follow_the_status_table(town_staff_a):
    s = make_station(ANXIANGJIE, "甲", HERE)
    with pytest.raises(ValidationError):
        services.station_reopen(station=s, actor=town_staff_a)  # it is not closed
    services.station_close(station=s, actor=town_staff_a, reason="房屋到期")
    services.station_reopen(station=s, actor=town_staff_a)
    assert [e.kind for e in s.events.order_by("at", "id")][-2:] == ["closed", "reopened"]


# --- hours ----------------------------------------------------------------------------------


def test_hours__exception_replaces_that_date_and_can_be_removed(worker_of_community_a):
    s = make_station(ANXIANGJIE, "甲", HERE, hours="09:00-18:00")
    day = date(2027, 1, 1)
    services.hours_exception_set(station=s, actor=worker_of_community_a, day=day, intervals=(), note="元旦")
    services.hours_exception_set(
        station=s,
        actor=worker_of_community_a,
        day=day,
        intervals=opening_hours.parse_intervals("10:00-12:00"),
    )
    assert s.hours_exceptions.count() == 1 and s.hours_exceptions.get().opens.hour == 10
    services.hours_exception_remove(station=s, actor=worker_of_community_a, day=day)
    assert not s.hours_exceptions.exists()


def test_hours__bad_day__error_names_the_weekday_field():
    with pytest.raises(ValidationError) as exc:
        services.parse_weekly({0: "09:00-18:00", 3: "25:00-26:00"})
    assert set(exc.value.message_dict) == {"day_3"}


# --- photos ---------------------------------------------------------------------------------


def jpeg_with_gps(size=(2400, 1800)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (30.0, 25.0, 0.0)}  # GPS IFD: where the phone was
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile("IMG_0001.jpg", out.getvalue(), content_type="image/jpeg")


def test_photo__is_shrunk_and_its_exif_removed(worker_of_community_a):
    s = make_station(ANXIANGJIE, "甲", HERE)
    upload = jpeg_with_gps()
    assert Image.open(io.BytesIO(upload.read())).getexif()  # the upload carries EXIF
    upload.seek(0)
    photo = services.photo_add(station=s, actor=worker_of_community_a, upload=upload, caption="门口")
    with photo.image.open("rb") as f:
        stored = Image.open(io.BytesIO(f.read()))
    assert max(stored.size) == 1600 and not stored.getexif()
    assert (photo.width, photo.height) == stored.size


def test_photo__larger_than_10_mb__is_refused(worker_of_community_a):
    s = make_station(ANXIANGJIE, "甲", HERE)
    big = SimpleUploadedFile("big.jpg", b"\xff" * (10 * 1024 * 1024 + 1), content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.photo_add(station=s, actor=worker_of_community_a, upload=big)
    assert exc.value.error_dict["image"][0].code == "station.photo_size"
    assert not s.photos.exists()


def test_photo__a_pdf_named_jpg__is_refused(worker_of_community_a):
    s = make_station(ANXIANGJIE, "甲", HERE)
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.photo_add(station=s, actor=worker_of_community_a, upload=fake)
    assert exc.value.error_dict["image"][0].code == "station.photo_format"


# --- functions ------------------------------------------------------------------------------


def test_function__added_by_city_staff_and_retired_ones_cannot_be_chosen(city_staff):
    fn = services.function_create(actor=city_staff, code="legal_desk", name="法治护航专席")
    services.function_update(function=fn, actor=city_staff, name="法治护航专席", is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.station_create(
            actor=None, name="站", area=area(ANXIANGJIE), lat=HERE[0], lng=HERE[1], functions=[fn]
        )
    assert "functions" in exc.value.message_dict


def test_function__duplicate_name_or_bad_code__refused(city_staff):
    with pytest.raises(ValidationError) as exc:
        services.function_create(actor=city_staff, code="Bad Code", name="职工之家")
    assert {"code", "name"} == set(exc.value.message_dict)


def test_function__town_staff_may_not_change_the_table(town_staff_a):
    with pytest.raises(PermissionDenied):
        services.function_create(actor=town_staff_a, code="x_y", name="新功能")
    assert functions("职工之家")

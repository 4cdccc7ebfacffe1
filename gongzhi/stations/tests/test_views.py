"""The pages, as their users meet them."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import ANXIANGJIE, BAITALU, JIANCHENG
from gongzhi.accounts.roles import Role
from gongzhi.stations.models import PlanRun, Station, StationStatus

from .factories import C1, CITY, make_station, offset

pytestmark = pytest.mark.django_db

ANXIANGJIE_CENTRE = (30.42393, 104.55484)


@pytest.fixture
def anxiang_station(areas):
    return make_station(
        ANXIANGJIE, "安象街暖心驿站", (30.4245, 104.5551), fns=("暖心驿站", "工会驿站"), address="安象街12号"
    )


def test_registry__community_worker_sees_own_stations_with_functions(
    signed_in, worker_of_community_a, anxiang_station
):
    page = signed_in(worker_of_community_a).get(reverse("stations:list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "安象街暖心驿站" in body and "工会驿站" in body


def test_registry__worker_of_another_community_sees_nothing_of_it(
    signed_in, worker_of_community_b, anxiang_station
):
    client = signed_in(worker_of_community_b)
    assert "安象街暖心驿站" not in client.get(reverse("stations:list")).content.decode()
    assert client.get(reverse("stations:detail", args=[anxiang_station.pk])).status_code == 404
    assert client.get(reverse("stations:edit", args=[anxiang_station.pk])).status_code == 404


def test_registry__resident_is_refused(signed_in, resident_a):
    assert signed_in(resident_a).get(reverse("stations:list")).status_code == 403


def test_register__from_a_gcj02_map_pick__stores_wgs84_and_keeps_what_was_entered(
    signed_in, worker_of_community_a
):
    client = signed_in(worker_of_community_a)
    assert client.get(reverse("stations:create")).status_code == 200
    response = client.post(
        reverse("stations:create"),
        {
            "name": "安象街职工之家",
            "area": ANXIANGJIE,
            "lat": "30.42150",
            "lng": "104.55720",
            "source_crs": "gcj02",
            "functions": [],
            "facilities": ["water", "wifi"],
        },
    )
    station = Station.objects.get(name="安象街职工之家")
    assert response.status_code == 302 and response.url == reverse("stations:hours", args=[station.pk])
    assert (station.source_lat, station.source_lng) == (30.4215, 104.5572)
    # GCJ-02 lies a few hundred metres off WGS-84 in Sichuan; the stored point is the corrected one.
    assert (
        0.0015 < station.source_lat - station.lat < 0.004 or 0.0015 < station.source_lng - station.lng < 0.004
    )


def test_register__outside_china__shows_the_error_beside_the_field_and_saves_nothing(
    signed_in, worker_of_community_a
):
    response = signed_in(worker_of_community_a).post(
        reverse("stations:create"),
        {"name": "错站", "area": ANXIANGJIE, "lat": "48.85", "lng": "2.35", "source_crs": "wgs84"},
    )
    assert response.status_code == 400
    assert "中国" in response.content.decode() or "China" in response.content.decode()
    assert not Station.objects.filter(name="错站").exists()


def test_register__in_another_community__is_not_offered_and_refused(signed_in, worker_of_community_a):
    response = signed_in(worker_of_community_a).post(
        reverse("stations:create"),
        {"name": "越界站", "area": BAITALU, "lat": "30.40769", "lng": "104.52204", "source_crs": "wgs84"},
    )
    assert response.status_code == 400
    assert not Station.objects.filter(name="越界站").exists()


def test_hours__weekly_and_a_special_day(signed_in, worker_of_community_a, anxiang_station):
    client = signed_in(worker_of_community_a)
    url = reverse("stations:hours", args=[anxiang_station.pk])
    days = {f"day_{d}": "09:00-12:00, 14:00-18:00" for d in range(5)} | {"day_5": "18:00-02:00", "day_6": ""}
    assert client.post(url, days).status_code == 302
    assert anxiang_station.hours.count() == 11
    soon = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert client.post(url, {"date": soon, "hours": "", "note": "国庆闭站"}).status_code == 302
    page = client.get(
        reverse("stations:detail", args=[anxiang_station.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "18:00-02:00" in page and "国庆闭站" in page
    # the stations' own words, not those of tickets (关闭时间) or points (积分明细)
    assert "休息" in page and "<h2>历史</h2>" in page
    assert "关闭时间" not in page and "积分明细" not in page


def test_hours__nonsense__shows_the_error_beside_the_day(signed_in, worker_of_community_a, anxiang_station):
    response = signed_in(worker_of_community_a).post(
        reverse("stations:hours", args=[anxiang_station.pk]), {"day_0": "9点到18点"}
    )
    assert response.status_code == 400
    assert anxiang_station.hours.count() == 7  # the 24h pattern is untouched


def test_photo__a_text_file_is_refused_beside_the_field(signed_in, worker_of_community_a, anxiang_station):
    upload = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
    response = signed_in(worker_of_community_a).post(
        reverse("stations:photo_add", args=[anxiang_station.pk]), {"image": upload}
    )
    assert response.status_code == 400
    assert not anxiang_station.photos.exists()


def test_merge__town_staff_merges_and_both_pages_show_the_history(signed_in, town_staff_a, anxiang_station):
    other = make_station(ANXIANGJIE, "老职工之家", (30.4250, 104.5560), fns=("职工之家",))
    client = signed_in(town_staff_a)
    assert client.get(reverse("stations:merge")).status_code == 200
    response = client.post(
        reverse("stations:merge"), {"into": anxiang_station.pk, "sources": [other.pk], "note": "整合"}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == StationStatus.MERGED and other.merged_into == anxiang_station
    into_page = client.get(reverse("stations:detail", args=[anxiang_station.pk])).content.decode()
    assert "老职工之家" in into_page and "职工之家" in into_page
    old_page = client.get(reverse("stations:detail", args=[other.pk])).content.decode()
    assert "安象街暖心驿站" in old_page


def test_close__needs_a_reason_then_the_finder_stops_showing_it(
    signed_in, town_staff_a, resident_a, anxiang_station
):
    client = signed_in(town_staff_a)
    assert (
        client.post(reverse("stations:close", args=[anxiang_station.pk]), {"reason": ""}).status_code == 400
    )
    assert (
        client.post(reverse("stations:close", args=[anxiang_station.pk]), {"reason": "房屋到期"}).status_code
        == 302
    )
    finder = signed_in(resident_a).get(reverse("stations:find"), {"community": ANXIANGJIE}).content.decode()
    results = finder.split('id="results"')[1]
    assert "安象街暖心驿站" not in results


def test_functions__city_staff_adds_one_and_stations_can_pick_it(
    signed_in, city_staff, worker_of_community_a
):
    client = signed_in(city_staff)
    response = client.post(
        reverse("stations:functions"),
        {"code": "legal_desk", "name": "法治护航专席", "order": 200, "is_active": "on"},
    )
    assert response.status_code == 302
    form = signed_in(worker_of_community_a).get(reverse("stations:create")).content.decode()
    assert "法治护航专席" in form


def test_functions__community_worker_cannot_edit_the_table(signed_in, worker_of_community_a):
    assert signed_in(worker_of_community_a).get(reverse("stations:functions")).status_code == 403


# --- finder ---------------------------------------------------------------------------------


def test_finder__resident_picks_a_community_and_sees_stations_within_the_walk(
    signed_in, resident_a, anxiang_station
):
    far = make_station(BAITALU, "白塔路工会驿站", (30.40769, 104.52204), fns=("工会驿站",))
    client = signed_in(resident_a)
    assert client.get(reverse("stations:find")).status_code == 200
    page = client.get(reverse("stations:find"), {"community": ANXIANGJIE, "minutes": 15}).content.decode()
    assert "安象街暖心驿站" in page and far.name not in page
    assert 'id="map-config"' in page  # the map's data, for map.js


def test_finder__by_coordinates_from_the_phone(signed_in, resident_a, anxiang_station):
    page = (
        signed_in(resident_a)
        .get(reverse("stations:find"), {"lat": "30.4240", "lng": "104.5549", "minutes": 5})
        .content.decode()
    )
    assert "安象街暖心驿站" in page


def test_finder__no_place_given__asks_for_one(signed_in, resident_a):
    response = signed_in(resident_a).get(reverse("stations:find"), {"minutes": 15})
    assert response.status_code == 400


def test_finder__station_page_shows_hours_and_functions(signed_in, resident_a, anxiang_station):
    page = (
        signed_in(resident_a)
        .get(reverse("stations:public_detail", args=[anxiang_station.pk]))
        .content.decode()
    )
    assert "安象街暖心驿站" in page and "暖心驿站" in page and "00:00-24:00" not in page


# --- coverage, grids and planner ----------------------------------------------------------


def test_coverage__town_staff_sees_the_share_and_the_uncovered(signed_in, town_staff_a, anxiang_station):
    page = signed_in(town_staff_a).get(reverse("stations:coverage"), {"area": JIANCHENG, "minutes": 15})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="coverage-chart"' in body and "白塔路社区" in body  # uncovered, listed


def test_coverage__community_worker_is_refused(signed_in, worker_of_community_a):
    assert signed_in(worker_of_community_a).get(reverse("stations:coverage")).status_code == 403


def test_grids__bad_csv__error_names_the_column(signed_in, city_staff):
    upload = SimpleUploadedFile("grid.csv", b"id,lat,lng\na,30.4,104.5\n")
    response = signed_in(city_staff).post(
        reverse("stations:grids"), {"name": "网格", "area": CITY_CODE, "file": upload}
    )
    assert response.status_code == 400 and "weight" in response.content.decode()


CITY_CODE = "510185000000"


def test_planner__run_shows_map_table_and_excel(signed_in, town_staff_a, anxiang_station):
    client = signed_in(town_staff_a)
    form = client.get(reverse("stations:plan_create"), {"area": JIANCHENG})
    assert form.status_code == 200
    response = client.post(
        reverse("stations:plan_create"),
        {
            "area": JIANCHENG,
            "model": "mclp",
            "p": 1,
            "minutes": 15,
            "include_existing": "on",
            "gap_percent": 0,
        },
    )
    run = PlanRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("stations:plan_detail", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert "安象街暖心驿站" in page and 'id="map-layers"' in page
    xlsx = client.get(reverse("stations:plan_export", args=[run.pk]))
    book = load_workbook(io.BytesIO(xlsx.content))
    assert len(book.sheetnames) == 3
    assert any(row[1] == "安象街暖心驿站" for row in book.worksheets[1].iter_rows(values_only=True))
    history = client.get(reverse("stations:plans")).content.decode()
    assert reverse("stations:plan_detail", args=[run.pk]) in history and "简城街道" in history


def test_planner__p_too_large__error_beside_p_and_nothing_written(signed_in, town_staff_a, anxiang_station):
    response = signed_in(town_staff_a).post(
        reverse("stations:plan_create"),
        {
            "area": JIANCHENG,
            "model": "mclp",
            "p": 5,
            "minutes": 15,
            "include_existing": "on",
            "gap_percent": 0,
        },
    )
    assert response.status_code == 400
    assert not PlanRun.objects.exists()


def test_planner__another_town_run__is_not_found(signed_in, make_user, town_staff_a, anxiang_station):
    from gongzhi.areas.models import Area
    from gongzhi.stations import services

    run = services.plan_run_start(
        actor=town_staff_a, area=Area.objects.get(code=JIANCHENG), model="mclp", p=1
    )
    other = make_user(Role.TOWN_STAFF, "510185002000")
    client = signed_in(other)
    assert client.get(reverse("stations:plan_detail", args=[run.pk])).status_code == 404
    assert client.get(reverse("stations:plan_export", args=[run.pk])).status_code == 404


def test_hand_made_city_pages_render_for_its_planner(signed_in, planner_of_city):
    client = signed_in(planner_of_city)
    assert client.get(reverse("stations:coverage"), {"area": CITY, "minutes": 15}).status_code == 200
    assert client.get(reverse("stations:grids")).status_code == 200
    assert client.get(reverse("stations:plans")).status_code == 200
    assert client.get(reverse("stations:plan_create"), {"area": CITY}).status_code == 200
    assert client.get(reverse("stations:find"), {"community": C1}).status_code == 200
    assert offset  # the factory module is the one that built this city


def test_finder__an_old_link_to_a_merged_station__leads_to_where_its_services_went(
    signed_in, resident_a, town_staff_a, anxiang_station
):
    from gongzhi.stations import services

    old = make_station(ANXIANGJIE, "老暖心角", (30.4250, 104.5560))
    services.station_merge(sources=[old], into=anxiang_station, actor=town_staff_a)
    response = signed_in(resident_a).get(reverse("stations:public_detail", args=[old.pk]))
    assert response.status_code == 302
    assert response.url == reverse("stations:public_detail", args=[anxiang_station.pk])


def test_finder__gaode_tiles__points_are_shifted_to_gcj02_for_display(
    signed_in, resident_a, anxiang_station, settings
):
    import json

    from gongzhi.lib import geo

    settings.MAP_TILE_PROVIDER = "amap"
    page = signed_in(resident_a).get(reverse("stations:find"), {"community": ANXIANGJIE}).content.decode()
    config = json.loads(page.split('id="map-config" type="application/json">')[1].split("</script>")[0])
    layers = json.loads(page.split('id="map-layers" type="application/json">')[1].split("</script>")[0])
    assert "autonavi.com" in config["tiles"] and config["crs"] == "gcj02"
    shown = layers["stations"][0]
    expected = geo.wgs84_to_gcj02(anxiang_station.lat, anxiang_station.lng)
    assert (shown["lat"], shown["lng"]) == pytest.approx(expected, abs=1e-6)
    assert geo.haversine_m(shown["lat"], shown["lng"], anxiang_station.lat, anxiang_station.lng) > 100


def test_planner__queued_run__progress_fragment_polls_then_refreshes_when_done(
    signed_in, town_staff_a, anxiang_station, django_capture_on_commit_callbacks
):
    from gongzhi.areas.models import Area
    from gongzhi.stations import services
    from gongzhi.stations.tasks import plan_run_task

    with django_capture_on_commit_callbacks(execute=False):
        run = services.plan_run_start(
            actor=town_staff_a, area=Area.objects.get(code=JIANCHENG), model="mclp", p=1, background=True
        )
    client = signed_in(town_staff_a)
    url = reverse("stations:plan_progress", args=[run.pk])
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and 'hx-trigger="every 2s"' in fragment.content.decode()
    assert "HX-Refresh" not in fragment
    assert client.get(reverse("stations:plan_detail", args=[run.pk])).status_code == 200
    plan_run_task.enqueue(run_id=run.pk)  # what the worker does
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    assert "安象街暖心驿站" in client.get(reverse("stations:plan_detail", args=[run.pk])).content.decode()

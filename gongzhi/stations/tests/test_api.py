"""/api/v1/stations/…: the registry (scoped), the finder, coverage, grids and planner runs."""

import pytest

from conftest import ANXIANGJIE, BAITALU
from gongzhi.accounts.services import api_token_create
from gongzhi.lib import planning
from gongzhi.stations.models import PlanRun, Station

from .factories import C1, CITY, T2, make_station, offset

pytestmark = pytest.mark.django_db
HERE = (30.4245, 104.5551)


@pytest.fixture
def api(client):
    def as_user(user, lang="zh-hans"):
        _, raw = api_token_create(user=user, name="test")
        client.defaults.update(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=lang)
        return client

    return as_user


def test_list__is_scoped_to_my_community(api, worker_of_community_a):
    make_station(ANXIANGJIE, "安象街驿站", HERE, fns=("工会驿站",))
    make_station(BAITALU, "白塔路驿站", (30.40769, 104.52204))
    body = api(worker_of_community_a).get("/api/v1/stations").json()
    assert [s["name"] for s in body["items"]] == ["安象街驿站"]
    assert body["items"][0]["functions"] == ["工会驿站"]


def test_get__another_communitys_station__is_404_problem_json(api, worker_of_community_b):
    s = make_station(ANXIANGJIE, "安象街驿站", HERE)
    response = api(worker_of_community_b).get(f"/api/v1/stations/{s.pk}")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


def test_create__then_hours_and_a_special_day__detail_says_open_now(api, worker_of_community_a):
    client = api(worker_of_community_a)
    response = client.post(
        "/api/v1/stations",
        {
            "name": "新驿站",
            "area_code": ANXIANGJIE,
            "lat": HERE[0],
            "lng": HERE[1],
            "functions": ["warm_station"],
            "facilities": ["water"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    sid = response.json()["id"]
    body = client.put(
        f"/api/v1/stations/{sid}/hours", {"days": ["24h"] * 7}, content_type="application/json"
    ).json()
    assert body["open_now"]["open"] is True and body["hours"][0]["hours"] == "24h"
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    body = client.put(
        f"/api/v1/stations/{sid}/exceptions",
        {"date": today, "hours": "", "note": "检修"},
        content_type="application/json",
    ).json()
    assert body["open_now"]["open"] is False and body["exceptions"][0]["note"] == "检修"
    assert client.delete(f"/api/v1/stations/{sid}/exceptions/{today}").status_code == 204


def test_create__bad_input__is_422_problem_json_naming_the_field_and_writes_nothing(
    api, worker_of_community_a
):
    response = api(worker_of_community_a).post(
        "/api/v1/stations",
        {"name": "错站", "area_code": ANXIANGJIE, "lat": 48.85, "lng": 2.35},
        content_type="application/json",
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "station.outside_china" and "lat" in body["errors"]
    assert not Station.objects.exists()


def test_create__unknown_function_code__is_named(api, worker_of_community_a):
    response = api(worker_of_community_a).post(
        "/api/v1/stations",
        {"name": "站", "area_code": ANXIANGJIE, "lat": HERE[0], "lng": HERE[1], "functions": ["sauna"]},
        content_type="application/json",
    )
    assert response.status_code == 422 and "functions" in response.json()["errors"]


def test_hours__bad_text__is_422_naming_the_day(api, worker_of_community_a):
    s = make_station(ANXIANGJIE, "站", HERE)
    days = ["09:00-18:00"] * 6 + ["早上九点"]
    response = api(worker_of_community_a).put(
        f"/api/v1/stations/{s.pk}/hours", {"days": days}, content_type="application/json"
    )
    assert response.status_code == 422 and list(response.json()["errors"]) == ["day_6"]


def test_merge__and_history(api, town_staff_a):
    a = make_station(ANXIANGJIE, "甲", HERE, fns=("职工之家",))
    b = make_station(ANXIANGJIE, "乙", (30.4250, 104.5560), fns=("青年之家",))
    client = api(town_staff_a)
    body = client.post(
        "/api/v1/stations/merge", {"into": a.pk, "sources": [b.pk]}, content_type="application/json"
    ).json()
    assert sorted(body["functions"]) == ["职工之家", "青年之家"]
    history = client.get(f"/api/v1/stations/{a.pk}/history").json()
    assert history[0]["kind"] == "absorbed" and history[0]["other_name"] == "乙"
    assert client.get(f"/api/v1/stations/{b.pk}").json()["merged_into"] == a.pk


def test_nearby__by_community_or_point(api, resident_a):
    make_station(ANXIANGJIE, "安象街驿站", HERE)
    client = api(resident_a)
    body = client.get(f"/api/v1/stations/nearby?community={ANXIANGJIE}").json()
    assert body["count"] == 1 and body["items"][0]["station"]["name"] == "安象街驿站"
    assert body["radius_m"] == pytest.approx(865.38, abs=0.01)
    body = client.get(f"/api/v1/stations/nearby?lat={HERE[0]}&lng={HERE[1]}&minutes=1").json()
    assert body["items"][0]["distance_m"] == 0
    assert client.get("/api/v1/stations/nearby").status_code == 422


def test_coverage__hand_made_city(api, planner_of_city):
    body = api(planner_of_city).get(f"/api/v1/stations/coverage?area_code={CITY}").json()
    assert (body["population"], body["covered"]) == (15000, 7000)
    assert [t["code"] for t in body["towns"]] == ["519901001000", T2]
    assert [u["uncovered"] for u in body["uncovered"]] == [5000, 3000]


def test_coverage__another_town__is_404(api, planner_of_t1):
    assert api(planner_of_t1).get(f"/api/v1/stations/coverage?area_code={T2}").status_code == 404


def test_grid_import__multipart(api, planner_of_city):
    from django.core.files.uploadedfile import SimpleUploadedFile

    lat, lng = offset(0, 0)
    upload = SimpleUploadedFile("g.csv", f"id,lat,lng,weight\np1,{lat},{lng},12\n".encode())
    response = api(planner_of_city).post(
        "/api/v1/stations/grids", {"file": upload, "name": "网格", "area_code": CITY}
    )
    assert response.status_code == 201 and response.json()["point_count"] == 1


def pure(model, p, candidates, city_stations):
    demand = [
        planning.DemandPoint(code, *offset(n, e), w)
        for code, (n, e, w) in {
            "519901001001": (0, 0, 1000),
            "519901001002": (600, 0, 2000),
            "519901001003": (3000, 0, 3000),
            "519901002001": (0, 10000, 4000),
            "519901002002": (2000, 10000, 5000),
        }.items()
    ]
    sites = [planning.Candidate(f"S{s.pk}", s.lat, s.lng) for s in city_stations]
    sites += [planning.Candidate(f"new:{c['id']}", c["lat"], c["lng"]) for c in candidates]
    return planning.plan(model, demand, sites, radius_m=15 * 75 / 1.3, p=p)


@pytest.mark.parametrize(("model", "p"), [("mclp", 2), ("pmedian", 2), ("lscp", None)])
def test_plan__through_the_api__equals_the_pure_optimum(api, planner_of_city, city, model, p):
    candidates = [
        {"id": "A", "lat": offset(2900, 0)[0], "lng": offset(2900, 0)[1]},
        {"id": "B", "lat": offset(1900, 10100)[0], "lng": offset(1900, 10100)[1]},
        {"id": "C", "lat": offset(300, 5000)[0], "lng": offset(300, 5000)[1]},
    ]
    payload = {"area_code": CITY, "model": model, "p": p, "candidates": candidates}
    response = api(planner_of_city).post("/api/v1/stations/plans", payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    expected = pure(model, p, candidates, [city["s1"], city["s2"]])
    assert body["status"] == "done" and body["solve_status"] == "optimal"
    assert body["objective"] == pytest.approx(expected.objective)
    assert sorted(body["chosen"]) == sorted(expected.chosen)


def test_plan__background__202_then_done(api, planner_of_city, city, django_capture_on_commit_callbacks):
    client = api(planner_of_city)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/stations/plans",
            {"area_code": CITY, "model": "mclp", "p": 1, "background": True},
            content_type="application/json",
        )
    assert response.status_code == 202 and response.json()["status"] == "queued"
    body = client.get(f"/api/v1/stations/plans/{response.json()['id']}").json()
    assert body["status"] == "done" and body["objective"] == 4000 and body["progress"] == 100
    assert client.get("/api/v1/stations/plans").json()["count"] == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"model": "mclp", "p": 9}, "p"),
        ({"model": "mclp", "p": 1, "candidates": [{"id": "X", "lat": 48.85, "lng": 2.35}]}, "candidate_file"),
        ({"model": "mclp"}, "p"),
        ({"model": "cheapest", "p": 1}, "model"),
    ],
)
def test_plan__bad_input__422_naming_it_and_nothing_written(api, planner_of_city, city, payload, field):
    response = api(planner_of_city).post(
        "/api/v1/stations/plans", {"area_code": CITY, **payload}, content_type="application/json"
    )
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not PlanRun.objects.exists()


def test_plan__candidate_outside_china__message_names_the_row(api, planner_of_city, city):
    payload = {
        "area_code": CITY,
        "model": "mclp",
        "p": 1,
        "candidates": [{"id": "X", "lat": 48.85, "lng": 2.35}],
    }
    body = (
        api(planner_of_city).post("/api/v1/stations/plans", payload, content_type="application/json").json()
    )
    assert "2" in body["errors"]["candidate_file"][0]["message"]  # row 2: the first after the header


def test_plan__infeasible__422_with_its_code(api, planner_of_city, city):
    payload = {
        "area_code": CITY,
        "model": "mclp",
        "p": 1,
        "must_keep": [city["s1"].pk],
        "requirements": [{"function": "职工之家", "min_sites": 1}],
    }
    body = (
        api(planner_of_city).post("/api/v1/stations/plans", payload, content_type="application/json").json()
    )
    assert body["code"] == "stations.plan_infeasible"


def test_plan__another_towns_run__is_404(api, planner_of_city, planner_of_t1, city):
    from gongzhi.areas.models import Area
    from gongzhi.stations import services

    run = services.plan_run_start(actor=planner_of_city, area=Area.objects.get(code=T2), model="mclp", p=1)
    assert api(planner_of_t1).get(f"/api/v1/stations/plans/{run.pk}").status_code == 404


def test_functions__listed_for_anyone_and_added_by_city_staff(api, resident_a, city_staff):
    assert any(f["name"] == "暖心角" for f in api(resident_a).get("/api/v1/stations/functions").json())
    response = api(resident_a).post(
        "/api/v1/stations/functions", {"code": "x_y", "name": "新"}, content_type="application/json"
    )
    assert response.status_code == 403
    response = api(city_staff).post(
        "/api/v1/stations/functions",
        {"code": "legal_desk", "name": "法治护航专席"},
        content_type="application/json",
    )
    assert response.status_code == 201


def test_english_messages_on_request(api, worker_of_community_a):
    response = api(worker_of_community_a, lang="en").post(
        "/api/v1/stations",
        {"name": "x", "area_code": ANXIANGJIE, "lat": 48.85, "lng": 2.35},
        content_type="application/json",
    )
    assert "outside China" in response.json()["title"]
    assert C1  # the hand-made city's codes are importable here too

"""The planner through the service and the background task: equal to a brute-force optimum on
small instances, and bad parameters refused by name with nothing written."""

import itertools
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.areas.models import Area
from gongzhi.lib import geo
from gongzhi.stations import services
from gongzhi.stations.models import PlanRun, PlanStatus
from gongzhi.stations.services import Requirement

from .factories import C1, C2, C3, C4, C5, CITY, T1, offset

pytestmark = pytest.mark.django_db
RADIUS = 15 * 75 / 1.3
DEMAND = {
    C1: (offset(0, 0), 1000),
    C2: (offset(600, 0), 2000),
    C3: (offset(3000, 0), 3000),
    C4: (offset(0, 10000), 4000),
    C5: (offset(2000, 10000), 5000),
}


def sites_csv(sites: dict[str, tuple[float, float]], extra: str = "") -> SimpleUploadedFile:
    lines = ["id,lat,lng" + (",functions" if extra else "")]
    lines += [f"{k},{lat},{lng}" + (f",{extra}" if extra else "") for k, (lat, lng) in sites.items()]
    return SimpleUploadedFile("sites.csv", ("\n".join(lines) + "\n").encode())


def random_sites(seed: int, n: int = 7) -> dict[str, tuple[float, float]]:
    """Sites scattered within 1.2 km of the communities, so some cover one, some several, some none."""
    rng = random.Random(seed)
    anchors = [(0, 0), (600, 0), (3000, 0), (0, 10000), (2000, 10000)]
    out = {}
    for i in range(n):
        north, east = rng.choice(anchors)
        out[f"N{i}"] = offset(north + rng.uniform(-1200, 1200), east + rng.uniform(-1200, 1200))
    return out


def brute_force(model: str, sites: dict[str, tuple[float, float]], p: int | None):
    dist = {(d, s): geo.haversine_m(*DEMAND[d][0], *xy) for d in DEMAND for s, xy in sites.items()}
    best = None
    sizes = [p] if p else range(len(sites) + 1)
    for k in sizes:
        for combo in itertools.combinations(sites, k):
            near = {d: min((dist[d, s] for s in combo), default=float("inf")) for d in DEMAND}
            if model == "mclp":
                value = sum(w for d, (_, w) in DEMAND.items() if near[d] <= RADIUS)
                best = value if best is None else max(best, value)
            elif model == "pmedian":
                value = sum(w * near[d] for d, (_, w) in DEMAND.items())
                best = value if best is None else min(best, value)
            else:
                coverable = {d for d in DEMAND if any(dist[d, s] <= RADIUS for s in sites)}
                if all(near[d] <= RADIUS for d in coverable):
                    return k
    return best


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("model", "p"), [("mclp", 2), ("pmedian", 2), ("lscp", None)])
def test_service__small_instance__equals_the_brute_force_optimum(planner_of_city, seed, model, p):
    sites = random_sites(seed)
    run = services.plan_run_start(
        actor=planner_of_city,
        area=Area.objects.get(code=CITY),
        model=model,
        p=p,
        include_existing=False,
        candidate_file=sites_csv(sites),
    )
    assert run.status == PlanStatus.DONE and run.solve_status == "optimal"
    assert run.objective == pytest.approx(brute_force(model, sites, p), rel=1e-6)
    assert run.gap == 0


def test_task__background_run__equals_the_same_optimum_and_records_progress(
    planner_of_city, django_capture_on_commit_callbacks
):
    sites = random_sites(9)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.plan_run_start(
            actor=planner_of_city,
            area=Area.objects.get(code=CITY),
            model="mclp",
            p=2,
            include_existing=False,
            candidate_file=sites_csv(sites),
            background=True,
        )
        assert run.status == PlanStatus.QUEUED
    run.refresh_from_db()
    assert run.status == PlanStatus.DONE and run.progress == 100
    assert run.objective == pytest.approx(brute_force("mclp", sites, 2))
    assert run.started_at and run.finished_at and run.task_id


def test_existing_stations__p1__keeps_the_one_serving_more_people(planner_of_city, city):
    run = services.plan_run_start(actor=planner_of_city, area=Area.objects.get(code=CITY), model="mclp", p=1)
    assert run.result["chosen"] == [f"S{city['s2'].pk}"]
    assert run.objective == 4000
    s1 = next(s for s in run.result["sites"] if s["station_id"] == city["s1"].pk)
    assert not s1["chosen"] and s1["merge_into_name"] == "二号站"
    assert run.covered_share == pytest.approx(4000 / 15000)
    assert run.created_by == planner_of_city


def test_must_keep__is_honoured(planner_of_city, city):
    run = services.plan_run_start(
        actor=planner_of_city, area=Area.objects.get(code=CITY), model="mclp", p=1, must_keep=[city["s1"].pk]
    )
    assert run.result["chosen"] == [f"S{city['s1'].pk}"] and run.objective == 3000


def test_function_requirement__forces_a_site_offering_it(planner_of_city, city):
    sites = {"N1": offset(600, 0), "N2": offset(2000, 10000)}  # N1 sits on C2, N2 on C5
    run = services.plan_run_start(
        actor=planner_of_city,
        area=Area.objects.get(code=CITY),
        model="mclp",
        p=2,
        candidate_file=sites_csv(sites, extra="儿童之家"),
        requirements=[Requirement("工会驿站", min_sites=1)],
    )
    chosen = set(run.result["chosen"])
    assert f"S{city['s1'].pk}" in chosen  # the only 工会驿站
    assert run.objective == 1000 + 2000 + 5000  # S1 (C1, C2) and N2 (C5)


def count_runs():
    return PlanRun.objects.count()


def start(actor, **kw):
    kw.setdefault("area", Area.objects.get(code=CITY))
    kw.setdefault("model", "mclp")
    return services.plan_run_start(actor=actor, **kw)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"p": 3}, "p"),  # two active stations only
        ({"model": "lscp", "p": 1}, "p"),
        ({"p": None}, "p"),
        ({"p": 1, "minutes": 0}, "minutes"),
        ({"p": 1, "mip_gap": 0.9}, "mip_gap"),
        ({"p": 1, "time_limit": -5}, "time_limit"),
        ({"model": "best"}, "model"),
    ],
)
def test_bad_parameter__is_refused_by_name_and_nothing_is_written(planner_of_city, kw, field):
    with pytest.raises(ValidationError) as exc:
        start(planner_of_city, **kw)
    assert field in exc.value.message_dict
    assert count_runs() == 0


def test_keep_and_close_the_same_station__is_refused(planner_of_city, city):
    with pytest.raises(ValidationError) as exc:
        start(planner_of_city, p=1, must_keep=[city["s1"].pk], must_close=[city["s1"].pk])
    assert "一号站" in exc.value.message_dict["must_close"][0]
    assert count_runs() == 0


def test_keeping_more_than_p__is_refused(planner_of_city, city):
    with pytest.raises(ValidationError) as exc:
        start(planner_of_city, p=1, must_keep=[city["s1"].pk, city["s2"].pk])
    assert "must_keep" in exc.value.message_dict


def test_closed_station__cannot_be_kept(planner_of_city, city):
    with pytest.raises(ValidationError) as exc:
        start(planner_of_city, p=1, must_keep=[city["s3"].pk])
    assert str(city["s3"].pk) in exc.value.message_dict["must_keep"][0]


def test_infeasible_keep_and_requirement__is_refused_and_nothing_is_written(planner_of_city, city):
    # Keep 一号站 (no 职工之家) and require a 职工之家 with room for one station only.
    with pytest.raises(ValidationError) as exc:
        start(
            planner_of_city,
            p=1,
            must_keep=[city["s1"].pk],
            requirements=[Requirement("职工之家", min_sites=1)],
        )
    assert exc.value.error_list[0].code == "stations.plan_infeasible"
    assert count_runs() == 0


def test_infeasible_in_the_background__ends_the_run_failed_with_the_reason(
    planner_of_city, city, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = start(
            planner_of_city,
            p=1,
            must_keep=[city["s1"].pk],
            requirements=[Requirement("职工之家", min_sites=1)],
            background=True,
        )
    run.refresh_from_db()
    assert run.status == PlanStatus.FAILED
    assert "p" in run.error and run.objective is None


def test_requirement_nobody_offers__is_refused(planner_of_city):
    with pytest.raises(ValidationError) as exc:
        start(planner_of_city, p=1, requirements=[Requirement("儿童之家", min_sites=1)])
    assert "儿童之家" in exc.value.message_dict["requirements"][0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id,lat\nN1,30.0\n", "lng"),  # missing column
        ("id,lat,lng\nN1,30.0,104.0\nN2,48.85,2.35\n", "3"),  # outside China, row 3
        ("id,lat,lng,functions\nN1,30.0,104.0,洗衣房\n", "洗衣房"),  # unknown function
    ],
)
def test_bad_candidate_csv__names_the_row_or_column_and_writes_nothing(planner_of_city, text, expected):
    with pytest.raises(ValidationError) as exc:
        start(planner_of_city, p=1, candidate_file=SimpleUploadedFile("sites.csv", text.encode()))
    assert expected in exc.value.message_dict["candidate_file"][0]
    assert count_runs() == 0


def test_town_staff__cannot_plan_the_city(planner_of_t1):
    with pytest.raises(ValidationError) as exc:
        start(planner_of_t1, p=1)
    assert "area" in exc.value.message_dict


def test_town_run__uses_only_the_town(planner_of_t1, city):
    run = start(planner_of_t1, area=Area.objects.get(code=T1), p=1)
    assert run.params["n_demand"] == 3 and run.params["n_candidates"] == 1
    assert run.objective == 3000

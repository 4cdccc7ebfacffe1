"""Tests for gongzhi.lib.planning: optimality (brute force, spopt), constraints, input errors, CLI."""

from __future__ import annotations

import io
import itertools
import json
import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pytest

from gongzhi.lib import geo
from gongzhi.lib.planning import (
    Candidate,
    DemandPoint,
    FunctionRequirement,
    PlanningInputError,
    coverage,
    load_candidates_csv,
    load_demand_csv,
    main,
    plan,
    solve_lscp,
    solve_mclp,
    solve_pmedian,
)

# spopt builds its models through PuLP, which warns about its own 4.0 API on every variable.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pulp.*")

JIANYANG = (30.39, 104.55)
FUNCTIONS = ("职工之家", "青年之家", "妇女之家")


def make_instance(
    n: int, m: int, seed: int, *, spread_deg: float = 0.02, functions: bool = False
) -> tuple[list[DemandPoint], list[Candidate]]:
    """Random demand and candidates in a ~4 km square of 简阳 (integer weights 1-9)."""
    rng = np.random.default_rng(seed)
    lat0, lng0 = JIANYANG
    demand = [
        DemandPoint(
            f"d{i}",
            lat0 + rng.uniform(-spread_deg, spread_deg),
            lng0 + rng.uniform(-spread_deg, spread_deg),
            float(rng.integers(1, 10)),
        )
        for i in range(n)
    ]
    candidates = []
    for j in range(m):
        funcs = frozenset(f for f in FUNCTIONS if functions and rng.random() < 0.35)
        candidates.append(
            Candidate(
                f"s{j}",
                lat0 + rng.uniform(-spread_deg, spread_deg),
                lng0 + rng.uniform(-spread_deg, spread_deg),
                funcs,
            )
        )
    return demand, candidates


def distances(demand: Sequence[DemandPoint], candidates: Sequence[Candidate]) -> np.ndarray:
    return geo.haversine_m_array(
        np.array([d.lat for d in demand])[:, None],
        np.array([d.lng for d in demand])[:, None],
        np.array([c.lat for c in candidates])[None, :],
        np.array([c.lng for c in candidates])[None, :],
    )


def feasible_subsets(
    candidates: Sequence[Candidate],
    sizes: Iterable[int],
    must_keep: Iterable[str] = (),
    must_close: Iterable[str] = (),
    requirements: Sequence[FunctionRequirement] = (),
    cover: np.ndarray | None = None,
) -> Iterable[tuple[int, ...]]:
    """Every subset of the given sizes that honours keep/close and the requirements."""
    keep = {j for j, c in enumerate(candidates) if c.id in set(must_keep)}
    close = {j for j, c in enumerate(candidates) if c.id in set(must_close)}
    allowed = [j for j in range(len(candidates)) if j not in close]
    for size in sizes:
        for subset in itertools.combinations(allowed, size):
            if not keep <= set(subset):
                continue
            ok = True
            for r in requirements:
                offering = [j for j in allowed if r.function in candidates[j].functions]
                if sum(1 for j in subset if j in offering) < r.min_sites:
                    ok = False
                if r.cover_all and cover is not None:
                    need = cover[:, offering].any(axis=1)
                    got = cover[:, [j for j in subset if j in offering]].any(axis=1)
                    if (need & ~got).any():
                        ok = False
            if ok:
                yield subset


def brute_mclp(demand, candidates, p, radius, **kw) -> float:
    cover = distances(demand, candidates) <= radius
    w = np.array([d.weight for d in demand])
    return max(
        float(w[cover[:, list(s)].any(axis=1)].sum())
        for s in feasible_subsets(candidates, [p], cover=cover, **kw)
    )


def brute_lscp(demand, candidates, radius, **kw) -> int:
    cover = distances(demand, candidates) <= radius
    close = {j for j, c in enumerate(candidates) if c.id in set(kw.get("must_close", ()))}
    open_cols = [j for j in range(len(candidates)) if j not in close]
    need = cover[:, open_cols].any(axis=1)
    for size in range(len(candidates) + 1):
        for s in feasible_subsets(candidates, [size], cover=cover, **kw):
            if (cover[:, list(s)].any(axis=1) >= need).all():
                return size
    raise AssertionError("unreachable")


def brute_pmedian(demand, candidates, p, radius=None, **kw) -> float:
    dist = distances(demand, candidates)
    w = np.array([d.weight for d in demand])
    cover = dist <= radius if radius is not None else None
    return min(
        float(w @ dist[:, list(s)].min(axis=1)) for s in feasible_subsets(candidates, [p], cover=cover, **kw)
    )


# --------------------------------------------------------------------------------------------
# Optimality against brute force
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_mclp__equals_the_brute_force_optimum(seed):
    demand, candidates = make_instance(30, 9, seed)
    for p in (1, 3):
        result = solve_mclp(demand, candidates, p=p, radius_m=900.0)
        assert result.status == "optimal"
        assert result.gap == 0.0
        assert len(result.chosen) == p
        assert result.objective == pytest.approx(brute_mclp(demand, candidates, p, 900.0))
        assert result.best_bound == pytest.approx(result.objective)


@pytest.mark.parametrize("seed", range(8))
def test_lscp__equals_the_brute_force_optimum(seed):
    demand, candidates = make_instance(30, 9, seed)
    result = solve_lscp(demand, candidates, radius_m=900.0)
    assert result.status == "optimal"
    assert result.objective == brute_lscp(demand, candidates, 900.0)
    # Every coverable point is covered; the rest are reported.
    cov = coverage(demand, [c for c in candidates if c.id in result.chosen], 900.0)
    uncoverable = set(result.uncoverable)
    assert all(cov.covered[i] or d.id in uncoverable for i, d in enumerate(demand))
    assert result.covered_weight == pytest.approx(cov.covered_weight)


@pytest.mark.parametrize("seed", range(8))
def test_pmedian__equals_the_brute_force_optimum(seed):
    demand, candidates = make_instance(30, 9, seed)
    expected = brute_pmedian(demand, candidates, 3)
    result = solve_pmedian(demand, candidates, p=3, radius_m=900.0)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(expected, rel=1e-9)
    assert result.mean_distance_m == pytest.approx(expected / sum(d.weight for d in demand))


@pytest.mark.parametrize("k_nearest", [1, 2])
@pytest.mark.parametrize("seed", range(4))
def test_pmedian__short_candidate_lists_still_reach_the_proven_optimum(seed, k_nearest):
    demand, candidates = make_instance(30, 9, seed)
    result = solve_pmedian(demand, candidates, p=3, k_nearest=k_nearest)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(brute_pmedian(demand, candidates, 3), rel=1e-9)
    assert result.best_bound == pytest.approx(result.objective, rel=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_all_models__honour_must_keep_and_must_close(seed):
    demand, candidates = make_instance(30, 9, seed)
    keep, close = ["s0", "s4"], ["s1", "s2"]
    kw = {"must_keep": keep, "must_close": close}
    mclp = solve_mclp(demand, candidates, p=3, radius_m=900.0, **kw)
    lscp = solve_lscp(demand, candidates, radius_m=900.0, **kw)
    pmed = solve_pmedian(demand, candidates, p=3, k_nearest=1 + seed % 2, **kw)
    for result in (mclp, lscp, pmed):
        assert set(keep) <= set(result.chosen)
        assert not set(close) & set(result.chosen)
    assert mclp.objective == pytest.approx(brute_mclp(demand, candidates, 3, 900.0, **kw))
    assert lscp.objective == brute_lscp(demand, candidates, 900.0, **kw)
    assert pmed.objective == pytest.approx(brute_pmedian(demand, candidates, 3, **kw), rel=1e-9)


def test_candidate_status__keep_and_close_act_like_the_parameters():
    demand, candidates = make_instance(30, 9, 11)
    marked = [
        Candidate(c.id, c.lat, c.lng, c.functions, {"s3": "keep", "s5": "close"}.get(c.id, "candidate"))
        for c in candidates
    ]
    by_status = solve_mclp(demand, marked, p=3, radius_m=900.0)
    by_param = solve_mclp(demand, candidates, p=3, radius_m=900.0, must_keep=["s3"], must_close=["s5"])
    assert "s3" in by_status.chosen and "s5" not in by_status.chosen
    assert by_status.objective == pytest.approx(by_param.objective)


@pytest.mark.parametrize("seed", range(5))
def test_function_requirements__are_met_and_the_result_is_still_optimal(seed):
    demand, candidates = make_instance(30, 10, seed, functions=True)
    offering = {f: [c.id for c in candidates if f in c.functions] for f in FUNCTIONS}
    f_count = max(FUNCTIONS, key=lambda f: len(offering[f]))
    f_cover = min((f for f in FUNCTIONS if offering[f]), key=lambda f: len(offering[f]))
    reqs = [FunctionRequirement(f_count, min_sites=2), FunctionRequirement(f_cover, cover_all=True)]
    p = max(3, len(offering[f_cover]))
    result = solve_mclp(demand, candidates, p=p, radius_m=900.0, requirements=reqs)
    assert sum(1 for cid in result.chosen if cid in offering[f_count]) >= 2
    cover = distances(demand, candidates) <= 900.0
    idx = {c.id: j for j, c in enumerate(candidates)}
    cover_cols = [idx[c] for c in offering[f_cover]]
    chosen_cols = [idx[c] for c in result.chosen if c in offering[f_cover]]
    assert (cover[:, chosen_cols].any(axis=1) >= cover[:, cover_cols].any(axis=1)).all()
    assert result.objective == pytest.approx(brute_mclp(demand, candidates, p, 900.0, requirements=reqs))

    lscp = solve_lscp(demand, candidates, radius_m=900.0, requirements=reqs)
    assert lscp.objective == brute_lscp(demand, candidates, 900.0, requirements=reqs)
    pmed = solve_pmedian(demand, candidates, p=p, radius_m=900.0, requirements=reqs, k_nearest=2)
    assert pmed.objective == pytest.approx(
        brute_pmedian(demand, candidates, p, 900.0, requirements=reqs), rel=1e-9
    )


def test_mclp__zero_weight_and_unreachable_points_are_handled():
    demand, candidates = make_instance(20, 6, 5)
    far = DemandPoint("far", 31.5, 105.5, 7.0)
    zero = DemandPoint("zero", demand[0].lat, demand[0].lng, 0.0)
    result = solve_mclp([*demand, far, zero], candidates, p=2, radius_m=900.0)
    assert "far" in result.uncoverable
    assert result.total_weight == pytest.approx(sum(d.weight for d in demand) + 7.0)
    assert result.objective == pytest.approx(brute_mclp(demand, candidates, 2, 900.0))


def test_lscp__with_nothing_coverable_chooses_only_the_must_keep_sites():
    demand = [DemandPoint("far", 31.5, 105.5, 1.0)]
    _, candidates = make_instance(1, 4, 2)
    result = solve_lscp(demand, candidates, radius_m=500.0, must_keep=["s1"])
    assert result.chosen == ("s1",)
    assert result.uncoverable == ("far",)
    assert result.status == "optimal"


def test_mip_gap_and_time_limit__report_an_honest_status():
    demand, candidates = make_instance(300, 40, 1, spread_deg=0.05)
    loose = solve_mclp(demand, candidates, p=8, radius_m=900.0, mip_gap=0.5)
    assert loose.status in ("optimal", "gap_limit")
    assert loose.gap <= 0.5 + 1e-9
    assert len(loose.chosen) == 8
    rushed = solve_mclp(demand, candidates, p=8, radius_m=900.0, time_limit=0.001)
    assert rushed.status in ("optimal", "time_limit")
    assert len(rushed.chosen) == 8
    assert rushed.best_bound >= rushed.objective - 1e-6


# --------------------------------------------------------------------------------------------
# Against PySAL spopt (test-only dependency) on medium instances
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spopt_cbc():
    locate = pytest.importorskip("spopt.locate", reason="spopt is a dev dependency; install .[dev]")
    pulp = pytest.importorskip("pulp")
    solver = pulp.PULP_CBC_CMD(msg=False)
    if not solver.available():
        pytest.skip("pulp's bundled CBC binary is not available on this platform")
    return locate, solver


@pytest.mark.parametrize("seed", [0, 1])
def test_mclp_and_lscp__equal_spopts_objectives_on_medium_instances(spopt_cbc, seed):
    locate, solver = spopt_cbc
    demand, candidates = make_instance(300, 50, 100 + seed, spread_deg=0.04)
    radius = 800.0
    cost = distances(demand, candidates)
    weights = np.array([d.weight for d in demand])

    ours = solve_mclp(demand, candidates, p=7, radius_m=radius)
    theirs = locate.MCLP.from_cost_matrix(cost, weights, service_radius=radius, p_facilities=7)
    theirs.solve(solver, results=False)
    assert ours.status == "optimal"
    assert ours.objective == pytest.approx(theirs.problem.objective.value())

    # spopt's LSCP needs every point coverable: give it only those (ours reports the rest).
    ours_l = solve_lscp(demand, candidates, radius_m=radius)
    coverable = cost.min(axis=1) <= radius
    theirs_l = locate.LSCP.from_cost_matrix(cost[coverable], service_radius=radius)
    theirs_l.solve(solver, results=False)
    assert ours_l.objective == pytest.approx(theirs_l.problem.objective.value())
    assert len(ours_l.uncoverable) == int((~coverable).sum())


def test_pmedian__equals_spopts_objective_on_a_medium_instance(spopt_cbc):
    locate, solver = spopt_cbc
    demand, candidates = make_instance(150, 25, 7, spread_deg=0.04)
    cost = distances(demand, candidates)
    weights = np.array([d.weight for d in demand])
    ours = solve_pmedian(demand, candidates, p=5, k_nearest=3)  # force a few rounds
    theirs = locate.PMedian.from_cost_matrix(cost, weights, p_facilities=5)
    theirs.solve(solver, results=False)
    assert ours.status == "optimal"
    assert ours.objective == pytest.approx(theirs.problem.objective.value(), rel=1e-6)


# --------------------------------------------------------------------------------------------
# coverage()
# --------------------------------------------------------------------------------------------


def test_coverage__flags_each_point_and_reports_the_weight_share():
    site = Candidate("s", *JIANYANG)
    near = DemandPoint("near", *geo_offset(JIANYANG, 500.0), 3.0)
    far = DemandPoint("far", *geo_offset(JIANYANG, 1_500.0), 1.0)
    result = coverage([near, far], [site], 1_000.0)
    assert result.covered.tolist() == [True, False]
    assert result.nearest_m == pytest.approx([500.0, 1_500.0], abs=0.01)
    assert result.covered_share == pytest.approx(0.75)
    assert result.covered_count == 1


def test_coverage__with_no_sites_covers_nothing():
    result = coverage([DemandPoint("a", *JIANYANG, 2.0)], [], 1_000.0)
    assert result.covered.tolist() == [False]
    assert math.isinf(result.nearest_m[0])
    assert result.covered_share == 0.0


def geo_offset(origin: tuple[float, float], north_m: float) -> tuple[float, float]:
    return origin[0] + math.degrees(north_m / geo.EARTH_RADIUS_M), origin[1]


# --------------------------------------------------------------------------------------------
# Bad parameters
# --------------------------------------------------------------------------------------------

SMALL = make_instance(20, 6, 3, functions=True)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d, c: solve_mclp(d, c, p=2, radius_m=900, must_keep=["s0"], must_close=["s0"]),
         "must_keep and must_close overlap: s0"),
        (lambda d, c: solve_mclp(d, c, p=1, radius_m=900, must_keep=["s0", "s1"]),
         "p=1 is smaller than the 2 sites in must_keep"),
        (lambda d, c: solve_mclp(d, c, p=6, radius_m=900, must_close=["s0"]),
         "p=6 is larger than the 5 candidates available after must_close removes 1"),
        (lambda d, c: solve_pmedian(d, c, p=7), "p=7 is larger than the 6 candidates available"),
        (lambda d, c: solve_mclp(d, c, p=0, radius_m=900), "p=0 must be a positive whole number"),
        (lambda d, c: solve_mclp(d, c, p=2, radius_m=0), "radius_m=0 must be a positive number"),
        (lambda d, c: solve_mclp(d, c, p=2, radius_m=900, must_keep=["nope"]),
         "must_keep names unknown candidate id.s.: nope"),
        (lambda d, c: solve_mclp(d, c, p=2, radius_m=900, must_close="s1"),
         "must_close must be a collection of candidate ids"),
        (lambda d, c: solve_mclp(d, c, p=2, radius_m=900, time_limit=0), "time_limit=0 must be a positive number"),
        (lambda d, c: solve_mclp(d, c, p=2, radius_m=900, mip_gap=1.5), "mip_gap=1.5 must be a number from 0"),
        (lambda d, c: solve_mclp(d, c, p=2, radius_m=900, requirements=[FunctionRequirement("没有的", min_sites=1)]),
         "'没有的' needs 1 sites but only 0 candidate.s. outside must_close offer it"),
        (lambda d, c: solve_mclp(d, c, p=1, radius_m=900, requirements=[FunctionRequirement("职工之家", min_sites=2)]),
         "'职工之家' needs 2 sites but p=1"),
        (lambda d, c: solve_mclp(d, c, p=2, radius_m=900, requirements=[FunctionRequirement("职工之家")]),
         "asks for nothing"),
        (lambda d, c: solve_pmedian(d, c, p=2, requirements=[FunctionRequirement("职工之家", cover_all=True)]),
         "cover_all for '职工之家' needs radius_m"),
        (lambda d, c: solve_mclp([], c, p=2, radius_m=900), "demand is empty"),
        (lambda d, c: solve_lscp(d, [], radius_m=900), "candidates is empty"),
        (lambda d, c: solve_lscp(d, [*c, c[0]], radius_m=900), "candidates: duplicate id 's0'"),
        (lambda d, c: solve_lscp([*d, DemandPoint("x", 95.0, 104.0)], c, radius_m=900),
         "demand: latitude 95.0 at position 20 is out of range.*id 'x'"),
        (lambda d, c: solve_lscp([DemandPoint("x", 30.0, 104.0, -1.0)], c, radius_m=900),
         "weight -1.0 of id 'x' must be a number ≥ 0"),
        (lambda d, c: solve_pmedian(d, c, p=2, k_nearest=0), "k_nearest=0 must be a positive whole number"),
        (lambda d, c: plan("lscp", d, c, radius_m=900, p=3), "p is not used by the lscp model"),
        (lambda d, c: plan("mclp", d, c, radius_m=900), "p is required for the mclp model"),
        (lambda d, c: plan("kmeans", d, c, radius_m=900, p=2), "model='kmeans' must be one of mclp, lscp, pmedian"),
    ],
)  # fmt: skip
def test_bad_parameters__raise_a_value_error_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call(*SMALL)


def test_conflicting_constraints__raise_a_value_error_not_a_crash():
    demand, _ = make_instance(10, 1, 0)
    candidates = [
        Candidate("a", *JIANYANG, frozenset({"职工之家"})),
        Candidate("b", JIANYANG[0] + 0.01, JIANYANG[1], frozenset({"青年之家"})),
        Candidate("c", JIANYANG[0] - 0.01, JIANYANG[1]),
    ]
    reqs = [FunctionRequirement("职工之家", min_sites=1), FunctionRequirement("青年之家", min_sites=1)]
    with pytest.raises(ValueError, match="no plan satisfies all the constraints"):
        solve_mclp(demand, candidates, p=2, radius_m=900, must_keep=["c"], requirements=reqs)


# --------------------------------------------------------------------------------------------
# CSV loading
# --------------------------------------------------------------------------------------------

DEMAND_CSV = "id,lat,lng,weight\nd1,30.39,104.55,10\nd2,30.40,104.56,5\n"
CANDIDATES_CSV = "id,lat,lng,functions,status\ns1,30.39,104.551,职工之家|青年之家,keep\ns2,30.401,104.56,,\n"


def test_load_demand_csv__reads_rows_in_any_column_order_ignoring_extras():
    rows = load_demand_csv(io.StringIO("weight,lng,note,id,lat\n10,104.55,x,d1,30.39\n"))
    assert rows == [DemandPoint("d1", 30.39, 104.55, 10.0)]


def test_load_candidates_csv__splits_functions_and_reads_status():
    rows = load_candidates_csv(io.StringIO(CANDIDATES_CSV))
    assert rows[0] == Candidate("s1", 30.39, 104.551, frozenset({"职工之家", "青年之家"}), "keep")
    assert rows[1] == Candidate("s2", 30.401, 104.56, frozenset(), "candidate")


def test_load_candidates_csv__accepts_chinese_status_words_and_full_width_bar():
    text = "id,lat,lng,functions,status\ns1,30.39,104.55,职工之家｜青年之家,保留\ns2,30.4,104.56,,撤并\n"
    rows = load_candidates_csv(io.StringIO(text))
    assert rows[0].functions == frozenset({"职工之家", "青年之家"})
    assert [r.status for r in rows] == ["keep", "close"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_load_csv__decodes_excel_exports(tmp_path, encoding):
    path = tmp_path / "candidates.csv"
    path.write_bytes(CANDIDATES_CSV.encode(encoding))
    assert load_candidates_csv(path)[0].functions == frozenset({"职工之家", "青年之家"})
    assert load_candidates_csv(io.BytesIO(CANDIDATES_CSV.encode(encoding)))[0].id == "s1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,lat,lng\nd1,30.39,104.55\n", "missing column.s. weight; found: id, lat, lng"),
        ("", "the file is empty"),
        ("id,lat,lng,weight\n", "has a header but no data rows"),
        ("id,lat,lng,weight\nd1,30.39,104.55,10\nd2,abc,104.55,1\n", "row 3, column 'lat': 'abc' is not a number"),
        ("id,lat,lng,weight\nd1,30.39,,10\n", "row 2, column 'lng': is empty"),
        ("id,lat,lng,weight\nd1,30.39,104.55,nan\n", "row 2, column 'weight': 'nan' is not a finite number"),
        ("id,lat,lng,weight\nd1,30.39,104.55,-2\n", "row 2, column 'weight': -2 must not be negative"),
        ("id,lat,lng,weight\nd1,51.5,-0.12,1\n", r"row 2, columns 'lat','lng': \(51.5, -0.12\) is outside China$"),
        ("id,lat,lng,weight\nd1,104.55,30.39,1\n", "row 2, column 'lat': 104.55 is not a latitude"),
        ("id,lat,lng,weight\nd1,60.0,104.0,1\nd2,30.39,104.55,1\n", "row 2, columns 'lat','lng'.*outside China"),
        ("id,lat,lng,weight\nd1,30.39,104.55,1\n\nd1,30.4,104.55,1\n",
         "row 4, column 'id': duplicate id 'd1' .first on row 2."),
        ("id,lat,lng,weight\n,30.39,104.55,1\n", "row 2, column 'id': is empty"),
    ],
)  # fmt: skip
def test_load_demand_csv__names_the_row_and_column_of_the_problem(text, message):
    with pytest.raises(PlanningInputError, match=message):
        load_demand_csv(io.StringIO(text))


def test_load_csv__hints_when_lat_and_lng_look_swapped():
    with pytest.raises(PlanningInputError, match="lat and lng look swapped"):
        load_candidates_csv(io.StringIO("id,lat,lng\ns1,80.0,30.39\n"))


def test_load_candidates_csv__refuses_an_unknown_status():
    with pytest.raises(PlanningInputError, match="row 2, column 'status': 'maybe' is not one of"):
        load_candidates_csv(io.StringIO("id,lat,lng,status\ns1,30.39,104.55,maybe\n"))


def test_load_csv__a_missing_file_is_a_planning_input_error(tmp_path):
    with pytest.raises(PlanningInputError, match="cannot read file"):
        load_demand_csv(tmp_path / "nope.csv")


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


@pytest.fixture
def csv_files(tmp_path):
    demand, candidates = make_instance(60, 12, 21, functions=True)
    d = tmp_path / "demand.csv"
    d.write_text("id,lat,lng,weight\n" + "".join(f"{x.id},{x.lat},{x.lng},{x.weight}\n" for x in demand))
    c = tmp_path / "candidates.csv"
    c.write_text(
        "id,lat,lng,functions\n"
        + "".join(f"{x.id},{x.lat},{x.lng},{'|'.join(sorted(x.functions))}\n" for x in candidates)
    )
    return d, c, demand, candidates


Runner = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys) -> Runner:
    def go(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return go


def test_main__json_output_gives_the_plan(csv_files, run):
    d, c, demand, candidates = csv_files
    code, out, err = run(
        "--model", "mclp", "--demand", str(d), "--candidates", str(c), "--radius-m", "900", "--p", "3",
        "--must-keep", "s1", "--must-close", "s2,s3", "--json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["model"] == "mclp"
    assert data["status"] == "optimal"
    assert len(data["chosen"]) == 3 and "s1" in data["chosen"] and "s2" not in data["chosen"]
    assert data["objective"] == pytest.approx(
        brute_mclp(demand, candidates, 3, 900.0, must_keep=["s1"], must_close=["s2", "s3"])
    )
    assert data["best_bound"] == pytest.approx(data["objective"])
    assert data["gap"] == 0.0
    assert data["solve_seconds"] > 0
    assert 0 < data["covered_share"] <= 1


def test_main__accepts_the_stations_plan_prefix_and_requirements(csv_files, run):
    d, c, _, candidates = csv_files
    f = max(FUNCTIONS, key=lambda f: sum(f in x.functions for x in candidates))
    code, out, err = run(
        "stations", "plan", "--model", "lscp", "--demand", str(d), "--candidates", str(c),
        "--radius-m", "700", "--require", f"{f}:2", "--json",
    )  # fmt: skip
    assert code == 0, err
    chosen = json.loads(out)["chosen"]
    assert sum(1 for x in candidates if x.id in chosen and f in x.functions) >= 2


def test_main__pmedian_human_output(csv_files, run):
    d, c, *_ = csv_files
    code, out, _ = run(
        "--model", "pmedian", "--demand", str(d), "--candidates", str(c), "--radius-m", "900", "--p", "2"
    )
    assert code == 0
    assert "p-median" in out and "Status:       optimal" in out and "Chosen sites (2):" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "lscp", "--p", "3"], "--p is not used by --model lscp"),
        (["--model", "mclp"], "--p is required for --model mclp"),
        (["--model", "mclp", "--p", "0"], "--p must be at least 1"),
        (["--model", "mclp", "--p", "3", "--gap", "2"], "--gap must be from 0 up to 1"),
        (["--model", "mclp", "--p", "3", "--time-limit", "-1"], "--time-limit must be positive"),
        (["--model", "nope", "--p", "3"], "invalid choice: 'nope'"),
        (["--model", "mclp", "--p", "20"], "p=20 is larger than the 12 candidates"),
        (["--model", "mclp", "--p", "3", "--must-keep", "zz"], "must_keep names unknown candidate id(s): zz"),
    ],
)
def test_main__bad_input_exits_2_with_a_clear_message(csv_files, run, extra, message):
    d, c, *_ = csv_files
    code, out, err = run("--demand", str(d), "--candidates", str(c), "--radius-m", "900", *extra)
    assert code == 2
    assert out == ""
    assert message in err


def test_main__a_bad_csv_row_exits_2_naming_row_and_column(csv_files, run, tmp_path):
    _, c, *_ = csv_files
    bad = tmp_path / "bad.csv"
    bad.write_text("id,lat,lng,weight\nd1,30.39,104.55,1\nd2,30.39,104.55,many\n")
    code, out, err = run(
        "--model", "mclp", "--p", "2", "--demand", str(bad), "--candidates", str(c), "--radius-m", "900"
    )
    assert code == 2
    assert "row 3, column 'weight': 'many' is not a number" in err


def test_main__help_exits_0(run):
    code, out, _ = run("--help")
    assert code == 0
    assert "gongzhi stations plan" in out

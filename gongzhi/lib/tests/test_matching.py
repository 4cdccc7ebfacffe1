"""Tests of gongzhi.lib.matching: optimality against brute force, the greedy rule, the dual
certificate, the cost builders and input validation. Pure Python, no Django."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from gongzhi.lib.matching import (
    DispatchWeights,
    PairingWeights,
    Problem,
    dispatch_problem,
    explain,
    pairing_problem,
    solve_greedy,
    solve_optimal,
)

try:
    import ortools  # noqa: F401

    HAS_ORTOOLS = True
except ImportError:  # the scipy backend is still exercised; say loudly what is missing
    HAS_ORTOOLS = False

BACKENDS = [
    pytest.param("ortools", marks=pytest.mark.skipif(not HAS_ORTOOLS, reason="ortools is not installed")),
    "scipy",
]


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def brute_force(cost: np.ndarray, capacity: np.ndarray, penalty: float | None = None) -> tuple[int, float]:
    """(orders assigned, total cost) of the best assignment, by enumerating all of them.

    penalty=None is lexicographic (most assigned, then cheapest); else min cost + penalty * left.
    """
    n, m = cost.shape
    if n == 0:
        return 0, 0.0
    choices = np.array(list(itertools.product(range(-1, m), repeat=n)), dtype=np.int64)  # -1 = none
    extended = np.concatenate([cost, np.zeros((n, 1))], axis=1)  # column m: unassigned, free
    picked = extended[np.arange(n), np.where(choices < 0, m, choices)]
    total = picked.sum(axis=1)
    load = (
        np.stack([(choices == j).sum(axis=1) for j in range(m)], axis=1) if m else np.zeros((len(choices), 0))
    )
    ok = np.isfinite(total) & (load <= capacity).all(axis=1)
    assigned = (choices >= 0).sum(axis=1)
    if penalty is None:
        best = assigned[ok].max()
        return int(best), float(total[ok & (assigned == best)].min())
    objective = total + penalty * (n - assigned)
    k = np.flatnonzero(ok)[np.argmin(objective[ok])]
    return int(assigned[k]), float(total[k])


def sequential_greedy(cost: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """The textbook rule: walk all feasible pairs by (cost, order, provider), take what fits."""
    rows, cols = np.nonzero(np.isfinite(cost))
    remaining = capacity.copy()
    provider_of = np.full(cost.shape[0], -1)
    for i, j in zip(*(a[np.lexsort((cols, rows, cost[rows, cols]))] for a in (rows, cols)), strict=True):
        if provider_of[i] < 0 and remaining[j] > 0:
            provider_of[i] = j
            remaining[j] -= 1
    return provider_of


def max_assignable(cost: np.ndarray, capacity: np.ndarray) -> int:
    """Maximum number of orders that can be assigned (bipartite matching on capacity slots)."""
    slots = np.repeat(np.arange(cost.shape[1]), capacity)
    feasible = np.isfinite(cost[:, slots])
    if not feasible.size:
        return 0
    match = maximum_bipartite_matching(csr_matrix(feasible.astype(np.int8)), perm_type="column")
    return int((match >= 0).sum())


def random_instance(
    rng: np.random.Generator, n: int, m: int, *, integral: bool
) -> tuple[np.ndarray, np.ndarray]:
    cost = rng.integers(-5, 30, size=(n, m)).astype(float)
    if not integral:
        cost += rng.random((n, m))
    cost[rng.random((n, m)) < 0.3] = np.inf
    return cost, rng.integers(0, 3, size=m)


def assert_valid(problem: Problem, provider_of: np.ndarray, cost: np.ndarray | None = None) -> None:
    assigned = provider_of >= 0
    load = np.bincount(provider_of[assigned], minlength=problem.n_providers)
    assert (load <= problem.capacity).all(), "a provider got more orders than its capacity"
    if cost is not None:
        assert np.isfinite(cost[np.flatnonzero(assigned), provider_of[assigned]]).all(), (
            "an infeasible pair was used"
        )


def city_points(rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 points in a ~10 km town around Jianyang."""
    return 30.39 + rng.uniform(-0.05, 0.05, size=k), 104.55 + rng.uniform(-0.05, 0.05, size=k)


def small_dispatch(rng: np.random.Generator, n: int = 120, m: int = 30) -> Problem:
    o_lat, o_lon = city_points(rng, n)
    p_lat, p_lon = city_points(rng, m)
    rating = rng.uniform(1, 5, size=m)
    rating[::7] = np.nan
    return dispatch_problem(
        order_lat=o_lat,
        order_lon=o_lon,
        order_category=rng.integers(0, 3, size=n),
        provider_lat=p_lat,
        provider_lon=p_lon,
        provider_categories=rng.random((m, 3)) < 0.6,
        provider_capacity=rng.integers(0, 6, size=m),
        provider_open_orders=rng.integers(0, 4, size=m),
        provider_rating=rating,
        provider_service_radius_m=np.where(rng.random(m) < 0.3, 4_000.0, np.inf),
    )


# ---------------------------------------------------------------------------------------------
# optimality
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_optimal_equals_brute_force_on_small_random_instances(backend: str) -> None:
    rng = np.random.default_rng(7)
    for trial in range(120):
        n, m = int(rng.integers(0, 7)), int(rng.integers(0, 4))
        cost, capacity = random_instance(rng, n, m, integral=trial % 2 == 0)
        # A tiny pool and first graph make the column generation and the certificate do the work.
        result = solve_optimal(Problem.from_matrix(cost, capacity), backend=backend, pool_size=2, initial_k=1)
        assigned, total = brute_force(cost, capacity)
        assert result.n_assigned == assigned, (trial, cost, capacity)
        assert result.total_cost == pytest.approx(total, abs=1e-6), (trial, cost, capacity)
        assert result.proven_optimal
        assert result.gap is not None and abs(result.gap) <= 1e-6


@pytest.mark.parametrize("backend", BACKENDS)
def test_optimal_with_a_small_penalty_leaves_orders_unassigned_when_that_is_cheaper(backend: str) -> None:
    rng = np.random.default_rng(11)
    for trial in range(60):
        n, m = int(rng.integers(1, 6)), int(rng.integers(1, 4))
        cost, capacity = random_instance(rng, n, m, integral=True)
        penalty = float(rng.integers(0, 25))
        result = solve_optimal(
            Problem.from_matrix(cost, capacity), unassigned_penalty=penalty, backend=backend
        )
        assigned, total = brute_force(cost, capacity, penalty)
        assert result.objective == pytest.approx(total + penalty * (n - assigned)), (
            trial,
            cost,
            capacity,
            penalty,
        )
        assert result.proven_optimal


def test_optimal_is_never_worse_than_greedy() -> None:
    rng = np.random.default_rng(3)
    for _ in range(25):
        n, m = int(rng.integers(5, 60)), int(rng.integers(2, 20))
        cost, capacity = random_instance(rng, n, m, integral=False)
        problem = Problem.from_matrix(cost, capacity)
        best, greedy = solve_optimal(problem, pool_size=4), solve_greedy(problem)
        assert best.n_assigned >= greedy.n_assigned
        if best.n_assigned == greedy.n_assigned:
            assert best.total_cost <= greedy.total_cost + 1e-9


@pytest.mark.parametrize("solver", ["optimal", "greedy"])
def test_capacities_are_respected_and_infeasible_pairs_are_never_used(solver: str) -> None:
    rng = np.random.default_rng(5)
    cost = rng.uniform(0, 100, size=(300, 40))
    cost[rng.random(cost.shape) < 0.7] = np.inf
    capacity = rng.integers(0, 5, size=40)
    problem = Problem.from_matrix(cost, capacity)
    result = solve_optimal(problem, pool_size=8) if solver == "optimal" else solve_greedy(problem)
    assert_valid(problem, result.provider_of, cost)


def test_optimal_assigns_the_maximum_number_of_orders_even_when_that_costs_more() -> None:
    rng = np.random.default_rng(9)
    for _ in range(20):
        cost = rng.uniform(0, 100, size=(80, 15))
        cost[rng.random(cost.shape) < 0.8] = np.inf
        capacity = rng.integers(0, 4, size=15)
        result = solve_optimal(Problem.from_matrix(cost, capacity), pool_size=3)
        assert result.n_assigned == max_assignable(cost, capacity)


def test_optimal_prefers_one_more_assigned_order_over_any_saving() -> None:
    # Order 0 can go to provider 0 (cheap) or 1 (dear); order 1 only to provider 0.
    cost = np.array([[1.0, 1000.0], [5.0, np.inf]])
    result = solve_optimal(Problem.from_matrix(cost, [1, 1]))
    assert result.provider_of.tolist() == [1, 0]
    assert result.total_cost == 1005.0


def test_integer_costs_are_proven_with_a_zero_gap() -> None:
    rng = np.random.default_rng(1)
    cost = rng.integers(0, 1000, size=(200, 30)).astype(float)
    result = solve_optimal(Problem.from_matrix(cost, rng.integers(5, 10, size=30)), pool_size=5)
    assert result.proven_optimal
    assert result.gap == 0.0
    assert result.lower_bound == result.objective


@pytest.mark.parametrize("backend", BACKENDS)
def test_dense_fallback_still_proves_optimality(backend: str) -> None:
    rng = np.random.default_rng(2)
    cost, capacity = rng.uniform(0, 50, size=(60, 12)), rng.integers(3, 8, size=12)
    result = solve_optimal(
        Problem.from_matrix(cost, capacity), pool_size=2, initial_k=1, max_rounds=1, backend=backend
    )
    reference = solve_optimal(Problem.from_matrix(cost, capacity), pool_size=12)
    assert "dense fallback" in result.method
    assert result.proven_optimal
    assert result.objective == pytest.approx(reference.objective)


def test_capacity_value_is_positive_only_where_capacity_binds() -> None:
    # Two orders next to provider 0 (capacity 1); provider 1 is far: one more slot at 0 saves 90.
    cost = np.array([[10.0, 100.0], [10.0, 100.0]])
    result = solve_optimal(Problem.from_matrix(cost, [1, 5]))
    assert result.capacity_value is not None
    assert result.capacity_value.tolist() == [90.0, 0.0]


# ---------------------------------------------------------------------------------------------
# the certificate
# ---------------------------------------------------------------------------------------------


def planted_problem(with_bound: bool) -> tuple[Problem, np.ndarray]:
    """Orders and providers on a line; provider 39 sits 30 km away but gives a 50 km discount.

    Its pairs are outside every order's k-nearest pool, so only the all-pairs certificate can
    find them. Returns the problem and its dense cost matrix.
    """
    rng = np.random.default_rng(4)
    order_xy = np.column_stack([rng.uniform(0, 5_000, 50), np.zeros(50)])
    provider_xy = np.column_stack([rng.uniform(0, 5_000, 40), np.zeros(40)])
    provider_xy[39] = [35_000.0, 0.0]
    beta = np.zeros(40)
    beta[39] = -50_000.0

    def pair_cost(orders: np.ndarray, providers: np.ndarray) -> np.ndarray:
        d = np.abs(order_xy[orders, 0] - provider_xy[providers, 0])
        return d + beta[providers]

    capacity = np.full(40, 2)
    problem = Problem.from_function(
        50,
        40,
        capacity,
        pair_cost,
        order_xy=order_xy,
        provider_xy=provider_xy,
        distance_bound=(1.0, beta) if with_bound else None,
    )
    dense = pair_cost(np.arange(50)[:, None], np.arange(40)[None, :])
    return problem, dense


@pytest.mark.parametrize("with_bound", [False, True], ids=["all-pairs-blocks", "geometric"])
def test_the_certificate_finds_a_planted_cheaper_pair_outside_the_pool_and_the_optimum_is_still_found(
    with_bound: bool,
) -> None:
    problem, dense = planted_problem(with_bound)
    truth = solve_optimal(Problem.from_matrix(dense, problem.capacity), pool_size=40)  # pool = all pairs
    # provider_k=0: the discount provider must not bring its nearest orders into the first graph,
    # or the planted pairs would be found without the certificate.
    unproven = solve_optimal(problem, pool="nearest", pool_size=5, provider_k=0, prove=False)
    proven = solve_optimal(problem, pool="nearest", pool_size=5, provider_k=0)
    assert not unproven.proven_optimal and unproven.objective > truth.objective + 1_000
    assert proven.certificate_additions > 0
    assert proven.proven_optimal
    assert proven.objective == pytest.approx(truth.objective)
    assert (proven.provider_of == 39).sum() == 2  # the discount provider is used to capacity


def test_geometric_and_block_certificates_agree_on_a_dispatch_problem() -> None:
    problem = small_dispatch(np.random.default_rng(8))
    geometric = solve_optimal(problem, certificate="geometric", pool_size=6)
    blocks = solve_optimal(problem, certificate="blocks", pool_size=6)
    by_cost = solve_optimal(problem, pool="cost", pool_size=problem.n_providers)
    assert geometric.proven_optimal and blocks.proven_optimal and by_cost.proven_optimal
    assert geometric.objective == pytest.approx(blocks.objective)
    assert geometric.objective == pytest.approx(by_cost.objective)
    assert geometric.lower_bound == pytest.approx(blocks.lower_bound)


def test_lexicographic_mode_raises_the_penalty_when_the_nearest_pool_missed_the_cost_range() -> None:
    # Order 0's only feasible provider is 50 km away; the k-d tree pool sees only costs < 2 km.
    order_xy = np.array([[0.0, 0.0], [100.0, 0.0], [200.0, 0.0]])
    provider_xy = np.array([[0.0, 10.0], [100.0, 10.0], [50_000.0, 0.0]])

    def pair_cost(orders: np.ndarray, providers: np.ndarray) -> np.ndarray:
        d = np.hypot(*(order_xy[orders] - provider_xy[providers]).transpose(-1, *range(np.ndim(orders))))
        return np.where((orders == 0) & (providers != 2), np.inf, d)

    problem = Problem.from_function(3, 3, [1, 1, 1], pair_cost, order_xy=order_xy, provider_xy=provider_xy)
    result = solve_optimal(problem, pool="nearest", pool_size=2)
    assert result.n_assigned == 3
    assert result.provider_of[0] == 2
    assert result.proven_optimal


def test_dispatch_costs_respect_their_declared_distance_bound() -> None:
    problem = small_dispatch(np.random.default_rng(12))
    assert (
        problem.distance_bound is not None
        and problem.order_xy is not None
        and problem.provider_xy is not None
    )
    alpha, beta = problem.distance_bound
    cost = problem.cost_block(0, problem.n_orders)
    d = np.linalg.norm(problem.order_xy[:, None, :] - problem.provider_xy[None, :, :], axis=2)
    feasible = np.isfinite(cost)
    assert (cost[feasible] >= (alpha * d + beta[None, :])[feasible] - 1e-6).all()


@pytest.mark.parametrize("backend", BACKENDS)
def test_backends_agree_on_a_dispatch_problem(backend: str) -> None:
    problem = small_dispatch(np.random.default_rng(6), n=200, m=40)
    result = solve_optimal(problem, backend=backend)
    reference = solve_optimal(problem, pool="cost", pool_size=40)
    assert result.proven_optimal
    assert result.objective == pytest.approx(reference.objective)
    assert_valid(problem, result.provider_of, problem.cost_block(0, problem.n_orders))


# ---------------------------------------------------------------------------------------------
# greedy
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pool_size", [1, 3, 64])
def test_greedy_takes_the_cheapest_feasible_pair_first(pool_size: int) -> None:
    rng = np.random.default_rng(1)
    for _ in range(100):
        n, m = int(rng.integers(0, 25)), int(rng.integers(0, 10))
        # Many ties: the rule's order is (cost, order, provider).
        cost = rng.integers(0, 8, size=(n, m)).astype(float)
        cost[rng.random((n, m)) < 0.3] = np.inf
        capacity = rng.integers(0, 3, size=m)
        result = solve_greedy(Problem.from_matrix(cost, capacity), pool_size=pool_size)
        assert result.provider_of.tolist() == sequential_greedy(cost, capacity).tolist()


def test_greedy_is_beaten_by_optimal_on_the_classic_trap() -> None:
    # Greedy gives order 0 its cheapest provider (1), leaving order 1 the 100-cost one.
    cost = np.array([[1.0, 2.0], [2.0, 100.0]])
    problem = Problem.from_matrix(cost, [1, 1])
    assert solve_greedy(problem).total_cost == 101.0
    assert solve_optimal(problem).total_cost == 4.0


# ---------------------------------------------------------------------------------------------
# degenerate and bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("solver", [solve_optimal, solve_greedy])
@pytest.mark.parametrize(
    ("cost", "capacity", "assigned"),
    [
        (np.zeros((0, 3)), [1, 1, 1], 0),  # no orders
        (np.zeros((4, 0)), [], 0),  # no providers
        (np.full((3, 2), np.inf), [2, 2], 0),  # every pair infeasible
        (np.ones((3, 2)), [0, 0], 0),  # no capacity anywhere
        (np.array([[5.0, 1.0]]), [1, 0], 1),  # the cheap provider is full before it starts
    ],
    ids=["no-orders", "no-providers", "all-infeasible", "zero-capacity", "one-order"],
)
def test_degenerate_inputs_behave(solver, cost: np.ndarray, capacity: list[int], assigned: int) -> None:  # type: ignore[no-untyped-def]
    result = solver(Problem.from_matrix(cost, capacity))
    assert result.n_assigned == assigned
    assert len(result.provider_of) == cost.shape[0]
    assert len(result.unassigned) == cost.shape[0] - assigned
    if solver is solve_optimal:
        assert result.proven_optimal
    if assigned:
        assert result.pairs.tolist() == [[0, 0]]


@pytest.mark.parametrize(
    ("cost", "capacity", "message"),
    [
        ([[1.0, 2.0]], [1, -1], "capacity must be >= 0, provider 1"),
        ([[1.0, math.nan]], [1, 1], "cost is NaN for order 0, provider 1"),
        ([[1.0, -math.inf]], [1, 1], "cost is -inf"),
        ([[1.0, 2.0]], [1, 1, 1], "2 provider columns but capacity has 3 entries"),
        ([1.0, 2.0], [1, 1], "2-D matrix"),
        ([[1.0, 2.0]], [1, 1.5], "whole numbers"),
        ([[1.0, 2.0]], [1, math.nan], "finite"),
        ([[1.0, 2.0]], [[1, 1]], "1-D array"),
    ],
)
def test_bad_input_raises_a_clear_value_error(cost: list, capacity: list, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError, match=message):
        Problem.from_matrix(cost, capacity)


def test_a_cost_function_returning_nan_is_reported_with_the_pair() -> None:
    def pair_cost(orders: np.ndarray, providers: np.ndarray) -> np.ndarray:
        return np.where((orders == 2) & (providers == 1), np.nan, 1.0 + 0 * orders + 0 * providers)

    problem = Problem.from_function(4, 3, [2, 2, 2], pair_cost)
    with pytest.raises(ValueError, match="cost is NaN for order 2, provider 1"):
        solve_optimal(problem)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"unassigned_penalty": math.inf}, "unassigned_penalty must be a finite"),
        ({"backend": "cplex"}, "backend must be"),
        ({"pool": "random"}, "pool must be"),
        ({"initial_k": 0}, "initial_k must be >= 1"),
        ({"certificate": "geometric"}, "needs a problem with coordinates"),
    ],
)
def test_bad_solver_options_raise_value_error(kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError, match=message):
        solve_optimal(Problem.from_matrix([[1.0]], [1]), **kwargs)


def test_dispatch_problem_rejects_inconsistent_input() -> None:
    with pytest.raises(ValueError, match="provider_rating must be within 1..5"):
        dispatch_problem(
            order_lat=[30.4],
            order_lon=[104.5],
            order_category=[0],
            provider_lat=[30.4],
            provider_lon=[104.5],
            provider_categories=[[True]],
            provider_capacity=[1],
            provider_rating=[7.0],
        )
    with pytest.raises(ValueError, match="order_category codes must be in 0..0"):
        dispatch_problem(
            order_lat=[30.4],
            order_lon=[104.5],
            order_category=[3],
            provider_lat=[30.4],
            provider_lon=[104.5],
            provider_categories=[[True]],
            provider_capacity=[1],
        )
    with pytest.raises(ValueError, match="per_open_order must be finite and >= 0"):
        DispatchWeights(per_open_order=-1.0)


# ---------------------------------------------------------------------------------------------
# cost builders and explain
# ---------------------------------------------------------------------------------------------


def test_dispatch_never_sends_an_order_to_a_provider_of_another_category_or_out_of_area() -> None:
    # Provider 0 is next door but cleans; provider 1 repairs but its area ends 1 km out;
    # provider 2 repairs, 3 km away, with no limit.
    problem = dispatch_problem(
        order_lat=[30.39],
        order_lon=[104.55],
        order_category=[1],
        provider_lat=[30.3901, 30.39 + 2_000 / 111_195, 30.39 + 3_000 / 111_195],
        provider_lon=[104.55, 104.55, 104.55],
        provider_categories=[[True, False], [False, True], [False, True]],
        provider_capacity=[5, 5, 5],
        provider_service_radius_m=[np.inf, 1_000.0, np.inf],
    )
    assert solve_optimal(problem).provider_of.tolist() == [2]
    assert solve_greedy(problem).provider_of.tolist() == [2]


def test_explain_lists_the_cheapest_candidates_with_components_that_add_up_to_the_cost() -> None:
    problem = small_dispatch(np.random.default_rng(21))
    result = solve_optimal(problem)
    order = int(np.flatnonzero(result.provider_of >= 0)[0])
    candidates = explain(problem, order, top=3, assignment=result)
    costs = [c.cost for c in candidates if not c.chosen or c.rank < 3]
    assert costs == sorted(costs)
    assert sum(c.chosen for c in candidates) == 1
    for c in candidates:
        parts = c.components
        assert c.feasible and parts["category_fit"] and parts["in_service_area"]
        assert c.cost == pytest.approx(parts["distance_cost"] + parts["load_cost"] + parts["rating_cost"])
        assert parts["distance_m"] >= 0


def test_explain_rejects_an_unknown_order() -> None:
    with pytest.raises(ValueError, match="order 5 is out of range"):
        explain(Problem.from_matrix([[1.0]], [1]), 5)


def test_pairing_prefers_the_same_village_and_a_shared_language_within_their_weights() -> None:
    # Child 0 speaks Yi (code 1). Volunteer 0: 1 km, other village, Mandarin only.
    # Volunteer 1: 2.5 km, same village, speaks Yi. 1000 + 3000 + 5000 > 2500: volunteer 1 wins.
    lat0, deg = 30.39, 1 / 111_195
    problem = pairing_problem(
        person_lat=[lat0],
        person_lon=[104.55],
        person_village=[510185100001],
        person_language=[1],
        volunteer_lat=[lat0 + 1_000 * deg, lat0 + 2_500 * deg],
        volunteer_lon=[104.55, 104.55],
        volunteer_village=[510185100002, 510185100001],
        volunteer_languages=[[True, False], [True, True]],
        volunteer_capacity=[3, 3],
        weights=PairingWeights(),
    )
    result = solve_optimal(problem)
    assert result.provider_of.tolist() == [1]
    why = explain(problem, 0, assignment=result)
    assert [c.provider for c in why] == [1, 0]
    assert why[1].components["village_cost"] == 3_000.0 and why[1].components["language_cost"] == 5_000.0


def test_pairing_respects_how_many_children_a_caring_mother_can_take() -> None:
    rng = np.random.default_rng(13)
    c_lat, c_lon = city_points(rng, 90)
    v_lat, v_lon = city_points(rng, 30)
    problem = pairing_problem(
        person_lat=c_lat,
        person_lon=c_lon,
        person_village=rng.integers(0, 5, 90),
        person_language=np.zeros(90, int),
        volunteer_lat=v_lat,
        volunteer_lon=v_lon,
        volunteer_village=rng.integers(0, 5, 30),
        volunteer_languages=np.ones((30, 1), bool),
        volunteer_capacity=np.full(30, 3),
    )
    result = solve_optimal(problem)
    assert result.n_assigned == 90  # 100% paired, as in Jianyang
    assert result.load(30).max() <= 3
    assert result.proven_optimal

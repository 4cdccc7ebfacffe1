"""Capacitated min-cost assignment: service-order dispatch (派单) and care pairings (结对).

One core serves both uses. A :class:`Problem` has ``n`` orders (each needs exactly one provider)
and ``m`` providers, provider ``j`` taking at most ``capacity[j]`` orders, and a cost for every
(order, provider) pair, ``inf`` where the pair is infeasible (category mismatch, outside the
service area, too far to visit). For care pairings, read "order" as the child or elderly person
and "provider" as the caring mother or neighbourhood guardian.

Public API
----------
- ``Problem.from_matrix(cost, capacity)``: dense ``n x m`` cost matrix, ``np.inf`` = infeasible.
- ``Problem.from_function(n, m, capacity, pair_cost, *, components, order_xy, provider_xy,
  distance_bound)``: costs computed on demand by a vectorised function (instances too big for a
  matrix); optional planar coordinates and a declared lower bound ``alpha * distance + beta_j``.
- ``dispatch_problem(...)`` / ``DispatchWeights``: the 派单 cost (distance, current load, rating,
  category fit, service area) from WGS-84 coordinates.
- ``pairing_problem(...)`` / ``PairingWeights``: the 结对 cost (distance, same village, language).
- ``solve_greedy(problem) -> Assignment``: cheapest feasible pair first; the baseline.
- ``solve_optimal(problem, ...) -> Assignment``: most orders assigned, then least total cost,
  with a dual certificate checked against *all* pairs (``proven_optimal``, ``lower_bound``, ``gap``).
- ``explain(problem, order, ...) -> list[Candidate]``: the cheapest candidates of one order with
  their cost components, for the dispatcher's "why this provider" panel.

Objective
---------
``solve_optimal`` minimises ``total cost + unassigned_penalty * (orders left unassigned)``. By
default the penalty is chosen large enough (``min(n, m) * (cmax - cmin) + |cmin| + |cmax| + 1``,
which exceeds the cost change of any augmenting path) that the result is lexicographic: first the
largest number of orders assigned, then the least cost among those. Pass a smaller finite penalty
for "soft" mode, where an order stays unassigned when every provider would cost more than that.

Method, and why (measured on the 2-core shared machine, see ``bench/bench_matching.py``)
---------------------------------------------------------------------------------------
The constraint matrix is that of a transportation problem (totally unimodular), so it is a
min-cost flow: source -> order (1) -> provider (cost c_ij) -> sink (capacity[j]), plus an
order -> sink arc costing the penalty. We solve it by **column generation on a sparse candidate
graph with an exact min-cost-flow solver, and prove optimality with LP duality over all pairs**:

1. Candidate pool: each order's ``pool_size`` nearest providers (``cKDTree`` on locally
   projected metres, when the problem has coordinates) or cheapest providers (one blocked pass
   over all pairs). The first graph holds each order's ``initial_k`` cheapest pool entries plus
   each provider's ``provider_k`` nearest orders (so remote providers are reachable at once).
2. Solve the graph exactly with OR-Tools' ``SimpleMinCostFlow`` (cost scaling, C++);
   lexicographic mode uses its max-flow-of-least-cost solve (2x faster than penalty arcs).
   Costs are put on an integer grid of ``resolution`` (1 when all costs are integers, else a
   power of two as fine as the solver's range allows, typically ~1e-6 cost units).
3. Recover dual prices from the optimal flow: shortest-path distances from the sink in the
   residual graph (vectorised Bellman-Ford/SPFA in int64, exact on the grid). They give ``u_i``
   (per order) and ``v_j <= 0`` (per provider) with ``c_ij - u_i - v_j >= 0`` on the graph.
4. Price: a pair with a negative reduced cost ``c_ij - u_i - v_j`` could improve the solution;
   add each order's most negative ones and re-solve. First inside the pool (cheap); once the pool
   is clean, over **all** pairs: in row blocks (numpy), or, when the problem declares
   ``cost >= alpha * distance + beta_j`` (both builders here do), only within a per-order radius
   beyond which that bound proves every reduced cost non-negative (k-d tree, see
   :func:`_certify_geometric`). When no pair anywhere has a negative reduced cost the duals are
   feasible for the full problem, so the solution is optimal. When the check does find pairs,
   the pool is rebuilt from each order's pairs of least ``c_ij - v_j`` so the next rounds price
   cheaply again. If rounds do not converge, the dense graph (all feasible pairs) is solved once.
5. The reported ``lower_bound`` does not trust the solver: it is recomputed from the provider
   prices alone, ``sum_i min(P, min_j c_ij - v_j) + sum_j capacity_j * v_j``, which is a valid dual
   bound for the *unrounded* costs for any ``v <= 0``; ``proven_optimal`` requires the gap
   ``objective - lower_bound`` to close (exactly for integer costs, within ``n * resolution``
   otherwise).

Alternatives measured on 5,000 orders x 1,000 providers (capacity 3-8) and 5,000 x 5,000: HiGHS
simplex on the same sparse LP took 4.6 s for *one* solve of the first 50k-column graph and 40+ s
for the column-generation loop (its duals come free, but transportation LPs are degenerate and
pivot slowly); HiGHS IPM 1.4 s per solve. scipy's ``min_weight_full_bipartite_matching``
(LAPJVsp, providers replicated into capacity slots) solved the candidate graphs 3-9x slower than
OR-Tools (0.47 s vs 0.15 s at 50k arcs) and, like OR-Tools, returns no duals;
``linear_sum_assignment`` on the dense slot matrix took 70-115 s; OR-Tools on the dense graph took
4-14 s (5 M arcs) and 28 s (25 M arcs). scipy's C ``bellman_ford`` was 10x slower than our SPFA
for the duals. So: OR-Tools on a sparse graph, our own duals, numpy for the proof. OR-Tools
(package ``ortools``) is a dependency; without it ``backend="auto"`` falls back to scipy's LAPJVsp,
exact but slower.

Complexity: a flow solve sees only the candidate graph (typically 10-30 pairs per order). The
proof reads every pair (blocks of ``block_pairs``, constant memory) or, with a distance bound,
the pairs within each order's radius. Pass ``prove=False`` to skip it: the answer is then
optimal for the candidate pool only and ``proven_optimal`` is False. Heavily congested
instances (capacity exactly equal to demand, capacity 1) need several certificate rounds and
are several times slower than the dispatch case; see the benchmark.

Pure Python (numpy, scipy, ortools); no Django import.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .geo import project_local

__all__ = [
    "Assignment",
    "Candidate",
    "DispatchWeights",
    "PairingWeights",
    "Problem",
    "dispatch_problem",
    "explain",
    "pairing_problem",
    "solve_greedy",
    "solve_optimal",
]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
#: ``pair_cost(orders, providers)``: integer index arrays that broadcast against each other (like a
#: numpy ufunc's arguments); returns float costs of the broadcast shape, ``inf`` = infeasible.
PairCost = Callable[[IntArray, IntArray], FloatArray]
#: Same arguments as :data:`PairCost`; returns named components (``distance_m``, ...) of that shape.
PairComponents = Callable[[IntArray, IntArray], Mapping[str, NDArray[np.generic]]]

# OR-Tools scales costs by (nodes + 1) internally and answers BAD_COST_RANGE past ~2**61 (measured:
# 2**51 is the largest cost accepted with 1,000 nodes); 2**59 leaves a factor 4 of headroom.
_ORTOOLS_COST_LIMIT = 2**59
# Reduced costs are computed in float64 on the integer grid: exact while below 2**53.
_FLOAT_EXACT_LIMIT = 2**50
_FINEST_RESOLUTION = 2.0**-20  # ~1e-6 cost units: finer buys nothing for metre-scale costs


# --------------------------------------------------------------------------------------------
# Problem
# --------------------------------------------------------------------------------------------


def _as_capacity(capacity: ArrayLike) -> IntArray:
    cap = np.asarray(capacity)
    if cap.ndim != 1:
        raise ValueError(f"capacity must be a 1-D array (one entry per provider), got shape {cap.shape}")
    if cap.size and not np.issubdtype(cap.dtype, np.number):
        raise ValueError(f"capacity must be numeric, got dtype {cap.dtype}")
    capf = cap.astype(np.float64)
    if cap.size and not np.all(np.isfinite(capf)):
        raise ValueError("capacity must be finite (got NaN or inf)")
    if cap.size and capf.min() < 0:
        j = int(np.argmin(capf))
        raise ValueError(f"capacity must be >= 0, provider {j} has capacity {capf[j]:g}")
    if cap.size and not np.all(capf == np.round(capf)):
        raise ValueError("capacity must be whole numbers of orders")
    return capf.astype(np.int64)


@dataclass(frozen=True, eq=False)
class Problem:
    """An assignment instance: orders, providers with capacities, and a cost per pair.

    Build it with :meth:`from_matrix`, :meth:`from_function`, :func:`dispatch_problem` or
    :func:`pairing_problem`; the constructors validate input and raise ``ValueError``.
    """

    n_orders: int
    n_providers: int
    capacity: IntArray
    pair_cost: PairCost
    components: PairComponents | None = None
    #: Planar coordinates in metres (for ``pool="nearest"``); ``None`` when not geographic.
    order_xy: FloatArray | None = None
    provider_xy: FloatArray | None = None
    #: The dense matrix when built from one (a fast path for the blocked passes).
    matrix: FloatArray | None = field(default=None, repr=False)
    #: ``(alpha, beta)``: a promise that every feasible pair costs at least
    #: ``alpha * |order_xy[i] - provider_xy[j]| + beta[j]``. It lets the certificate skip, with
    #: proof, all pairs farther than a per-order radius (see :func:`solve_optimal`).
    distance_bound: tuple[float, FloatArray] | None = field(default=None, repr=False)

    @classmethod
    def from_matrix(cls, cost: ArrayLike, capacity: ArrayLike) -> Problem:
        """Dense ``n_orders x n_providers`` costs; ``np.inf`` marks an infeasible pair.

        Raises ``ValueError`` on NaN or ``-inf`` costs, a non-2-D matrix, a capacity that is
        negative or fractional, or a capacity length different from the number of columns.
        """
        c = np.asarray(cost, dtype=np.float64)
        cap = _as_capacity(capacity)
        if c.ndim != 2:
            raise ValueError(f"cost must be a 2-D matrix (orders x providers), got shape {c.shape}")
        if c.shape[1] != cap.shape[0]:
            raise ValueError(
                f"cost matrix has {c.shape[1]} provider columns but capacity has {cap.shape[0]} entries"
            )
        if np.isnan(c).any():
            i, j = np.argwhere(np.isnan(c))[0]
            raise ValueError(f"cost is NaN for order {i}, provider {j}; use np.inf for an infeasible pair")
        if np.isneginf(c).any():
            i, j = np.argwhere(np.isneginf(c))[0]
            raise ValueError(f"cost is -inf for order {i}, provider {j}; costs must be finite or +inf")
        c = np.ascontiguousarray(c)

        def pair_cost(orders: IntArray, providers: IntArray) -> FloatArray:
            return c[orders, providers]

        return cls(c.shape[0], c.shape[1], cap, pair_cost, matrix=c)

    @classmethod
    def from_function(
        cls,
        n_orders: int,
        n_providers: int,
        capacity: ArrayLike,
        pair_cost: PairCost,
        *,
        components: PairComponents | None = None,
        order_xy: ArrayLike | None = None,
        provider_xy: ArrayLike | None = None,
        distance_bound: tuple[float, ArrayLike] | None = None,
    ) -> Problem:
        """Costs computed on demand by ``pair_cost`` (see :data:`PairCost` for its contract).

        ``order_xy``/``provider_xy`` (planar metres, shape ``(n, 2)``/``(m, 2)``) enable the
        k-nearest candidate pool; ``distance_bound=(alpha, beta)`` with them enables the
        geometric certificate, and must hold for every feasible pair (the proof relies on it).
        NaN or ``-inf`` costs are reported with ``ValueError`` when met.
        """
        if n_orders < 0 or n_providers < 0:
            raise ValueError("n_orders and n_providers must be >= 0")
        cap = _as_capacity(capacity)
        if cap.shape[0] != n_providers:
            raise ValueError(f"capacity has {cap.shape[0]} entries but there are {n_providers} providers")
        oxy = None if order_xy is None else np.asarray(order_xy, dtype=np.float64)
        pxy = None if provider_xy is None else np.asarray(provider_xy, dtype=np.float64)
        if (oxy is None) != (pxy is None):
            raise ValueError("give both order_xy and provider_xy, or neither")
        if oxy is not None and pxy is not None:
            if oxy.shape != (n_orders, 2) or pxy.shape != (n_providers, 2):
                raise ValueError(
                    f"order_xy must have shape ({n_orders}, 2) and provider_xy ({n_providers}, 2), "
                    f"got {oxy.shape} and {pxy.shape}"
                )
            if not (np.isfinite(oxy).all() and np.isfinite(pxy).all()):
                raise ValueError("coordinates must be finite")
        bound = None
        if distance_bound is not None:
            alpha, beta = float(distance_bound[0]), np.asarray(distance_bound[1], dtype=np.float64)
            if oxy is None:
                raise ValueError("distance_bound needs order_xy and provider_xy")
            if (
                not (math.isfinite(alpha) and alpha >= 0)
                or beta.shape != (n_providers,)
                or not np.isfinite(beta).all()
            ):
                raise ValueError(
                    "distance_bound must be (alpha >= 0, finite beta with one entry per provider)"
                )
            bound = (alpha, beta)
        return cls(n_orders, n_providers, cap, pair_cost, components, oxy, pxy, distance_bound=bound)

    def cost_block(self, start: int, stop: int) -> FloatArray:
        """Costs of orders ``start:stop`` against every provider, validated (no NaN, no -inf)."""
        if self.matrix is not None:
            return self.matrix[start:stop]
        rows = np.arange(start, stop, dtype=np.int64)[:, None]
        cols = np.arange(self.n_providers, dtype=np.int64)[None, :]
        block = np.asarray(self.pair_cost(rows, cols), dtype=np.float64)
        if block.shape != (stop - start, self.n_providers):
            raise ValueError(
                f"pair_cost returned shape {block.shape}, expected {(stop - start, self.n_providers)}"
            )
        _check_costs(block, start)
        return block

    def pair_costs(self, orders: IntArray, providers: IntArray) -> FloatArray:
        """Costs of the pairs ``(orders[k], providers[k])``, validated."""
        c = np.asarray(self.pair_cost(orders, providers), dtype=np.float64)
        _check_costs(c, None, orders, providers)
        return c


def _check_costs(
    c: FloatArray, row0: int | None, orders: IntArray | None = None, providers: IntArray | None = None
) -> None:
    bad = np.isnan(c) | np.isneginf(c)
    if not bad.any():
        return
    k = np.argwhere(bad)[0]
    if row0 is not None:
        i, j = int(k[0]) + row0, int(k[1])
    else:
        oi, pj = np.broadcast_arrays(orders, providers)
        i, j = int(oi[tuple(k)]), int(pj[tuple(k)])
    what = "NaN" if np.isnan(c[tuple(k)]) else "-inf"
    raise ValueError(f"cost is {what} for order {i}, provider {j}; costs must be finite or +inf (infeasible)")


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Assignment:
    """The outcome of a solver.

    ``provider_of[i]`` is the provider of order ``i`` or ``-1`` when unassigned. ``objective`` is
    ``total_cost + unassigned_penalty * len(unassigned)``; ``lower_bound`` is a certified lower
    bound on the objective of *any* assignment (``None`` when nothing was proven) and
    ``gap = objective - lower_bound``. ``proven_optimal`` means every pair was checked against the
    dual prices and none can improve the result.
    """

    provider_of: IntArray
    total_cost: float
    unassigned_penalty: float
    proven_optimal: bool
    lower_bound: float | None
    method: str
    iterations: int = 0
    #: Pairs in the final candidate graph (the flow solver's problem size).
    candidate_pairs: int = 0
    #: Pairs added because the all-pairs certificate found them outside the candidate pool.
    certificate_additions: int = 0
    seconds: float = 0.0
    #: ``-v_j >= 0``: how much the objective would fall with one more slot at provider ``j``.
    capacity_value: FloatArray | None = field(default=None, repr=False)

    @property
    def pairs(self) -> IntArray:
        """Assigned ``(order, provider)`` pairs, shape ``(k, 2)``, ordered by order index."""
        orders = np.flatnonzero(self.provider_of >= 0)
        return np.column_stack([orders, self.provider_of[orders]]).astype(np.int64)

    @property
    def unassigned(self) -> IntArray:
        """Indices of the orders left without a provider."""
        return np.flatnonzero(self.provider_of < 0).astype(np.int64)

    @property
    def n_assigned(self) -> int:
        return int((self.provider_of >= 0).sum())

    @property
    def objective(self) -> float:
        return self.total_cost + self.unassigned_penalty * len(self.unassigned)

    @property
    def gap(self) -> float | None:
        return None if self.lower_bound is None else self.objective - self.lower_bound

    def load(self, n_providers: int) -> IntArray:
        """Orders assigned to each provider."""
        return np.bincount(self.provider_of[self.provider_of >= 0], minlength=n_providers).astype(np.int64)


def _total_cost(problem: Problem, provider_of: IntArray) -> float:
    orders = np.flatnonzero(provider_of >= 0)
    if not len(orders):
        return 0.0
    return float(problem.pair_costs(orders, provider_of[orders]).sum())


# --------------------------------------------------------------------------------------------
# Cost models: dispatch (派单) and care pairing (结对)
# --------------------------------------------------------------------------------------------


def _lat_lon(lat: ArrayLike, lon: ArrayLike, who: str) -> tuple[FloatArray, FloatArray]:
    la, lo = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    if la.ndim != 1 or la.shape != lo.shape:
        raise ValueError(f"{who} latitude and longitude must be 1-D arrays of equal length")
    if not (np.isfinite(la).all() and np.isfinite(lo).all()):
        raise ValueError(f"{who} coordinates must be finite")
    if la.size and (np.abs(la).max() > 90 or np.abs(lo).max() > 180):
        raise ValueError(f"{who} coordinates are not WGS-84 degrees (|lat| <= 90, |lon| <= 180)")
    return la, lo


def _project_pair(
    o_lat: FloatArray, o_lon: FloatArray, p_lat: FloatArray, p_lon: FloatArray
) -> tuple[FloatArray, FloatArray]:
    all_lat, all_lon = np.concatenate([o_lat, p_lat]), np.concatenate([o_lon, p_lon])
    lat0 = float(all_lat.mean()) if all_lat.size else 0.0
    lon0 = float(all_lon.mean()) if all_lon.size else 0.0
    return project_local(o_lat, o_lon, lat0, lon0), project_local(p_lat, p_lon, lat0, lon0)


def _vector(x: ArrayLike | None, length: int, default: float, name: str) -> FloatArray:
    if x is None:
        return np.full(length, default, dtype=np.float64)
    a = np.asarray(x, dtype=np.float64)
    if a.shape != (length,):
        raise ValueError(f"{name} must have one entry per provider ({length}), got shape {a.shape}")
    return a


def _membership(table: ArrayLike, rows: int, name: str) -> NDArray[np.bool_]:
    t = np.asarray(table, dtype=bool)
    if t.ndim != 2 or t.shape[0] != rows:
        raise ValueError(f"{name} must be a boolean matrix with {rows} rows, got shape {t.shape}")
    return t


def _codes(x: ArrayLike, length: int, limit: int, name: str) -> IntArray:
    a = np.asarray(x)
    if a.shape != (length,) or (a.size and not np.issubdtype(a.dtype, np.integer)):
        raise ValueError(f"{name} must be {length} integer codes")
    if a.size and (a.min() < 0 or a.max() >= limit):
        raise ValueError(f"{name} codes must be in 0..{limit - 1}")
    return a.astype(np.int64)


@dataclass(frozen=True)
class DispatchWeights:
    """Weights of the 派单 cost, in metre-equivalents (a cost of 1 = one metre of travel).

    cost = per_metre * distance_m + per_open_order * open orders already held
           + per_rating_star * (5 - rating); infeasible when the provider does not serve the
    order's category, or the order lies beyond the provider's service radius or ``max_distance_m``.
    """

    per_metre: float = 1.0
    #: Each order a provider already holds counts like a 500 m detour: spreads work across
    #: providers without sending anyone across town to do it.
    per_open_order: float = 500.0
    #: Each star below 5 counts like 1 km: a 4-star provider must be 1 km closer to win over a
    #: 5-star one.
    per_rating_star: float = 1000.0
    #: Providers without ratings are treated as this many stars (a neutral prior, not a penalty).
    unrated_stars: float = 4.0
    max_distance_m: float = math.inf

    def __post_init__(self) -> None:
        for name in ("per_metre", "per_open_order", "per_rating_star"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"DispatchWeights.{name} must be finite and >= 0, got {v}")
        if not 1 <= self.unrated_stars <= 5:
            raise ValueError("DispatchWeights.unrated_stars must be within 1..5")
        if not self.max_distance_m > 0:
            raise ValueError("DispatchWeights.max_distance_m must be > 0")


def dispatch_problem(
    *,
    order_lat: ArrayLike,
    order_lon: ArrayLike,
    order_category: ArrayLike,
    provider_lat: ArrayLike,
    provider_lon: ArrayLike,
    provider_categories: ArrayLike,
    provider_capacity: ArrayLike,
    provider_open_orders: ArrayLike | None = None,
    provider_rating: ArrayLike | None = None,
    provider_service_radius_m: ArrayLike | None = None,
    weights: DispatchWeights | None = None,
) -> Problem:
    """The 派单 problem: open service orders against organisations, volunteers and merchants.

    Coordinates are WGS-84 degrees. ``order_category`` holds integer category codes;
    ``provider_categories[j, k]`` is True when provider ``j`` serves category ``k``.
    ``provider_rating`` is 1-5 stars, NaN for unrated; ``provider_service_radius_m`` is inf or
    missing for "anywhere". Explain components: ``distance_m``, ``open_orders``, ``rating``,
    ``category_fit``, ``in_service_area`` and the weighted terms ``distance_cost``,
    ``load_cost``, ``rating_cost``.
    """
    w = weights or DispatchWeights()
    o_lat, o_lon = _lat_lon(order_lat, order_lon, "order")
    p_lat, p_lon = _lat_lon(provider_lat, provider_lon, "provider")
    n, m = len(o_lat), len(p_lat)
    serves = _membership(provider_categories, m, "provider_categories")
    category = _codes(order_category, n, max(serves.shape[1], 1), "order_category")
    open_orders = _vector(provider_open_orders, m, 0.0, "provider_open_orders")
    if open_orders.size and (not np.isfinite(open_orders).all() or open_orders.min() < 0):
        raise ValueError("provider_open_orders must be finite and >= 0")
    rating = _vector(provider_rating, m, math.nan, "provider_rating")
    rated = rating[~np.isnan(rating)]
    if rated.size and (rated.min() < 1 or rated.max() > 5):
        raise ValueError("provider_rating must be within 1..5 stars (NaN = unrated)")
    stars = np.where(np.isnan(rating), w.unrated_stars, rating)
    radius = np.minimum(
        _vector(provider_service_radius_m, m, math.inf, "provider_service_radius_m"), w.max_distance_m
    )
    if radius.size and (np.isnan(radius).any() or radius.min() < 0):
        raise ValueError("provider_service_radius_m must be >= 0")
    oxy, pxy = _project_pair(o_lat, o_lon, p_lat, p_lon)
    # Provider-only terms are precomputed once: the cost of a block is then one hypot and two adds.
    provider_term = w.per_open_order * open_orders + w.per_rating_star * (5.0 - stars)

    def distance(orders: IntArray, providers: IntArray) -> FloatArray:
        return np.hypot(oxy[orders, 0] - pxy[providers, 0], oxy[orders, 1] - pxy[providers, 1])

    def pair_cost(orders: IntArray, providers: IntArray) -> FloatArray:
        d = distance(orders, providers)
        ok = serves[providers, category[orders]] & (d <= radius[providers])
        return np.where(ok, w.per_metre * d + provider_term[providers], np.inf)

    def components(orders: IntArray, providers: IntArray) -> dict[str, NDArray[np.generic]]:
        d = distance(orders, providers)
        shape = d.shape
        return {
            "distance_m": d,
            "open_orders": np.broadcast_to(open_orders[providers], shape),
            "rating": np.broadcast_to(rating[providers], shape),
            "category_fit": np.broadcast_to(serves[providers, category[orders]], shape),
            "in_service_area": d <= radius[providers],
            "distance_cost": w.per_metre * d,
            "load_cost": np.broadcast_to(w.per_open_order * open_orders[providers], shape),
            "rating_cost": np.broadcast_to(w.per_rating_star * (5.0 - stars[providers]), shape),
        }

    # Feasible pairs cost exactly per_metre * d + provider_term: the bound is tight.
    return Problem.from_function(
        n,
        m,
        provider_capacity,
        pair_cost,
        components=components,
        order_xy=oxy,
        provider_xy=pxy,
        distance_bound=(w.per_metre, provider_term),
    )


@dataclass(frozen=True)
class PairingWeights:
    """Weights of the 结对 cost, in metre-equivalents.

    cost = per_metre * distance_m + different_village (when not in the same village/community)
           + language_mismatch (when the volunteer does not speak the person's language);
    infeasible beyond ``max_distance_m`` (regular home visits must stay practical).
    """

    per_metre: float = 1.0
    #: Same-village pairs are preferred: a cross-village volunteer must be 3 km closer to win.
    different_village: float = 3000.0
    #: A shared language (e.g. a Yi-speaking grandmother and volunteer) is worth 5 km.
    language_mismatch: float = 5000.0
    max_distance_m: float = 20_000.0

    def __post_init__(self) -> None:
        for name in ("per_metre", "different_village", "language_mismatch"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"PairingWeights.{name} must be finite and >= 0, got {v}")
        if not self.max_distance_m > 0:
            raise ValueError("PairingWeights.max_distance_m must be > 0")


def pairing_problem(
    *,
    person_lat: ArrayLike,
    person_lon: ArrayLike,
    person_village: ArrayLike,
    person_language: ArrayLike,
    volunteer_lat: ArrayLike,
    volunteer_lon: ArrayLike,
    volunteer_village: ArrayLike,
    volunteer_languages: ArrayLike,
    volunteer_capacity: ArrayLike,
    weights: PairingWeights | None = None,
) -> Problem:
    """The 结对 problem: children or elderly people ("orders") to volunteers ("providers").

    Villages are 12-digit area codes (any integers compare); ``person_language`` holds integer
    language codes and ``volunteer_languages[j, k]`` is True when volunteer ``j`` speaks ``k``.
    ``volunteer_capacity`` is how many people each volunteer can care for (e.g. up to 3 children).
    Explain components: ``distance_m``, ``same_village``, ``language_fit`` and the weighted terms.
    """
    w = weights or PairingWeights()
    o_lat, o_lon = _lat_lon(person_lat, person_lon, "person")
    p_lat, p_lon = _lat_lon(volunteer_lat, volunteer_lon, "volunteer")
    n, m = len(o_lat), len(p_lat)
    speaks = _membership(volunteer_languages, m, "volunteer_languages")
    language = _codes(person_language, n, max(speaks.shape[1], 1), "person_language")
    o_village, p_village = np.asarray(person_village), np.asarray(volunteer_village)
    if o_village.shape != (n,) or p_village.shape != (m,):
        raise ValueError("person_village and volunteer_village need one code per person / volunteer")
    oxy, pxy = _project_pair(o_lat, o_lon, p_lat, p_lon)

    def parts(
        orders: IntArray, providers: IntArray
    ) -> tuple[FloatArray, NDArray[np.bool_], NDArray[np.bool_]]:
        d = np.hypot(oxy[orders, 0] - pxy[providers, 0], oxy[orders, 1] - pxy[providers, 1])
        return d, o_village[orders] == p_village[providers], speaks[providers, language[orders]]

    def pair_cost(orders: IntArray, providers: IntArray) -> FloatArray:
        d, same, fit = parts(orders, providers)
        c = (
            w.per_metre * d
            + np.where(same, 0.0, w.different_village)
            + np.where(fit, 0.0, w.language_mismatch)
        )
        return np.where(d <= w.max_distance_m, c, np.inf)

    def components(orders: IntArray, providers: IntArray) -> dict[str, NDArray[np.generic]]:
        d, same, fit = parts(orders, providers)
        return {
            "distance_m": d,
            "same_village": same,
            "language_fit": fit,
            "within_reach": d <= w.max_distance_m,
            "distance_cost": w.per_metre * d,
            "village_cost": np.where(same, 0.0, w.different_village),
            "language_cost": np.where(fit, 0.0, w.language_mismatch),
        }

    # Village and language terms are >= 0, so distance alone bounds the cost from below.
    return Problem.from_function(
        n,
        m,
        volunteer_capacity,
        pair_cost,
        components=components,
        order_xy=oxy,
        provider_xy=pxy,
        distance_bound=(w.per_metre, np.zeros(m)),
    )


@dataclass(frozen=True)
class Candidate:
    """One provider as seen by one order: its cost (``inf`` = infeasible) and cost components."""

    provider: int
    cost: float
    feasible: bool
    rank: int
    components: dict[str, float | bool]
    chosen: bool = False


def explain(
    problem: Problem, order: int, *, top: int = 5, assignment: Assignment | None = None
) -> list[Candidate]:
    """The ``top`` cheapest feasible providers of ``order`` with their cost components.

    When ``assignment`` is given, its provider for the order is marked ``chosen`` and is always
    listed (with its true rank), so the page can say why it was picked over cheaper-looking ones
    (capacity: the cheaper ones were needed by other orders).
    """
    if not 0 <= order < problem.n_orders:
        raise ValueError(f"order {order} is out of range 0..{problem.n_orders - 1}")
    if top < 0:
        raise ValueError("top must be >= 0")
    cols = np.arange(problem.n_providers, dtype=np.int64)
    rows = np.full(problem.n_providers, order, dtype=np.int64)
    costs = problem.pair_costs(rows, cols)
    ranking = np.lexsort((cols, costs))
    rank_of = np.empty_like(ranking)
    rank_of[ranking] = np.arange(len(ranking))
    feasible = ranking[np.isfinite(costs[ranking])]
    shown = list(feasible[:top])
    chosen = -1 if assignment is None else int(assignment.provider_of[order])
    if chosen >= 0 and chosen not in shown:
        shown.append(chosen)
    comps = problem.components(rows, cols) if problem.components is not None else {}
    out = []
    for j in shown:
        values: dict[str, float | bool] = {}
        for name, arr in comps.items():
            v = np.asarray(arr)[j]
            values[name] = bool(v) if v.dtype == bool else float(v)
        out.append(
            Candidate(
                int(j),
                float(costs[j]),
                bool(np.isfinite(costs[j])),
                int(rank_of[j]),
                values,
                int(j) == chosen,
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Candidate pool
# --------------------------------------------------------------------------------------------


def _rows_per_block(problem: Problem, block_pairs: int) -> int:
    return max(1, block_pairs // max(1, problem.n_providers))


@dataclass
class _Pool:
    """Per order, up to ``L`` providers sorted by (cost, provider); -1 / inf pad infeasible slots."""

    idx: IntArray  # (n, L)
    cost: FloatArray  # (n, L)
    complete: bool  # True when L == m and built from all pairs: the pool *is* the problem
    cmin: float  # over the feasible pairs seen (all of them for a full pass)
    cmax: float
    full_pass: bool


def _sorted_pool(idx: IntArray, cost: FloatArray) -> tuple[IntArray, FloatArray]:
    order = np.lexsort((idx, cost), axis=-1) if idx.size else np.zeros_like(idx)
    idx = np.take_along_axis(idx, order, axis=1)
    cost = np.take_along_axis(cost, order, axis=1)
    return np.where(np.isfinite(cost), idx, -1), cost


def _smallest_by_cost_then_index(block: FloatArray, k: int) -> IntArray:
    """Per row, the k smallest entries by (cost, column): argpartition alone breaks ties at the
    boundary arbitrarily, which would make the greedy's tie order depend on the pool size."""
    kth = np.partition(block, k - 1, axis=1)[:, k - 1 : k]
    below = block < kth
    need = k - below.sum(axis=1, keepdims=True)
    at = block == kth
    if np.isinf(kth).any():  # inf == inf is True, so infeasible padding is picked the same way
        at |= np.isinf(block) & np.isinf(kth)
    select = below | (at & (np.cumsum(at, axis=1) <= need))
    return np.nonzero(select)[1].reshape(block.shape[0], k)


def _build_pool(problem: Problem, size: int, how: str, block_pairs: int, exact_ties: bool = False) -> _Pool:
    n, m = problem.n_orders, problem.n_providers
    L = max(1, min(size, m))
    if how == "nearest" and problem.order_xy is not None and problem.provider_xy is not None and L < m:
        from scipy.spatial import cKDTree

        _, near = cKDTree(problem.provider_xy).query(problem.order_xy, k=L)
        near = np.asarray(near, dtype=np.int64).reshape(n, L)
        cost = problem.pair_costs(np.repeat(np.arange(n, dtype=np.int64), L), near.ravel()).reshape(n, L)
        idx, cost = _sorted_pool(near, cost)
        finite = cost[np.isfinite(cost)]
        cmin, cmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        return _Pool(idx, cost, False, cmin, cmax, full_pass=False)
    idx = np.empty((n, L), dtype=np.int64)
    cst = np.empty((n, L), dtype=np.float64)
    cmin, cmax = math.inf, -math.inf
    step = _rows_per_block(problem, block_pairs)
    for s in range(0, n, step):
        e = min(n, s + step)
        block = problem.cost_block(s, e)
        finite = np.isfinite(block)
        if finite.any():
            cmin = min(cmin, float(block[finite].min()))
            cmax = max(cmax, float(block[finite].max()))
        if L == m:
            part = np.broadcast_to(np.arange(m), block.shape)
        elif exact_ties:
            part = _smallest_by_cost_then_index(block, L)
        else:
            part = np.argpartition(block, L - 1, axis=1)[:, :L]
        idx[s:e] = part
        cst[s:e] = np.take_along_axis(block, part, axis=1)
    idx, cst = _sorted_pool(idx, cst)
    if not math.isfinite(cmin):
        cmin = cmax = 0.0
    return _Pool(idx, cst, L == m, cmin, cmax, full_pass=True)


# --------------------------------------------------------------------------------------------
# Greedy baseline
# --------------------------------------------------------------------------------------------


def solve_greedy(problem: Problem, *, pool_size: int = 64, block_pairs: int = 1_000_000) -> Assignment:
    """Cheapest feasible pair first, respecting capacities; ties by (order, provider) index.

    The classic dispatcher's rule and our baseline. Exact implementation of the rule: orders
    walk their providers in cost order (a pool of ``pool_size``, refilled from all providers when
    exhausted) through a heap, so only pairs that could be taken are ever looked at.
    """
    t0 = time.perf_counter()
    n, m = problem.n_orders, problem.n_providers
    provider_of = np.full(n, -1, dtype=np.int64)
    if n == 0 or m == 0 or problem.capacity.sum() == 0:
        return Assignment(provider_of, 0.0, 0.0, False, None, "greedy", seconds=time.perf_counter() - t0)
    pool = _build_pool(problem, pool_size, "cost", block_pairs, exact_ties=True)
    rem = problem.capacity.tolist()
    open_slots = sum(rem)
    # Python lists: the loop touches single elements, where numpy scalars are 10x slower.
    lists_idx: list[list[int]] = pool.idx.tolist()
    lists_cost: list[list[float]] = pool.cost.tolist()
    refilled = [pool.complete] * n
    ptr = [0] * n
    heap = [(lists_cost[i][0], i, lists_idx[i][0]) for i in range(n) if lists_idx[i][0] >= 0]
    heapq.heapify(heap)
    while heap and open_slots:
        c, i, j = heapq.heappop(heap)
        if rem[j] > 0:
            provider_of[i] = j
            rem[j] -= 1
            open_slots -= 1
            continue
        # j is full: move order i to its next provider that still has room.
        k = ptr[i] + 1
        row_idx, row_cost = lists_idx[i], lists_cost[i]
        while True:
            if k >= len(row_idx):
                if refilled[i]:
                    k = -1
                    break
                # The pool ran out with every entry full: walk all of the order's providers from
                # the start (the ones seen are full and get skipped), keeping exact tie order.
                row_idx, row_cost = _full_row(problem, i)
                lists_idx[i], lists_cost[i] = row_idx, row_cost
                refilled[i] = True
                k = 0
                continue
            if row_idx[k] < 0:  # padding: the order has no further feasible provider
                k = -1
                break
            if rem[row_idx[k]] > 0:
                break
            k += 1
        if k >= 0:
            ptr[i] = k
            heapq.heappush(heap, (row_cost[k], i, row_idx[k]))
    return Assignment(
        provider_of,
        _total_cost(problem, provider_of),
        0.0,
        False,
        None,
        "greedy",
        seconds=time.perf_counter() - t0,
    )


def _full_row(problem: Problem, i: int) -> tuple[list[int], list[float]]:
    """All feasible providers of order ``i`` in (cost, index) order."""
    cols = np.arange(problem.n_providers, dtype=np.int64)
    cost = problem.pair_costs(np.full(problem.n_providers, i, dtype=np.int64), cols)
    feasible = cols[np.isfinite(cost)]
    feasible = feasible[np.lexsort((feasible, cost[feasible]))]
    return feasible.tolist(), cost[feasible].tolist()


# --------------------------------------------------------------------------------------------
# Exact min-cost flow on a candidate graph
# --------------------------------------------------------------------------------------------


def _backend(name: str) -> str:
    if name not in ("auto", "ortools", "scipy"):
        raise ValueError(f"backend must be 'auto', 'ortools' or 'scipy', got {name!r}")
    if name == "scipy":
        return name
    try:
        from ortools.graph.python import min_cost_flow  # noqa: F401
    except ImportError:
        if name == "ortools":
            raise
        return "scipy"
    return "ortools"


def _flow_ortools(
    n: int, m: int, cap: IntArray, rows: IntArray, cols: IntArray, cq: IntArray, pq: int, lexicographic: bool
) -> IntArray:
    from ortools.graph.python import min_cost_flow

    # Nodes: orders 0..n-1, providers n..n+m-1, source S, sink T. Lexicographic mode asks for
    # the max flow of least cost directly (measured 2x faster than order -> T penalty arcs, whose
    # huge cost also eats into OR-Tools' cost range); soft mode needs the penalty arcs.
    s_node, t_node, e = n + m, n + m + 1, len(rows)
    orders = np.arange(n, dtype=np.int32)
    extra = 0 if lexicographic else n
    tails = np.concatenate(
        [
            np.full(n, s_node, np.int32),
            rows.astype(np.int32),
            np.arange(n, n + m, dtype=np.int32),
            orders[:extra],
        ]
    )
    heads = np.concatenate(
        [orders, (cols + n).astype(np.int32), np.full(m, t_node, np.int32), np.full(extra, t_node, np.int32)]
    )
    caps = np.concatenate([np.ones(n + e, np.int64), cap, np.ones(extra, np.int64)])
    costs = np.concatenate([np.zeros(n, np.int64), cq, np.zeros(m, np.int64), np.full(extra, pq, np.int64)])
    f = min_cost_flow.SimpleMinCostFlow()
    f.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supply = np.zeros(n + m + 2, dtype=np.int64)
    supply[s_node], supply[t_node] = n, -n
    f.set_nodes_supplies(np.arange(n + m + 2, dtype=np.int32), supply)
    status = f.solve_max_flow_with_min_cost() if lexicographic else f.solve()
    if status != f.OPTIMAL:
        raise RuntimeError(f"OR-Tools min-cost flow ended with {status}")
    used = np.asarray(f.flows(np.arange(n, n + e, dtype=np.int32))) > 0
    provider_of = np.full(n, -1, dtype=np.int64)
    provider_of[rows[used]] = cols[used]
    return provider_of


def _flow_scipy(
    n: int, m: int, cap: IntArray, rows: IntArray, cols: IntArray, cq: IntArray, pq: int, lexicographic: bool
) -> IntArray:
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    # Providers become capacity[j] identical slots, each order gets a private "unassigned" column
    # (so a full matching always exists). scipy drops zero weights, so every weight is shifted to
    # be >= 1; every full matching matches each order once, so the shift changes no comparison.
    slot0 = np.concatenate([[0], np.cumsum(cap)])
    reps = cap[cols]
    r = np.repeat(rows, reps)
    first = np.repeat(slot0[cols], reps)
    offset = np.arange(len(r)) - np.repeat(np.cumsum(reps) - reps, reps)
    n_slots = int(slot0[-1])
    data = np.concatenate([np.repeat(cq, reps), np.full(n, pq, np.int64)])
    data = (data - min(int(data.min()), 0) + 1).astype(np.float64)
    a = csr_matrix(
        (data, (np.concatenate([r, np.arange(n)]), np.concatenate([first + offset, n_slots + np.arange(n)]))),
        shape=(n, n_slots + n),
    )
    row_ind, col_ind = min_weight_full_bipartite_matching(a)
    provider_of = np.full(n, -1, dtype=np.int64)
    real = col_ind < n_slots
    provider_of[row_ind[real]] = np.searchsorted(slot0, col_ind[real], side="right") - 1
    return provider_of


def _duals(
    n: int, m: int, rows: IntArray, cols: IntArray, cq: IntArray, provider_of: IntArray, pq: int
) -> tuple[IntArray, IntArray]:
    """Dual prices (u, v) on the integer grid from an optimal flow on the candidate graph.

    v_j is the shortest-path distance from the sink T to provider j in the residual graph,
    collapsed onto providers: an order i held by a gives the arc a -> j of weight c_ij - c_ia for
    each unused candidate (i, j) (move i from a to j); an unassigned order gives T -> j of weight
    c_ij - P; T -> j of weight 0 encodes v_j <= 0. Then u_i = c_ia - v_a (or P), and every
    candidate pair has c_ij - u_i - v_j >= 0 with equality on used pairs (complementary slackness).
    SPFA in int64 is exact; an optimal flow has no negative cycle, so it ends within m rounds.
    """
    assigned = provider_of >= 0
    held = np.full(n, pq, dtype=np.int64)
    used = cols == provider_of[rows]
    held[rows[used]] = cq[used]
    source = np.where(assigned, provider_of, m)[rows[~used]]
    target, weight = cols[~used], cq[~used] - held[rows[~used]]
    order = np.argsort(source, kind="stable")
    source, target, weight = source[order], target[order], weight[order]
    starts = np.searchsorted(source, np.arange(m + 2))
    d = np.zeros(m + 1, dtype=np.int64)  # index m is T, fixed at 0
    frontier = np.arange(m + 1)
    for _ in range(m + 2):
        counts = starts[frontier + 1] - starts[frontier]
        total = int(counts.sum())
        if total == 0:
            break
        arcs = np.repeat(starts[frontier] - np.cumsum(counts) + counts, counts) + np.arange(total)
        before = d.copy()
        np.minimum.at(d, target[arcs], d[source[arcs]] + weight[arcs])
        frontier = np.flatnonzero(d < before)
        if not len(frontier):
            break
    else:
        raise RuntimeError("negative cycle in the residual graph: the flow solver's answer is not optimal")
    v = d[:m]
    u = np.where(assigned, held - v[np.maximum(provider_of, 0)], pq)
    return u.astype(np.int64), v.astype(np.int64)


def _top_negative(rq: FloatArray, idx: IntArray | None, k: int) -> tuple[IntArray, IntArray]:
    """Rows and providers of each row's (up to) k most negative reduced costs."""
    bad_rows = np.flatnonzero((rq < 0).any(axis=1))
    if not len(bad_rows):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    sub = rq[bad_rows]
    k = min(k, sub.shape[1])
    best = (
        np.argpartition(sub, k - 1, axis=1)[:, :k]
        if k < sub.shape[1]
        else np.broadcast_to(np.arange(k), sub.shape)
    )
    keep = np.take_along_axis(sub, best, axis=1) < 0
    r = np.broadcast_to(bad_rows[:, None], best.shape)[keep]
    c = best[keep] if idx is None else idx[r, best[keep]]
    return r.astype(np.int64), c.astype(np.int64)


def _safe_penalty(cmin: float, cmax: float, n: int, m: int) -> float:
    # Larger than the cost change of any augmenting path (at most min(n, m) order->provider arcs),
    # so assigning one more order always pays: lexicographic "most assigned, then cheapest".
    return min(n, m) * (cmax - cmin) + abs(cmin) + abs(cmax) + 1.0


def _resolution(integral: bool, arc_bound: float, penalty: float, nodes: int, backend: str) -> float:
    """The cost grid: as fine as exactness allows, or 1 for integer costs.

    Arc costs must stay within OR-Tools' range (``arc_bound``); the penalty only has to stay
    exact in float64 (reduced costs) and int64 (duals).
    """
    res = 2.0 ** math.ceil(math.log2(max(penalty, arc_bound, 1.0) / _FLOAT_EXACT_LIMIT))
    if backend == "ortools":
        res = max(res, 2.0 ** math.ceil(math.log2(max(arc_bound, 1.0) * (nodes + 2) / _ORTOOLS_COST_LIMIT)))
    res = max(res, _FINEST_RESOLUTION)
    if integral and res <= 1.0:
        return 1.0  # integer costs (metres, yuan): the grid is the problem itself, exactly
    return res


def solve_optimal(
    problem: Problem,
    *,
    unassigned_penalty: float | None = None,
    prove: bool = True,
    pool: Literal["cost", "nearest", "auto"] = "auto",
    pool_size: int = 64,
    initial_k: int = 4,
    add_per_row: int = 8,
    provider_k: int = 4,
    max_rounds: int = 40,
    backend: Literal["auto", "ortools", "scipy"] = "auto",
    certificate: Literal["auto", "blocks", "geometric"] = "auto",
    block_pairs: int = 1_000_000,
) -> Assignment:
    """Least-cost assignment assigning the most orders, with an all-pairs optimality proof.

    ``unassigned_penalty=None`` is lexicographic (see the module docstring); a finite number is
    the cost of leaving one order unassigned. ``pool``: ``"cost"`` reads all pairs to find each
    order's ``pool_size`` cheapest providers, ``"nearest"`` uses a k-d tree on the problem's
    coordinates, ``"auto"`` picks ``"nearest"`` when coordinates exist. With ``prove=True`` the
    answer is certified against every pair (``proven_optimal``, ``lower_bound``); rounds that do
    not converge within ``max_rounds`` fall back to the dense graph of all feasible pairs.
    ``provider_k`` nearest orders of each provider join the first graph (0 disables).
    ``certificate``: ``"blocks"`` evaluates every pair; ``"geometric"`` (the ``"auto"`` choice
    when the problem has a ``distance_bound``) evaluates only pairs within
    ``(u_i - min_j(beta_j - v_j)) / alpha`` of order i, found with a k-d tree: every pair farther
    out has a reduced cost >= 0 by the bound, so the check still covers all pairs.
    """
    t0 = time.perf_counter()
    if unassigned_penalty is not None and not math.isfinite(unassigned_penalty):
        raise ValueError("unassigned_penalty must be a finite number (or None for lexicographic)")
    if pool not in ("cost", "nearest", "auto"):
        raise ValueError(f"pool must be 'cost', 'nearest' or 'auto', got {pool!r}")
    for name, value in (("pool_size", pool_size), ("initial_k", initial_k), ("add_per_row", add_per_row)):
        if value < 1:
            raise ValueError(f"{name} must be >= 1")
    if certificate not in ("auto", "blocks", "geometric"):
        raise ValueError(f"certificate must be 'auto', 'blocks' or 'geometric', got {certificate!r}")
    geometric = problem.distance_bound is not None and problem.distance_bound[0] > 0
    if certificate == "geometric" and not geometric:
        raise ValueError(
            "certificate='geometric' needs a problem with coordinates and a distance_bound (alpha > 0)"
        )
    geometric = geometric and certificate != "blocks"
    engine = _backend(backend)
    n, m, cap = problem.n_orders, problem.n_providers, problem.capacity
    method = f"{engine} min-cost flow + dual certificate"

    if n == 0 or m == 0 or cap.sum() == 0:
        # Nothing can be assigned; the bound n * P is attained, so this is proven.
        p = unassigned_penalty if unassigned_penalty is not None else 1.0
        provider_of = np.full(n, -1, dtype=np.int64)
        return Assignment(
            provider_of,
            0.0,
            p,
            True,
            n * p,
            method,
            seconds=time.perf_counter() - t0,
            capacity_value=np.zeros(m),
        )

    how = (
        "nearest" if pool == "auto" and problem.order_xy is not None else ("cost" if pool == "auto" else pool)
    )
    cand = _build_pool(problem, pool_size, how, block_pairs)
    penalty = (
        unassigned_penalty if unassigned_penalty is not None else _safe_penalty(cand.cmin, cand.cmax, n, m)
    )
    finite_pool = cand.cost[np.isfinite(cand.cost)]
    integral = bool(np.all(finite_pool == np.round(finite_pool))) and float(penalty).is_integer()
    # Arcs dearer than the penalty never enter the graph, but later rounds may bring in arcs
    # beyond the pool's cost range, so the solver's range is sized for the penalty too.
    arc_bound = max(abs(cand.cmin), abs(cand.cmax), abs(penalty))
    res = _resolution(integral, arc_bound, abs(penalty), n + m + 2, engine)
    pq = int(np.rint(penalty / res))
    # A pair dearer than the penalty is never used (leaving the order unassigned is cheaper and
    # frees a slot), so it stays out of the graph; this also keeps solver costs within its range.
    pool_cq = np.rint(np.where(cand.cost <= penalty, cand.cost, np.inf) / res)
    k0 = min(initial_k, cand.idx.shape[1])
    graph = _Graph(m, res, penalty)
    graph.add(problem, np.repeat(np.arange(n, dtype=np.int64), k0), cand.idx[:, :k0].ravel(), dedupe=True)
    if provider_k and problem.order_xy is not None and problem.provider_xy is not None:
        # Each provider also brings its nearest orders: remote providers (rural volunteers) are
        # reachable from the first solve, instead of being found one certificate at a time
        # when capacity is tight.
        from scipy.spatial import cKDTree

        q = min(provider_k, n)
        _, near = cKDTree(problem.order_xy).query(problem.provider_xy, k=q)
        near = np.asarray(near, dtype=np.int64).reshape(m, q)
        graph.add(problem, near.ravel(), np.repeat(np.arange(m, dtype=np.int64), q), dedupe=True)
    solve = _flow_ortools if engine == "ortools" else _flow_scipy
    iterations = additions = 0
    proven, dense = False, False
    lower: float | None = None
    while True:
        iterations += 1
        provider_of = solve(n, m, cap, graph.rows, graph.cols, graph.cq, pq, unassigned_penalty is None)
        uq, vq = _duals(n, m, graph.rows, graph.cols, graph.cq, provider_of, pq)
        # 1. Cheap pricing inside the pool first (inf - anything stays inf for padded slots).
        rq = pool_cq - uq[:, None].astype(np.float64) - vq[np.maximum(cand.idx, 0)].astype(np.float64)
        new_r, new_c = _top_negative(rq, cand.idx, add_per_row)
        if not len(new_r):
            if cand.complete:
                # The pool holds every pair, so the pool pricing *was* the all-pairs check.
                lower, proven = _bound_from_pool(cand, penalty, vq * res, cap), True
                break
            if not prove:
                break
            # 2. The certificate: every pair against the prices.
            checked = (
                _certify_geometric(problem, penalty, res, uq, vq, cap, add_per_row, pool_size)
                if geometric
                else None
            )
            if checked is None:
                checked = _certify(problem, penalty, res, uq, vq, cap, add_per_row, block_pairs, pool_size)
            lower, new_r, new_c, refreshed = checked
            if refreshed is not None:
                cand = dataclasses.replace(cand, idx=refreshed[0], cost=refreshed[1], complete=False)
                pool_cq = np.rint(np.where(cand.cost <= penalty, cand.cost, np.inf) / res)
            if (
                unassigned_penalty is None
                and (provider_of < 0).any()
                and not cand.full_pass
                and not len(new_r)
            ):
                # Lexicographic with orders left over: the penalty must beat the cost range of all
                # pairs, which a k-d tree pool has not seen. Rare (some order has no feasible
                # provider with room), so one blocked pass for the range is affordable.
                cmin, cmax = _cost_range(problem, block_pairs)
                safe = _safe_penalty(cmin, cmax, n, m)
            else:
                safe = penalty
            if penalty < safe:
                # A k-d tree pool saw only part of the cost range: lexicographic needs a larger
                # penalty. Rare (some order is unassignable *and* far pairs are dearer); restart.
                return _retimed(
                    solve_optimal(
                        problem,
                        unassigned_penalty=safe,
                        prove=prove,
                        pool=pool,
                        pool_size=pool_size,
                        initial_k=initial_k,
                        add_per_row=add_per_row,
                        provider_k=provider_k,
                        max_rounds=max_rounds,
                        backend=backend,
                        certificate=certificate,
                        block_pairs=block_pairs,
                    ),
                    t0,
                )
            if not len(new_r):
                proven = True
                break
            additions += len(new_r)
        if iterations >= max_rounds and not dense:
            # Column generation is not converging: solve the graph of all feasible pairs instead.
            graph = _Graph(m, res, penalty)
            graph.add_all(problem, block_pairs)
            dense = True
            continue
        if dense and iterations > max_rounds + 3:
            raise RuntimeError("the dense graph failed its own certificate; please report this instance")
        graph.add(problem, new_r, new_c)
    total = _total_cost(problem, provider_of)
    if proven and lower is not None:
        # Trust the bound, not the loop: a solver that returned a non-optimal flow would leave a
        # gap here even with no violating pair. Off-grid costs may differ by res/2 per pair.
        objective = total + penalty * int((provider_of < 0).sum())
        slack = (0.0 if integral else n * res) + 1e-9 * (1.0 + abs(objective))
        proven = objective - lower <= slack
    return Assignment(
        provider_of,
        total,
        float(penalty),
        proven,
        lower,
        method + (" (dense fallback)" if dense else ""),
        iterations=iterations,
        candidate_pairs=len(graph.rows),
        certificate_additions=additions,
        seconds=time.perf_counter() - t0,
        capacity_value=-(vq * res),
    )


def _retimed(a: Assignment, t0: float) -> Assignment:
    """The same assignment, timed from ``t0`` (for the restart path)."""
    return dataclasses.replace(a, seconds=time.perf_counter() - t0)


class _Graph:
    """The candidate graph: pairs with their costs on the integer grid (no pair twice).

    Pairs priced in later rounds have a negative reduced cost while every pair already in the
    graph has a non-negative one, so appending them never duplicates; the first batches are
    deduplicated explicitly.
    """

    def __init__(self, m: int, res: float, penalty: float) -> None:
        self.m, self.res, self.penalty = m, res, penalty
        self.rows = np.empty(0, np.int64)
        self.cols = np.empty(0, np.int64)
        self.cq = np.empty(0, np.int64)

    def add(self, problem: Problem, rows: IntArray, cols: IntArray, dedupe: bool = False) -> None:
        ok = cols >= 0
        rows, cols = rows[ok], cols[ok]
        if dedupe:
            keys = np.setdiff1d(np.unique(rows * self.m + cols), self.rows * self.m + self.cols)
            rows, cols = keys // self.m, keys % self.m
        cost = problem.pair_costs(rows, cols)
        keep = cost <= self.penalty  # also drops inf
        self.rows = np.concatenate([self.rows, rows[keep]])
        self.cols = np.concatenate([self.cols, cols[keep]])
        self.cq = np.concatenate([self.cq, np.rint(cost[keep] / self.res).astype(np.int64)])

    def add_all(self, problem: Problem, block_pairs: int) -> None:
        n, step = problem.n_orders, _rows_per_block(problem, block_pairs)
        for s in range(0, n, step):
            block = problem.cost_block(s, min(n, s + step))
            r, c = np.nonzero(block <= self.penalty)
            self.rows = np.concatenate([self.rows, r.astype(np.int64) + s])
            self.cols = np.concatenate([self.cols, c.astype(np.int64)])
            self.cq = np.concatenate([self.cq, np.rint(block[r, c] / self.res).astype(np.int64)])


def _bound_from_pool(cand: _Pool, penalty: float, v: FloatArray, cap: IntArray) -> float:
    """Dual bound when the pool holds every pair (small m): no second pass needed."""
    red = cand.cost - np.where(cand.idx >= 0, v[np.maximum(cand.idx, 0)], 0.0)
    u = np.minimum(penalty, red.min(axis=1)) if red.shape[1] else np.full(red.shape[0], penalty)
    return float(u.sum() + (cap * v).sum())


def _certify(
    problem: Problem,
    penalty: float,
    res: float,
    uq: IntArray,
    vq: IntArray,
    cap: IntArray,
    add_per_row: int,
    block_pairs: int,
    pool_size: int,
) -> tuple[float, IntArray, IntArray, tuple[IntArray, FloatArray] | None]:
    """All-pairs check in row blocks: (dual lower bound, violating pairs to add, new pool).

    When pairs violate, the prices have moved far from the pool's assumptions; the new pool
    (each order's ``pool_size`` pairs of least ``c_ij - v_j``) lets the next rounds price
    cheaply again instead of re-reading all pairs.

    The bound sum_i min(P, min_j c_ij - v_j) + sum_j cap_j v_j holds for any v <= 0, so it is
    computed on the unrounded costs and certifies the answer independently of the solver.
    Violations are tested on the integer grid, where the arithmetic is exact.
    """
    n, m = problem.n_orders, problem.n_providers
    v = vq * res
    vqf = vq.astype(np.float64)
    lower = float((cap * v).sum())
    rows_out, cols_out = [], []
    L = min(pool_size, m)
    refresh_idx = np.full((n, L), -1, dtype=np.int64)
    refresh_cost = np.full((n, L), np.inf)
    step = _rows_per_block(problem, block_pairs)
    for s in range(0, n, step):
        e = min(n, s + step)
        block = problem.cost_block(s, e)
        priced = block - v
        lower += float(np.minimum(penalty, priced.min(axis=1)).sum())
        rq = np.rint(block / res) - vqf - uq[s:e, None].astype(np.float64)
        r, c = _top_negative(rq, None, add_per_row)
        if len(r):
            rows_out.append(r + s)
            cols_out.append(c)
        best = (
            np.argpartition(priced, L - 1, axis=1)[:, :L]
            if L < m
            else np.broadcast_to(np.arange(m), priced.shape)
        )
        refresh_idx[s:e] = best
        refresh_cost[s:e] = np.take_along_axis(block, best, axis=1)
    if rows_out:
        refresh_idx = np.where(np.isfinite(refresh_cost), refresh_idx, -1)
        return lower, np.concatenate(rows_out), np.concatenate(cols_out), (refresh_idx, refresh_cost)
    return lower, np.empty(0, np.int64), np.empty(0, np.int64), None


def _certify_geometric(
    problem: Problem,
    penalty: float,
    res: float,
    uq: IntArray,
    vq: IntArray,
    cap: IntArray,
    add_per_row: int,
    pool_size: int,
) -> tuple[float, IntArray, IntArray, tuple[IntArray, FloatArray] | None] | None:
    """The all-pairs check of :func:`_certify`, evaluating only pairs that could violate.

    With c_ij >= alpha * d_ij + beta_j and h = min_j (beta_j - v_j): a pair farther than
    R_i = (u_i + res - h) / alpha has c_ij - v_j >= alpha * d_ij + h >= u_i + res, so it cannot
    violate even after rounding to the grid, and it contributes at least alpha * R_i + h to
    the bound's row minimum. Only pairs within R_i are evaluated. Returns None when the balls
    would hold over a third of all pairs (high prices under heavy congestion): blocks are then
    cheaper.
    """
    from scipy.spatial import cKDTree

    assert (
        problem.distance_bound is not None
        and problem.order_xy is not None
        and problem.provider_xy is not None
    )
    alpha, beta = problem.distance_bound
    n, m = problem.n_orders, problem.n_providers
    v = vq * res
    u = uq * res
    h = float((beta - v).min())
    # Relative slack covers the k-d tree's and the cost function's different float rounding.
    radius = np.maximum((u + res - h) / alpha, 0.0) * (1 + 1e-9) + 1e-6
    providers = cKDTree(problem.provider_xy)
    if providers.query_ball_point(problem.order_xy, r=radius, return_length=True).sum() > n * m / 3:
        return None
    # Orders in buckets of similar radius, each bucket one tree-to-tree query: no Python lists.
    rows_list, cols_list = [], []
    for bucket in np.array_split(np.argsort(radius), min(8, n)):
        if not len(bucket):
            continue
        found = cKDTree(problem.order_xy[bucket]).sparse_distance_matrix(
            providers, float(radius[bucket].max()), output_type="ndarray"
        )
        inside = found["v"] <= radius[bucket][found["i"]]
        rows_list.append(bucket[found["i"][inside]])
        cols_list.append(found["j"][inside].astype(np.int64))
    rows = np.concatenate(rows_list).astype(np.int64)
    cols = np.concatenate(cols_list)
    cost = problem.pair_costs(rows, cols) if len(rows) else np.empty(0)
    # Row minimum of c - v: over the ball exactly, and alpha * R_i + h for everything outside.
    row_min = np.minimum(alpha * radius + h, penalty)
    if len(rows):
        np.minimum.at(row_min, rows, cost - v[cols])
    lower = float(row_min.sum() + (cap * v).sum())
    rq = np.rint(cost / res) - uq[rows].astype(np.float64) - vq[cols].astype(np.float64)
    bad = rq < 0
    if not bad.any():
        return lower, rows[bad], cols[bad], None
    sel = np.flatnonzero(bad)[_per_row_smallest(rows[bad], rq[bad], add_per_row)]
    # New pool: per order the pairs of least c - v within its ball (see _certify).
    L = min(pool_size, m)
    keep = _per_row_smallest(rows, cost - v[cols], L)
    idx = np.full((n, L), -1, dtype=np.int64)
    pcost = np.full((n, L), np.inf)
    rank = _rank_in_row(rows[keep])
    idx[rows[keep], rank], pcost[rows[keep], rank] = cols[keep], cost[keep]
    return lower, rows[sel], cols[sel], (np.where(np.isfinite(pcost), idx, -1), pcost)


def _rank_in_row(rows: IntArray) -> IntArray:
    """Position of each entry within its run of equal (sorted) row numbers."""
    first = np.r_[True, rows[1:] != rows[:-1]]
    return np.arange(len(rows)) - np.maximum.accumulate(np.where(first, np.arange(len(rows)), 0))


def _per_row_smallest(rows: IntArray, key: FloatArray, k: int) -> IntArray:
    """Positions of each row's k entries of smallest key, grouped by row (rows ascending)."""
    order = np.lexsort((key, rows))
    return order[_rank_in_row(rows[order]) < k]


def _cost_range(problem: Problem, block_pairs: int) -> tuple[float, float]:
    """(min, max) cost over all feasible pairs, (0, 0) when none."""
    lo, hi = math.inf, -math.inf
    n, step = problem.n_orders, _rows_per_block(problem, block_pairs)
    for s in range(0, n, step):
        block = problem.cost_block(s, min(n, s + step))
        finite = block[np.isfinite(block)]
        if finite.size:
            lo, hi = min(lo, float(finite.min())), max(hi, float(finite.max()))
    return (lo, hi) if math.isfinite(lo) else (0.0, 0.0)

"""Service-station location planning, solved to proven optimum with HiGHS.

Jianyang merged 178 scattered service stations into 73 so that every resident is within a
15-minute walk. This module answers the planners' three questions:

* **MCLP** (maximal covering, Church & ReVelle 1974): with ``p`` stations, cover as much demand
  weight as possible. ``max Σ wᵢ yᵢ  s.t.  yᵢ ≤ Σ_{j∈Nᵢ} xⱼ,  Σ xⱼ = p``.
* **LSCP** (set covering, Toregas et al. 1971): the fewest stations that cover every demand point
  some candidate can cover. ``min Σ xⱼ  s.t.  Σ_{j∈Nᵢ} xⱼ ≥ 1``. Demand points that no open
  candidate reaches are reported in ``PlanResult.uncoverable``; they do not make the model
  infeasible. Weights play no part (every listed point must be covered).
* **p-median** (Hakimi 1964; ReVelle & Swain 1970): ``p`` stations minimising the
  demand-weighted distance of each point to its nearest station.

Nᵢ is the set of candidates within ``radius_m`` (great-circle metres) of demand point i; turn a
walking time into a radius with :func:`gongzhi.lib.geo.reach_m`. Coordinates are WGS-84.

Every model takes ``must_keep`` / ``must_close`` candidate ids (a candidate's ``status`` of
``"keep"`` / ``"close"`` counts too), per-function requirements (:class:`FunctionRequirement`:
"at least n chosen sites offer 职工之家" and/or "every demand point a 职工之家 site can reach is
covered by one"), a time limit and a relative MIP gap. Defaults prove optimality (gap 0, no
time limit). Bad parameters raise ``ValueError`` naming the parameter.

How the models are made fast, and why each step keeps the optimum:

* Coverage comes from a KD-tree on 3-D sphere coordinates (chord distance is monotone in
  great-circle distance) and an exact haversine check, so "covered" means exactly
  ``haversine_m ≤ radius_m`` everywhere in this module.
* Demand points with the same candidate set become one row with the summed weight (MCLP,
  LSCP): the rows are identical, so merging them changes nothing but the size.
* MCLP: yᵢ is continuous in [0, 1]; at an optimum yᵢ = min(1, Σ xⱼ), integral whenever x is.
  A row reached by a single candidate j is folded into j's objective coefficient.
  Without function requirements, a candidate whose covered rows are a subset of another's
  is dropped (exchange argument: swapping it for its dominator never loses coverage), keeping
  at least ``p`` candidates.
* LSCP: until nothing changes, rows met by a must-keep or forced site are dropped, a row only
  one site reaches forces that site, rows containing another row's set are implied by it and
  dropped and, without function requirements, dominated candidates are dropped as for MCLP.
* A heuristic plan is handed to HiGHS as its starting incumbent (``Highs.setSolution``):
  greedy then best-improvement swaps for MCLP, greedy set cover minus redundant sites for
  LSCP, the previous round's plan for p-median.
* HiGHS runs with its own presolve off: on dense town-centre coverage rows it spent most of
  the time probing for little gain (the reductions above do the useful part), and with it on,
  HiGHS 1.16 can mishandle a start solution (see ``_solve_mip``).
* p-median: each demand point gets only its k nearest candidates plus a "farther" variable
  priced at the distance of its (k+1)-th nearest, a lower bound on any farther assignment. The
  restricted model is therefore a relaxation; its MIP bound is a valid bound for the full
  problem, and when the chosen sites' true cost meets it, the plan is proven optimal. If not,
  k is doubled for the points that went "farther" and the model is solved again. Small
  instances (n·m ≤ 60 000) get the full model; otherwise k starts at max(8, ⌈3m/p⌉), about
  three times the number of candidates per chosen site.

Sizes: MCLP with 10 000 demand points × 1 000 candidates and p = 73 is hard when a dense town
centre cannot be fully covered (see ``bench/bench_planning.py``): expect a minute or so there;
pages that need an answer at once should pass ``time_limit`` and/or ``mip_gap`` and show the
reported gap.

The CLI (:func:`main`) reads ``id,lat,lng,weight`` demand and ``id,lat,lng[,functions][,status]``
candidate CSV files (:func:`load_demand_csv`, :func:`load_candidates_csv`).

Pure Python + numpy/scipy/highspy; no Django import.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import math
import os
import sys
import textwrap
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, Final, Literal

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.spatial import cKDTree

from gongzhi.lib import geo

__all__ = [
    "MODELS",
    "Candidate",
    "CoverageResult",
    "DemandPoint",
    "FunctionRequirement",
    "PlanResult",
    "PlanningInputError",
    "coverage",
    "load_candidates_csv",
    "load_demand_csv",
    "main",
    "plan",
    "solve_lscp",
    "solve_mclp",
    "solve_pmedian",
]

Model = Literal["mclp", "lscp", "pmedian"]
MODELS: Final[tuple[Model, ...]] = ("mclp", "lscp", "pmedian")
Status = Literal["optimal", "gap_limit", "time_limit"]

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Below this relative gap a plan counts as proven optimal (HiGHS's own feasibility tolerances
# are 1e-6/1e-7, so asking for less would only chase rounding noise).
_OPTIMAL_GAP: Final = 1e-9
_PMEDIAN_FULL_MODEL_MAX: Final = 60_000
# HiGHS's presolve spends most of its time probing the dense coverage rows of a city
# centre (27 s of 32 s on a 285-site core, measured) and finds little: the reductions that
# matter here (merged rows, dominated sites, single-site rows) are done before HiGHS sees the
# model. Switching it off made the 10 000 × 1 000 benchmark prove optimality at all.
_HIGHS_OPTIONS: dict[str, Any] = {"presolve": "off"}


# --------------------------------------------------------------------------------------------
# Inputs and results
# --------------------------------------------------------------------------------------------


class PlanningInputError(ValueError):
    """A CSV file or a parameter is unusable; the message names the row and column at fault."""


@dataclass(frozen=True, slots=True)
class DemandPoint:
    """Where demand is: a building, a residential compound, a census block centroid."""

    id: str
    lat: float
    lng: float
    weight: float = 1.0


CandidateStatus = Literal["candidate", "keep", "close"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible (or existing) station site.

    ``functions`` names what the site offers (``"职工之家"``, ``"青年之家"`` …). ``status``
    ``"keep"`` / ``"close"`` makes it must-keep / must-close in every model, the same as
    listing its id in ``must_keep`` / ``must_close``.
    """

    id: str
    lat: float
    lng: float
    functions: frozenset[str] = frozenset()
    status: CandidateStatus = "candidate"


@dataclass(frozen=True, slots=True)
class FunctionRequirement:
    """What the chosen sites must offer of one function.

    ``min_sites``: at least this many chosen sites offer ``function``.
    ``cover_all``: every demand point within ``radius_m`` of some (not closed) candidate offering
    ``function`` is within ``radius_m`` of a *chosen* one; points no such candidate reaches are
    left out of that constraint (and reported by :func:`coverage` if you ask).
    """

    function: str
    min_sites: int = 0
    cover_all: bool = False


@dataclass(frozen=True)
class PlanResult:
    """The outcome of a planning run.

    ``objective`` is recomputed from ``chosen`` (covered weight for MCLP, number of sites for
    LSCP, Σ weight × metres to the nearest chosen site for p-median). ``best_bound`` is the
    solver's proven bound on the optimum (an upper bound for MCLP, a lower bound otherwise), and
    ``gap`` = |objective − best_bound| / |objective| (0 when both are 0). ``status`` is
    ``"optimal"`` (gap below 1e-9), ``"gap_limit"`` (stopped within the requested ``mip_gap``) or
    ``"time_limit"`` (stopped by ``time_limit``; ``chosen`` is the best plan found).
    ``covered_*`` use ``radius_m`` for every model. ``uncoverable`` lists demand ids that no
    candidate outside must-close reaches within ``radius_m``.
    """

    model: Model
    status: Status
    chosen: tuple[str, ...]
    objective: float
    best_bound: float
    gap: float
    solve_seconds: float
    covered_weight: float
    total_weight: float
    covered_share: float
    radius_m: float | None
    p: int
    uncoverable: tuple[str, ...] = ()
    mean_distance_m: float | None = None
    n_demand: int = 0
    n_candidates: int = 0
    model_size: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (lists instead of tuples)."""
        d = asdict(self)
        d["chosen"] = list(self.chosen)
        d["uncoverable"] = list(self.uncoverable)
        return d


@dataclass(frozen=True)
class CoverageResult:
    """Which demand points lie within ``radius_m`` of at least one site.

    ``covered[i]`` and ``nearest_m[i]`` (metres to the nearest site, ``inf`` with no sites) follow
    the order of the ``demand`` argument. ``covered_share`` is by weight (0 when the total is 0).
    """

    covered: BoolArray
    nearest_m: FloatArray
    covered_weight: float
    total_weight: float
    covered_share: float
    covered_count: int


# --------------------------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Points:
    ids: tuple[str, ...]
    lat: FloatArray
    lng: FloatArray

    @property
    def xyz(self) -> FloatArray:
        return geo.sphere_xyz(self.lat, self.lng)


def _points(items: Sequence[Any], what: str) -> _Points:
    ids = tuple(str(it.id) for it in items)
    lat = np.array([it.lat for it in items], dtype=np.float64)
    lng = np.array([it.lng for it in items], dtype=np.float64)
    try:
        geo.validate_lat_lng_arrays(lat, lng)
    except ValueError as exc:
        raise ValueError(f"{what}: {exc} (id {ids[_bad_position(lat, lng)]!r})") from None
    return _Points(ids, lat, lng)


def _bad_position(lat: FloatArray, lng: FloatArray) -> int:
    bad = ~(np.isfinite(lat) & (np.abs(lat) <= 90) & np.isfinite(lng) & (np.abs(lng) <= 180))
    return int(np.flatnonzero(bad)[0])


def _cover_matrix(demand: _Points, sites: _Points, radius_m: float) -> sp.csr_matrix:
    """Boolean n × m CSR matrix: A[i, j] ⇔ haversine(i, j) ≤ radius_m."""
    n, m = len(demand.ids), len(sites.ids)
    if n == 0 or m == 0:
        return sp.csr_matrix((n, m), dtype=np.int8)
    # Query a hair wider than the exact chord, then decide with the same haversine function the
    # rest of the code uses, so a point exactly on the circle is classified one way everywhere.
    chord = geo.chord_m(radius_m) * (1 + 1e-9) + 1e-6
    pairs = cKDTree(demand.xyz).sparse_distance_matrix(cKDTree(sites.xyz), chord, output_type="ndarray")
    i = pairs["i"].astype(np.int64)
    j = pairs["j"].astype(np.int64)
    keep = geo.haversine_m_array(demand.lat[i], demand.lng[i], sites.lat[j], sites.lng[j]) <= radius_m
    a = sp.csr_matrix((np.ones(int(keep.sum()), dtype=np.int8), (i[keep], j[keep])), shape=(n, m))
    a.sort_indices()
    return a


def _nearest(demand: _Points, sites: _Points) -> tuple[FloatArray, IntArray]:
    """Great-circle metres from each demand point to its nearest site, and that site's index."""
    n = len(demand.ids)
    if len(sites.ids) == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    _, idx = cKDTree(sites.xyz).query(demand.xyz, k=1)
    idx = np.asarray(idx, dtype=np.int64)
    dist = geo.haversine_m_array(demand.lat, demand.lng, sites.lat[idx], sites.lng[idx])
    return dist, idx


def coverage(demand: Sequence[DemandPoint], sites: Sequence[Any], radius_m: float) -> CoverageResult:
    """Which demand points are within ``radius_m`` metres of a site, and the covered weight share.

    ``sites`` may be any objects with ``id``, ``lat`` and ``lng`` (:class:`Candidate`, a model row).
    """
    _check_radius(radius_m)
    d = _points(demand, "demand")
    s = _points(sites, "sites")
    w = _weights(demand)
    nearest_m, _ = _nearest(d, s)
    covered = nearest_m <= radius_m
    total = float(w.sum())
    covered_weight = float(w[covered].sum())
    return CoverageResult(
        covered=covered,
        nearest_m=nearest_m,
        covered_weight=covered_weight,
        total_weight=total,
        covered_share=covered_weight / total if total > 0 else 0.0,
        covered_count=int(covered.sum()),
    )


def _weights(demand: Sequence[DemandPoint]) -> FloatArray:
    w = np.array([dp.weight for dp in demand], dtype=np.float64)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"demand: weight {float(w[i])!r} of id {demand[i].id!r} must be a number ≥ 0")
    return w


# --------------------------------------------------------------------------------------------
# Validation of a planning problem
# --------------------------------------------------------------------------------------------


@dataclass
class _Problem:
    """A validated instance; candidate arrays are restricted to the sites not closed."""

    demand: _Points
    weight: FloatArray
    all_sites: _Points
    open_idx: IntArray  # indices into all_sites of the candidates the model may choose
    sites: _Points  # all_sites restricted to open_idx
    keep: BoolArray  # over open sites
    functions: list[frozenset[str]]  # over open sites
    requirements: tuple[FunctionRequirement, ...]
    radius_m: float | None
    p: int | None


def _check_radius(radius_m: float) -> None:
    if isinstance(radius_m, bool) or not isinstance(radius_m, int | float) or not math.isfinite(radius_m):
        raise ValueError(f"radius_m={radius_m!r} must be a positive number of metres")
    if radius_m <= 0:
        raise ValueError(f"radius_m={radius_m!r} must be a positive number of metres")


def _prepare(
    demand: Sequence[DemandPoint],
    candidates: Sequence[Candidate],
    *,
    p: int | None,
    radius_m: float | None,
    must_keep: Iterable[str],
    must_close: Iterable[str],
    requirements: Iterable[FunctionRequirement],
    time_limit: float | None,
    mip_gap: float,
    needs_p: bool,
) -> _Problem:
    if len(demand) == 0:
        raise ValueError("demand is empty: give at least one demand point")
    if len(candidates) == 0:
        raise ValueError("candidates is empty: give at least one candidate site")
    if radius_m is not None:
        _check_radius(radius_m)
    if time_limit is not None and (
        isinstance(time_limit, bool) or not isinstance(time_limit, int | float) or not time_limit > 0
    ):
        raise ValueError(f"time_limit={time_limit!r} must be a positive number of seconds (or None)")
    if isinstance(mip_gap, bool) or not isinstance(mip_gap, int | float) or not 0 <= mip_gap < 1:
        raise ValueError(f"mip_gap={mip_gap!r} must be a number from 0 (prove optimality) up to 1")

    d = _points(demand, "demand")
    _no_duplicates(d.ids, "demand")
    weight = _weights(demand)
    s = _points(candidates, "candidates")
    _no_duplicates(s.ids, "candidates")
    index = {cid: j for j, cid in enumerate(s.ids)}

    for c in candidates:
        if c.status not in ("candidate", "keep", "close"):
            raise ValueError(
                f"candidates: status {c.status!r} of id {c.id!r} must be candidate, keep or close"
            )
    keep_ids = _id_set(must_keep, "must_keep", index)
    close_ids = _id_set(must_close, "must_close", index)
    keep_ids |= {str(c.id) for c in candidates if c.status == "keep"}
    close_ids |= {str(c.id) for c in candidates if c.status == "close"}
    both = keep_ids & close_ids
    if both:
        raise ValueError(f"must_keep and must_close overlap: {_fmt_ids(both)} (check the status column too)")

    open_mask = np.ones(len(s.ids), dtype=bool)
    for cid in close_ids:
        open_mask[index[cid]] = False
    open_idx = np.flatnonzero(open_mask).astype(np.int64)
    n_open = len(open_idx)
    if n_open == 0:
        raise ValueError("must_close closes every candidate: nothing is left to choose")
    sites = _Points(tuple(s.ids[j] for j in open_idx), s.lat[open_idx], s.lng[open_idx])
    keep = np.array([s.ids[j] in keep_ids for j in open_idx], dtype=bool)
    functions = [frozenset(candidates[j].functions) for j in open_idx]

    if needs_p:
        if p is None or isinstance(p, bool) or not isinstance(p, int | np.integer) or p < 1:
            raise ValueError(f"p={p!r} must be a positive whole number of sites")
        p = int(p)
        if p > n_open:
            raise ValueError(
                f"p={p} is larger than the {n_open} candidates available"
                + (f" after must_close removes {len(close_ids)}" if close_ids else "")
            )
        if p < int(keep.sum()):
            raise ValueError(f"p={p} is smaller than the {int(keep.sum())} sites in must_keep")

    reqs = tuple(requirements)
    for r in reqs:
        if not isinstance(r, FunctionRequirement):
            raise ValueError(f"requirements: {r!r} is not a FunctionRequirement")
        if not isinstance(r.function, str) or not r.function.strip():
            raise ValueError("requirements: function must be a non-empty name")
        if isinstance(r.min_sites, bool) or not isinstance(r.min_sites, int) or r.min_sites < 0:
            raise ValueError(
                f"requirements: min_sites={r.min_sites!r} for {r.function!r} must be a whole number ≥ 0"
            )
        if r.min_sites == 0 and not r.cover_all:
            raise ValueError(
                f"requirements: {r.function!r} asks for nothing; set min_sites ≥ 1 or cover_all=True"
            )
        offering = sum(1 for f in functions if r.function in f)
        if r.min_sites > offering:
            raise ValueError(
                f"requirements: {r.function!r} needs {r.min_sites} sites but only {offering} "
                f"candidate(s) outside must_close offer it"
            )
        if needs_p and p is not None and r.min_sites > p:
            raise ValueError(f"requirements: {r.function!r} needs {r.min_sites} sites but p={p}")
        if r.cover_all and radius_m is None:
            raise ValueError(f"requirements: cover_all for {r.function!r} needs radius_m")
        if r.cover_all and offering == 0:
            raise ValueError(
                f"requirements: no candidate outside must_close offers {r.function!r} to cover with"
            )
    return _Problem(d, weight, s, open_idx, sites, keep, functions, reqs, radius_m, p)


def _no_duplicates(ids: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"{what}: duplicate id {i!r}")
        seen.add(i)


def _id_set(ids: Iterable[str], name: str, index: dict[str, int]) -> set[str]:
    if isinstance(ids, str):
        raise ValueError(f"{name} must be a collection of candidate ids, not the string {ids!r}")
    out = {str(i) for i in ids}
    unknown = out - index.keys()
    if unknown:
        raise ValueError(f"{name} names unknown candidate id(s): {_fmt_ids(unknown)}")
    return out


def _fmt_ids(ids: Iterable[str], limit: int = 10) -> str:
    items = sorted(ids)
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


# --------------------------------------------------------------------------------------------
# Matrix reductions
# --------------------------------------------------------------------------------------------


def _unique_rows(a: sp.csr_matrix) -> tuple[sp.csr_matrix, IntArray]:
    """Distinct rows of a 0/1 CSR matrix (sorted indices) and each input row's distinct index."""
    groups: dict[bytes, int] = {}
    inverse = np.empty(a.shape[0], dtype=np.int64)
    first: list[int] = []
    indptr, indices = a.indptr, a.indices
    for r in range(a.shape[0]):
        key = indices[indptr[r] : indptr[r + 1]].tobytes()
        g = groups.get(key)
        if g is None:
            g = groups[key] = len(first)
            first.append(r)
        inverse[r] = g
    return a[np.array(first, dtype=np.int64)], inverse


def _dominated_columns(a: sp.csr_matrix, protected: BoolArray) -> BoolArray:
    """Columns whose row set is contained in another column's (ties: keep protected, then first).

    Returns a removable mask; never marks a protected column. "Contained" is a strict partial
    order once ties are broken by rank, so every removed column has a kept dominator.
    """
    m = a.shape[1]
    a = a.astype(np.int32)
    size = np.asarray(a.sum(axis=0)).ravel()
    rank = np.where(protected, 0, 1) * (m + 1) + np.arange(m)  # lower rank wins a tie
    inter = (a.T @ a).tocoo()
    j, k, v = inter.row, inter.col, inter.data
    sel = (j != k) & (v == size[j])  # rows(j) ⊆ rows(k)
    j, k = j[sel], k[sel]
    wins = (size[k] > size[j]) | (rank[k] < rank[j])
    removable = np.zeros(m, dtype=bool)
    removable[j[wins]] = True
    # Columns covering nothing do not appear in the product; any other column dominates them.
    # If every column is empty, the best-ranked one stays so that something remains.
    empty = size == 0
    if empty.all():
        removable = empty.copy()
        removable[int(np.argmin(rank))] = False
    else:
        removable |= empty
    removable &= ~protected
    return removable


def _rows_implied(a: sp.csr_matrix, max_product_nnz: int = 5_000_000) -> BoolArray:
    """Distinct covering rows that contain another row's set (so are implied by it)."""
    r = a.shape[0]
    a = a.astype(np.int32)
    size = np.asarray(a.sum(axis=1)).ravel()
    # Estimate the product's size first: it can be large where candidates overlap a lot, and
    # the reduction is an optimisation HiGHS's presolve partly repeats, so skip it then.
    col_counts = np.asarray(a.sum(axis=0)).ravel()
    if float((col_counts.astype(np.float64) ** 2).sum()) > max_product_nnz:
        return np.zeros(r, dtype=bool)
    inter = (a @ a.T).tocoo()
    i, k, v = inter.row, inter.col, inter.data
    sel = (i != k) & (v == size[k]) & (size[k] < size[i])  # rows(k) ⊊ rows(i)
    implied = np.zeros(r, dtype=bool)
    implied[i[sel]] = True
    return implied


# --------------------------------------------------------------------------------------------
# HiGHS
# --------------------------------------------------------------------------------------------

_BANNER_LOCK = threading.Lock()
_banner_done = False


def _new_highs() -> highspy.Highs:
    """A silent HiGHS instance.

    HiGHS prints its banner from C++ to file descriptor 1 when the first instance is built,
    before any option can silence it; that would corrupt ``--json`` output. So the first
    construction in a process runs with fd 1 pointed at /dev/null (a few microseconds).
    """
    global _banner_done
    with _BANNER_LOCK:
        if _banner_done:
            h = highspy.Highs()
        else:
            try:
                sys.stdout.flush()
                saved = os.dup(1)
                devnull = os.open(os.devnull, os.O_WRONLY)
            except OSError:
                h = highspy.Highs()
            else:
                try:
                    os.dup2(devnull, 1)
                    h = highspy.Highs()
                finally:
                    os.dup2(saved, 1)
                    os.close(saved)
                    os.close(devnull)
            _banner_done = True
    h.setOptionValue("output_flag", False)
    return h


@dataclass
class _MipOutcome:
    status: Status
    x: FloatArray
    objective: float
    bound: float
    seconds: float


def _solve_mip(
    *,
    cost: FloatArray,
    col_lower: FloatArray,
    col_upper: FloatArray,
    integer: BoolArray,
    a: sp.spmatrix,
    row_lower: FloatArray,
    row_upper: FloatArray,
    maximize: bool,
    time_limit: float | None,
    mip_gap: float,
    start: FloatArray | None,
    options: dict[str, Any] | None = None,
) -> _MipOutcome:
    """Solve one MILP with HiGHS; raise ``ValueError`` if it is infeasible."""
    n_col = len(cost)
    csc = sp.csc_matrix(a, dtype=np.float64)
    csc.sort_indices()
    h = _new_highs()
    lp = highspy.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = csc.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(col_lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(col_upper, dtype=np.float64)
    lp.row_lower_ = np.asarray(row_lower, dtype=np.float64)
    lp.row_upper_ = np.asarray(row_upper, dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data
    kint, kcont = highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
    lp.integrality_ = [kint if b else kcont for b in integer]
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    h.passModel(lp)
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    h.setOptionValue("random_seed", 0)  # reproducible plans for the same input
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(max(time_limit, 1e-3)))
    if start is not None and (options or {}).get("presolve") == "off":
        # Only without HiGHS's presolve: with it, HiGHS 1.16 maps the start into its reduced
        # space and can then claim a wrong optimum (an LSCP proven "optimal" at 219 sites whose
        # optimum is 220, reproduced in development). Our own reductions stand in for presolve.
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, dtype=np.float64).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    ms = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if ms in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        raise ValueError(
            "no plan satisfies all the constraints together (p, must_keep, must_close, requirements)"
        )
    if ms == highspy.HighsModelStatus.kOptimal:
        status: Status = "optimal"
    elif ms == highspy.HighsModelStatus.kTimeLimit:
        status = "time_limit"
    else:
        raise RuntimeError(f"HiGHS stopped unexpectedly: {h.modelStatusToString(ms)}")
    if not has_solution:
        if status == "time_limit":
            raise RuntimeError(f"no feasible plan found within time_limit={time_limit} s; allow more time")
        raise RuntimeError("HiGHS reported no solution")
    x = np.asarray(h.getSolution().col_value, dtype=np.float64)
    objective = float(info.objective_function_value)
    if abs(float(np.dot(cost, x)) - objective) > 1e-6 * max(1.0, abs(objective)):
        # Seen with HiGHS 1.16: when presolve maps a user start into its reduced space and the
        # mapped start is already optimal, the model status and objective are right but the
        # returned values are the original start. Never trust values that contradict the
        # objective: solve again without the start.
        if start is not None:
            return _solve_mip(
                cost=cost,
                col_lower=col_lower,
                col_upper=col_upper,
                integer=integer,
                a=a,
                row_lower=row_lower,
                row_upper=row_upper,
                maximize=maximize,
                time_limit=None if time_limit is None else max(time_limit - seconds, 1e-3),
                mip_gap=mip_gap,
                start=None,
                options=options,
            )
        raise RuntimeError("HiGHS returned a solution inconsistent with its objective value")
    return _MipOutcome(status, x, objective, float(info.mip_dual_bound), seconds)


def _gap(objective: float, bound: float) -> float:
    diff = abs(objective - bound)
    if diff <= 1e-9 * max(1.0, abs(objective)):
        return 0.0
    return diff / abs(objective) if objective != 0 else math.inf


def _final_status(solver_status: Status, gap: float) -> Status:
    if solver_status == "time_limit":
        return "time_limit" if gap > _OPTIMAL_GAP else "optimal"
    return "optimal" if gap <= _OPTIMAL_GAP else "gap_limit"


# --------------------------------------------------------------------------------------------
# Requirement rows shared by the models
# --------------------------------------------------------------------------------------------


def _requirement_rows(
    prob: _Problem, cover: sp.csr_matrix | None, n_col: int
) -> tuple[list[sp.csr_matrix], list[float], list[float]]:
    """Rows over the first ``m`` columns (the x variables) for min_sites and cover_all."""
    blocks: list[sp.csr_matrix] = []
    lo: list[float] = []
    hi: list[float] = []
    for r in prob.requirements:
        offers = np.array([r.function in f for f in prob.functions], dtype=bool)
        if r.min_sites > 0:
            cols = np.flatnonzero(offers)
            blocks.append(
                sp.csr_matrix(
                    (np.ones(len(cols)), (np.zeros(len(cols), dtype=np.int64), cols)), shape=(1, n_col)
                )
            )
            lo.append(float(r.min_sites))
            hi.append(math.inf)
        if r.cover_all:
            assert cover is not None
            sub = cover[:, np.flatnonzero(offers)]
            sub = sub[np.diff(sub.indptr) > 0]
            if sub.shape[0]:
                uniq, _ = _unique_rows(sub)
                # Scatter back to the full x columns.
                full = sp.csr_matrix(
                    (uniq.data.astype(np.float64), np.flatnonzero(offers)[uniq.indices], uniq.indptr),
                    shape=(uniq.shape[0], n_col),
                )
                blocks.append(full)
                lo.extend([1.0] * uniq.shape[0])
                hi.extend([math.inf] * uniq.shape[0])
    return blocks, lo, hi


def _requirements_met(prob: _Problem, chosen: BoolArray, cover: sp.csr_matrix | None) -> bool:
    for r in prob.requirements:
        offers = np.array([r.function in f for f in prob.functions], dtype=bool)
        if int((offers & chosen).sum()) < r.min_sites:
            return False
        if r.cover_all:
            assert cover is not None
            reach = cover[:, np.flatnonzero(offers)]
            need = np.diff(reach.indptr) > 0
            got = np.asarray(reach[:, chosen[offers]].sum(axis=1)).ravel() > 0
            if (need & ~got).any():
                return False
    return True


def _greedy_requirements(prob: _Problem, chosen: BoolArray, gain: FloatArray) -> None:
    """Add sites (best ``gain`` first) until every min_sites requirement is met, in place."""
    for r in prob.requirements:
        offers = np.array([r.function in f for f in prob.functions], dtype=bool)
        while int((offers & chosen).sum()) < r.min_sites:
            score = np.where(offers & ~chosen, gain, -np.inf)
            chosen[int(np.argmax(score))] = True


# --------------------------------------------------------------------------------------------
# MCLP
# --------------------------------------------------------------------------------------------


def solve_mclp(
    demand: Sequence[DemandPoint],
    candidates: Sequence[Candidate],
    *,
    p: int,
    radius_m: float,
    must_keep: Iterable[str] = (),
    must_close: Iterable[str] = (),
    requirements: Iterable[FunctionRequirement] = (),
    time_limit: float | None = None,
    mip_gap: float = 0.0,
) -> PlanResult:
    """Choose exactly ``p`` sites maximising the demand weight within ``radius_m`` of a chosen site.

    ``objective`` = covered weight. Raises ``ValueError`` on bad parameters or when the
    constraints admit no plan.
    """
    t0 = time.perf_counter()
    prob = _prepare(
        demand,
        candidates,
        p=p,
        radius_m=radius_m,
        must_keep=must_keep,
        must_close=must_close,
        requirements=requirements,
        time_limit=time_limit,
        mip_gap=mip_gap,
        needs_p=True,
    )
    assert prob.p is not None
    p = prob.p
    m = len(prob.sites.ids)
    cover = _cover_matrix(prob.demand, prob.sites, radius_m)
    has_cover_req = any(r.cover_all for r in prob.requirements)

    # Rows: demand with weight > 0 that some open site reaches, merged by identical site sets.
    useful = (prob.weight > 0) & (np.diff(cover.indptr) > 0)
    rows, inverse = _unique_rows(cover[useful])
    w_rows = np.bincount(inverse, weights=prob.weight[useful], minlength=rows.shape[0])

    col_map = np.arange(m)
    if not prob.requirements:
        removable = _dominated_columns(rows, prob.keep)
        n_keep_cols = m - int(removable.sum())
        if n_keep_cols < p:  # refill with the largest removed columns: any site will do there
            sizes = np.asarray(rows.sum(axis=0)).ravel()
            order = np.flatnonzero(removable)[np.argsort(-sizes[removable], kind="stable")]
            removable[order[: p - n_keep_cols]] = False
        col_map = np.flatnonzero(~removable)
        sub = rows[:, col_map]
        nonempty = np.diff(sub.indptr) > 0
        rows, inverse2 = _unique_rows(sub[nonempty])
        w_rows = np.bincount(inverse2, weights=w_rows[nonempty], minlength=rows.shape[0])
    mc = len(col_map)
    keep_c = prob.keep[col_map]

    sub_prob = _restrict(prob, col_map)
    cover_c = cover[:, col_map] if has_cover_req else None
    model, multi = _mclp_model(rows, w_rows, keep_c, p)
    n_col = len(model["cost"])
    req_blocks, req_lo, req_hi = _requirement_rows(sub_prob, cover_c, n_col)
    if req_blocks:
        model["a"] = sp.vstack([model["a"], *req_blocks], format="csr")
        model["row_lower"] = np.concatenate([model["row_lower"], req_lo])
        model["row_upper"] = np.concatenate([model["row_upper"], req_hi])

    start_x = _greedy_mclp(sub_prob, rows, w_rows, p)
    if not has_cover_req:
        start_x = _swap_mclp(sub_prob, rows, w_rows, start_x)
    start = None
    if _requirements_met(sub_prob, start_x, cover_c):
        y0 = np.minimum(1.0, np.asarray(multi @ start_x.astype(np.float64)).ravel())
        start = np.concatenate([start_x.astype(np.float64), y0])

    remaining = None if time_limit is None else max(1e-3, time_limit - (time.perf_counter() - t0))
    out = _solve_mip(**model, time_limit=remaining, mip_gap=mip_gap, start=start, options=_HIGHS_OPTIONS)
    chosen_open = np.zeros(m, dtype=bool)
    chosen_open[col_map[out.x[:mc] > 0.5]] = True
    return _result(
        "mclp",
        prob,
        cover,
        chosen_open,
        out,
        t0,
        objective_kind="covered",
        model_size={"rows": model["a"].shape[0], "columns": n_col},
    )


def _mclp_model(
    rows: sp.csr_matrix, w_rows: FloatArray, keep: BoolArray, p: int
) -> tuple[dict[str, Any], sp.csr_matrix]:
    """The MCLP MILP over merged rows: x (binary, one per site) then y (one per multi-site row).

    Returns the keyword arguments of :func:`_solve_mip` (minus time/gap/start) and the
    multi-site rows (the y order).
    """
    mc = rows.shape[1]
    # Rows reached by one site only: fold their weight into that site's objective coefficient.
    single = np.diff(rows.indptr) == 1
    x_cost = np.bincount(rows.indices[rows.indptr[:-1][single]], weights=w_rows[single], minlength=mc)
    multi = rows[~single]
    k = multi.shape[0]
    # yᵣ − Σ_{j∈Nᵣ} xⱼ ≤ 0, and Σ xⱼ = p.
    link = sp.hstack([-multi.astype(np.float64), sp.identity(k, format="csr")], format="csr")
    card = sp.csr_matrix(np.concatenate([np.ones(mc), np.zeros(k)])[None, :])
    model = {
        "cost": np.concatenate([x_cost, w_rows[~single]]),
        "col_lower": np.concatenate([keep.astype(np.float64), np.zeros(k)]),
        "col_upper": np.ones(mc + k),
        "integer": np.concatenate([np.ones(mc, dtype=bool), np.zeros(k, dtype=bool)]),
        "a": sp.vstack([link, card], format="csr"),
        "row_lower": np.concatenate([np.full(k, -math.inf), [float(p)]]),
        "row_upper": np.concatenate([np.zeros(k), [float(p)]]),
        "maximize": True,
    }
    return model, multi


def _restrict(prob: _Problem, col_map: IntArray) -> _Problem:
    """The same problem over a subset of the open sites (for requirement rows and greedy)."""
    if len(col_map) == len(prob.sites.ids):
        return prob
    sites = _Points(
        tuple(prob.sites.ids[j] for j in col_map), prob.sites.lat[col_map], prob.sites.lng[col_map]
    )
    return _Problem(
        prob.demand,
        prob.weight,
        prob.all_sites,
        prob.open_idx[col_map],
        sites,
        prob.keep[col_map],
        [prob.functions[j] for j in col_map],
        prob.requirements,
        prob.radius_m,
        prob.p,
    )


def _greedy_mclp(prob: _Problem, rows: sp.csr_matrix, w_rows: FloatArray, p: int) -> BoolArray:
    """Greedy maximal covering: must-keep, then requirements, then best marginal weight."""
    csc = rows.tocsc()
    chosen = prob.keep.copy()
    uncovered_w = w_rows.copy()

    def take(j: int) -> None:
        r = csc.indices[csc.indptr[j] : csc.indptr[j + 1]]
        uncovered_w[r] = 0.0

    for j in np.flatnonzero(chosen):
        take(int(j))

    def gains() -> FloatArray:
        return np.asarray(csc.T @ uncovered_w).ravel()

    for r in prob.requirements:
        offers = np.array([r.function in f for f in prob.functions], dtype=bool)
        while int((offers & chosen).sum()) < r.min_sites:
            j = int(np.argmax(np.where(offers & ~chosen, gains(), -np.inf)))
            chosen[j] = True
            take(j)
    g = gains()
    while int(chosen.sum()) < p:
        j = int(np.argmax(np.where(chosen, -np.inf, g)))
        chosen[j] = True
        # Only the sites sharing the rows just covered lose gain: update those, not all.
        r = csc.indices[csc.indptr[j] : csc.indptr[j + 1]]
        newly = r[uncovered_w[r] > 0]
        if len(newly):
            g -= np.asarray(rows[newly].T @ uncovered_w[newly]).ravel()
            uncovered_w[newly] = 0.0
    return chosen


def _swap_mclp(prob: _Problem, rows: sp.csr_matrix, w_rows: FloatArray, chosen: BoolArray) -> BoolArray:
    """Best-improvement swap search (Teitz & Bart 1968, for coverage): swap one chosen site for
    one unchosen site while that raises the covered weight. Must-keep sites stay; a swap may
    not push a min_sites requirement below its count. Returns a new mask.

    With cᵣ = number of chosen sites covering row r, swapping j out and k in changes coverage by
    gain(k) − loss(j) + Σ_{r ∈ N(j) ∩ N(k), cᵣ = 1} wᵣ, where gain(k) sums the uncovered rows k
    reaches and loss(j) the rows only j covers. The last term, for all pairs at once, is
    Pᵀ·diag(w)·U with P mapping each singly covered row to its one site.
    """
    chosen = chosen.copy()
    mc = rows.shape[1]
    csr = rows.astype(np.float64)
    offers = [np.array([r.function in f for f in prob.functions], dtype=bool) for r in prob.requirements]
    for _ in range(10 * mc):  # each step strictly improves; the cap only guards against bugs
        cnt = np.asarray(csr @ chosen.astype(np.float64)).ravel()
        gain = np.asarray(csr.T @ (w_rows * (cnt == 0))).ravel()
        sole_rows = np.flatnonzero(cnt == 1)
        # The one chosen site of each singly covered row.
        sub = csr[sole_rows]
        sole_site = np.empty(len(sole_rows), dtype=np.int64)
        hits = sub.multiply(chosen[None, :].astype(np.float64)).tocsr()
        hits.eliminate_zeros()
        sole_site[:] = hits.indices  # exactly one chosen site per such row
        out_idx = np.flatnonzero(chosen & ~prob.keep)
        if len(out_idx) == 0:
            break
        pos = np.full(mc, -1, dtype=np.int64)
        pos[out_idx] = np.arange(len(out_idx))
        take = pos[sole_site] >= 0
        p_mat = sp.csr_matrix(
            (w_rows[sole_rows[take]], (pos[sole_site[take]], np.flatnonzero(take))),
            shape=(len(out_idx), len(sole_rows)),
        )
        corr = (p_mat @ sub).toarray()  # (out, mc): Σ w over rows only j covers that k also covers
        loss = np.asarray(p_mat.sum(axis=1)).ravel()
        delta = gain[None, :] - loss[:, None] + corr
        delta[:, chosen] = -np.inf
        for req, off in zip(prob.requirements, offers, strict=True):
            if req.min_sites and int((off & chosen).sum()) <= req.min_sites:
                # Tight: a site offering the function may only leave for another that does.
                delta[np.ix_(off[out_idx], ~off)] = -np.inf
        best = int(np.argmax(delta))
        a, b = divmod(best, mc)
        if not delta[a, b] > 1e-9 * max(1.0, float(w_rows.sum())):
            break
        chosen[out_idx[a]] = False
        chosen[b] = True
    return chosen


# --------------------------------------------------------------------------------------------
# LSCP
# --------------------------------------------------------------------------------------------


def solve_lscp(
    demand: Sequence[DemandPoint],
    candidates: Sequence[Candidate],
    *,
    radius_m: float,
    must_keep: Iterable[str] = (),
    must_close: Iterable[str] = (),
    requirements: Iterable[FunctionRequirement] = (),
    time_limit: float | None = None,
    mip_gap: float = 0.0,
) -> PlanResult:
    """The fewest sites such that every demand point some open site can reach is covered.

    ``objective`` = number of chosen sites (must-keep sites included). Points nobody reaches
    are listed in ``uncoverable``.
    """
    t0 = time.perf_counter()
    prob = _prepare(
        demand,
        candidates,
        p=None,
        radius_m=radius_m,
        must_keep=must_keep,
        must_close=must_close,
        requirements=requirements,
        time_limit=time_limit,
        mip_gap=mip_gap,
        needs_p=False,
    )
    m = len(prob.sites.ids)
    cover = _cover_matrix(prob.demand, prob.sites, radius_m)
    has_cover_req = any(r.cover_all for r in prob.requirements)

    coverable = np.diff(cover.indptr) > 0
    rows, _ = _unique_rows(cover[coverable])
    # The classic set-covering reductions, repeated until nothing changes: a row met by a
    # forced site needs no constraint; a row only one site reaches forces that site; a row
    # containing another row's sites is implied by it; without function requirements a site
    # whose rows are a subset of another's is never needed.
    forced = prob.keep.copy()
    alive = np.ones(m, dtype=bool)
    while True:
        if forced.any():
            met = np.asarray(rows[:, np.flatnonzero(forced)].sum(axis=1)).ravel() > 0
            rows = rows[~met]
        single = np.diff(rows.indptr) == 1
        if single.any():
            forced[rows.indices[rows.indptr[:-1][single]]] = True
            continue
        rows, _ = _unique_rows(rows)
        rows = rows[~_rows_implied(rows)]
        if prob.requirements or rows.shape[0] == 0:
            break
        dead = _dominated_columns(rows, forced) & alive
        if not dead.any():
            break
        alive &= ~dead
        rows = sp.csr_matrix(rows.multiply(alive[None, :].astype(np.int8)), dtype=np.int8)
        rows.eliminate_zeros()
        rows.sort_indices()
    col_map = np.flatnonzero(alive)
    rows = rows[:, col_map]
    prob = dataclasses.replace(prob, keep=forced)
    mc = len(col_map)
    sub_prob = _restrict(prob, col_map)
    cover_c = cover[:, col_map] if has_cover_req else None

    blocks: list[sp.csr_matrix] = [rows.astype(np.float64)]
    row_lo: list[Any] = [np.ones(rows.shape[0])]
    row_hi: list[Any] = [np.full(rows.shape[0], math.inf)]
    req_blocks, req_lo, req_hi = _requirement_rows(sub_prob, cover_c, mc)
    blocks += req_blocks
    row_lo.append(req_lo)
    row_hi.append(req_hi)

    start_x = _greedy_lscp(sub_prob, rows)
    start = start_x.astype(np.float64) if _requirements_met(sub_prob, start_x, cover_c) else None

    out = _solve_mip(
        cost=np.ones(mc),
        col_lower=sub_prob.keep.astype(np.float64),
        col_upper=np.ones(mc),
        integer=np.ones(mc, dtype=bool),
        a=sp.vstack(blocks, format="csr"),
        row_lower=np.concatenate(row_lo),
        row_upper=np.concatenate(row_hi),
        maximize=False,
        time_limit=time_limit,
        mip_gap=mip_gap,
        start=start,
        options=_HIGHS_OPTIONS,
    )
    chosen_open = np.zeros(m, dtype=bool)
    chosen_open[col_map[out.x > 0.5]] = True
    return _result(
        "lscp",
        prob,
        cover,
        chosen_open,
        out,
        t0,
        objective_kind="count",
        model_size={"rows": sum(b.shape[0] for b in blocks), "columns": mc},
    )


def _greedy_lscp(prob: _Problem, rows: sp.csr_matrix) -> BoolArray:
    """Chvátal's greedy set cover after must-keep and requirements, then drop redundant sites."""
    csc = rows.tocsc()
    chosen = prob.keep.copy()
    uncovered = np.ones(rows.shape[0], dtype=np.float64)

    def take(j: int) -> None:
        uncovered[csc.indices[csc.indptr[j] : csc.indptr[j + 1]]] = 0.0

    for j in np.flatnonzero(chosen):
        take(int(j))
    _greedy_requirements(prob, chosen, np.asarray(csc.T @ uncovered).ravel())
    for j in np.flatnonzero(chosen):
        take(int(j))
    while uncovered.any():
        g = np.asarray(csc.T @ uncovered).ravel()
        j = int(np.argmax(np.where(chosen, -1.0, g)))
        chosen[j] = True
        take(j)
    # Reverse pass: a site whose rows are all covered twice or more is redundant.
    counts = np.asarray(rows @ chosen.astype(np.float64)).ravel()
    req_offers = [np.array([r.function in f for f in prob.functions]) for r in prob.requirements]
    for j in np.flatnonzero(chosen & ~prob.keep)[::-1]:
        r = csc.indices[csc.indptr[j] : csc.indptr[j + 1]]
        if (counts[r] >= 2).all() and all(
            not off[j] or int((off & chosen).sum()) > req.min_sites
            for off, req in zip(req_offers, prob.requirements, strict=True)
        ):
            chosen[j] = False
            counts[r] -= 1
    return chosen


# --------------------------------------------------------------------------------------------
# p-median
# --------------------------------------------------------------------------------------------


def solve_pmedian(
    demand: Sequence[DemandPoint],
    candidates: Sequence[Candidate],
    *,
    p: int,
    radius_m: float | None = None,
    must_keep: Iterable[str] = (),
    must_close: Iterable[str] = (),
    requirements: Iterable[FunctionRequirement] = (),
    time_limit: float | None = None,
    mip_gap: float = 0.0,
    k_nearest: int | None = None,
) -> PlanResult:
    """Choose exactly ``p`` sites minimising Σ weight × metres to each point's nearest chosen site.

    ``radius_m`` is optional here: it only feeds the ``covered_*`` figures and ``cover_all``
    requirements. ``k_nearest`` sets the first round's candidate list length per demand point
    (default: full model when n·m ≤ 60 000, else max(8, ⌈3m/p⌉)); the result is proven optimal
    whatever it is (see the module docstring), it only changes the speed.
    """
    t0 = time.perf_counter()
    prob = _prepare(
        demand,
        candidates,
        p=p,
        radius_m=radius_m,
        must_keep=must_keep,
        must_close=must_close,
        requirements=requirements,
        time_limit=time_limit,
        mip_gap=mip_gap,
        needs_p=True,
    )
    assert prob.p is not None
    p = prob.p
    m = len(prob.sites.ids)
    cover = _cover_matrix(prob.demand, prob.sites, radius_m) if radius_m is not None else None
    has_cover_req = any(r.cover_all for r in prob.requirements)

    pos = np.flatnonzero(prob.weight > 0)
    n = len(pos)
    d_pts = _Points(tuple(prob.demand.ids[i] for i in pos), prob.demand.lat[pos], prob.demand.lng[pos])
    w = prob.weight[pos]
    if k_nearest is not None and (
        isinstance(k_nearest, bool) or not isinstance(k_nearest, int) or k_nearest < 1
    ):
        raise ValueError(f"k_nearest={k_nearest!r} must be a positive whole number")
    if k_nearest is None:
        k0 = m if n * m <= _PMEDIAN_FULL_MODEL_MAX else max(8, math.ceil(3 * m / p))
    else:
        k0 = k_nearest
    k_per = np.full(n, min(k0, m), dtype=np.int64)
    tree = cKDTree(prob.sites.xyz)
    d_xyz = d_pts.xyz

    start: FloatArray | None = None
    last_x: BoolArray | None = None
    solver_rounds = 0
    model_size: dict[str, int] = {}
    while True:
        remaining = None if time_limit is None else time_limit - (time.perf_counter() - t0)
        if remaining is not None and remaining <= 0 and last_x is not None:
            break
        lists = _k_nearest_lists(tree, d_xyz, d_pts, prob, k_per)
        cols_j, cols_i, cols_d, fb_i, fb_d = lists
        nz = len(cols_j)
        nf = len(fb_i)
        # Variables: x (m, binary), z (nz, continuous), f (nf, continuous "farther").
        n_col = m + nz + nf
        cost = np.concatenate([np.zeros(m), w[cols_i] * cols_d, w[fb_i] * fb_d])
        col_lower = np.concatenate([prob.keep.astype(np.float64), np.zeros(nz + nf)])
        col_upper = np.ones(n_col)
        integer = np.concatenate([np.ones(m, dtype=bool), np.zeros(nz + nf, dtype=bool)])
        z_cols = m + np.arange(nz)
        f_cols = m + nz + np.arange(nf)
        # Σ_j z_ij + f_i = 1
        assign = sp.csr_matrix(
            (np.ones(nz + nf), (np.concatenate([cols_i, fb_i]), np.concatenate([z_cols, f_cols]))),
            shape=(n, n_col),
        )
        # z_ij − x_j ≤ 0
        link = sp.csr_matrix(
            (
                np.concatenate([np.ones(nz), -np.ones(nz)]),
                (np.concatenate([np.arange(nz), np.arange(nz)]), np.concatenate([z_cols, cols_j])),
            ),
            shape=(nz, n_col),
        )
        card = sp.csr_matrix((np.ones(m), (np.zeros(m, dtype=np.int64), np.arange(m))), shape=(1, n_col))
        blocks = [assign, link, card]
        row_lo = [np.ones(n), np.full(nz, -math.inf), [float(p)]]
        row_hi = [np.ones(n), np.zeros(nz), [float(p)]]
        req_blocks, req_lo, req_hi = _requirement_rows(prob, cover if has_cover_req else None, n_col)
        blocks += req_blocks
        row_lo.append(req_lo)
        row_hi.append(req_hi)
        if last_x is not None:
            start = _pmedian_start(last_x, lists, m, n)
        out = _solve_mip(
            cost=cost,
            col_lower=col_lower,
            col_upper=col_upper,
            integer=integer,
            a=sp.vstack(blocks, format="csr"),
            row_lower=np.concatenate(row_lo),
            row_upper=np.concatenate(row_hi),
            maximize=False,
            time_limit=remaining,
            mip_gap=mip_gap,
            start=start,
            options=_HIGHS_OPTIONS,
        )
        solver_rounds += 1
        model_size = {"rows": sum(b.shape[0] for b in blocks), "columns": n_col, "rounds": solver_rounds}
        chosen = out.x[:m] > 0.5
        true_cost = _pmedian_cost(d_pts, w, prob.sites, chosen)
        bound = out.bound
        gap = _gap(true_cost, bound)
        last_x, last_out = chosen, out
        farther = fb_i[out.x[f_cols] > 0.5] if nf else np.zeros(0, dtype=np.int64)
        if out.status == "time_limit" or gap <= max(mip_gap, _OPTIMAL_GAP) or len(farther) == 0:
            break
        # Relaxation not tight: lengthen the lists of the points that went "farther".
        grow = np.unique(farther)
        k_per[grow] = np.minimum(m, k_per[grow] * 2)
    assert last_x is not None
    last_out.objective = true_cost
    last_out.bound = min(bound, true_cost)
    return _result(
        "pmedian",
        prob,
        cover,
        last_x,
        last_out,
        t0,
        objective_kind="distance",
        model_size=model_size,
        pmedian=(d_pts, w),
    )


def _k_nearest_lists(
    tree: cKDTree, d_xyz: FloatArray, d_pts: _Points, prob: _Problem, k_per: IntArray
) -> tuple[IntArray, IntArray, FloatArray, IntArray, FloatArray]:
    """Per demand point, its k nearest open sites (cut after the first must-keep one) and the
    "farther" price: the distance of the (k+1)-th nearest, or none when the list is complete.

    Returns flat arrays (site, point, metres) for the z variables and (point, metres) for f.
    """
    m = len(prob.sites.ids)
    cj: list[IntArray] = []
    ci: list[IntArray] = []
    cd: list[FloatArray] = []
    fi: list[IntArray] = []
    fd: list[FloatArray] = []
    for k in np.unique(k_per):
        pts = np.flatnonzero(k_per == k)
        q = int(min(k + 1, m))
        _, idx = tree.query(d_xyz[pts], k=q)
        idx = np.asarray(idx, dtype=np.int64).reshape(len(pts), q)
        dist = geo.haversine_m_array(
            d_pts.lat[pts][:, None], d_pts.lng[pts][:, None], prob.sites.lat[idx], prob.sites.lng[idx]
        )
        # Chord order is great-circle order, but haversine and chord can disagree in the last
        # bits; a stable sort on haversine keeps the "(k+1)-th is the farthest" promise exact.
        order = np.argsort(dist, axis=1, kind="stable")
        idx = np.take_along_axis(idx, order, axis=1)
        dist = np.take_along_axis(dist, order, axis=1)
        listed = np.ones((len(pts), q), dtype=bool)
        if q > k:
            listed[:, k:] = False
        # A must-keep site is always open: nobody is served by anything farther than the first.
        keep_hit = prob.keep[idx] & listed
        first_keep = np.where(keep_hit.any(axis=1), keep_hit.argmax(axis=1), q)
        listed &= np.arange(q)[None, :] <= first_keep[:, None]
        rows_, cols_ = np.nonzero(listed)
        cj.append(idx[rows_, cols_])
        ci.append(pts[rows_])
        cd.append(dist[rows_, cols_])
        needs_f = (first_keep == q) & (q > k)
        fi.append(pts[needs_f])
        # The (k+1)-th distance bounds every unlisted site's distance from below.
        fd.append(dist[needs_f, k] * (1 - 1e-12) if q > k else np.zeros(0))
    return (
        np.concatenate(cj),
        np.concatenate(ci),
        np.concatenate(cd),
        np.concatenate(fi).astype(np.int64),
        np.concatenate(fd),
    )


def _pmedian_cost(d_pts: _Points, w: FloatArray, sites: _Points, chosen: BoolArray) -> float:
    idx = np.flatnonzero(chosen)
    chosen_pts = _Points(tuple(sites.ids[j] for j in idx), sites.lat[idx], sites.lng[idx])
    dist, _ = _nearest(d_pts, chosen_pts)
    return float((w * dist).sum())


def _pmedian_start(
    chosen: BoolArray, lists: tuple[IntArray, IntArray, FloatArray, IntArray, FloatArray], m: int, n: int
) -> FloatArray:
    """The previous round's sites as a start: each point to its nearest listed chosen site."""
    cj, ci, cd, fi, _ = lists
    nz, nf = len(cj), len(fi)
    x = np.zeros(m + nz + nf)
    x[:m] = chosen
    ok = chosen[cj]
    best = np.full(n, -1, dtype=np.int64)
    best_d = np.full(n, np.inf)
    for t in np.flatnonzero(ok):  # lists are short; a loop keeps the tie rule obvious
        if cd[t] < best_d[ci[t]]:
            best_d[ci[t]] = cd[t]
            best[ci[t]] = t
    x[m + best[best >= 0]] = 1.0
    fpos = {int(i): m + nz + k for k, i in enumerate(fi)}
    for i in np.flatnonzero(best < 0):
        x[fpos[int(i)]] = 1.0
    return x


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


def _result(
    model: Model,
    prob: _Problem,
    cover: sp.csr_matrix | None,
    chosen_open: BoolArray,
    out: _MipOutcome,
    t0: float,
    *,
    objective_kind: str,
    model_size: dict[str, int],
    pmedian: tuple[_Points, FloatArray] | None = None,
) -> PlanResult:
    # Chosen ids in the caller's candidate order.
    chosen_ids = tuple(prob.sites.ids[j] for j in np.flatnonzero(chosen_open))
    total = float(prob.weight.sum())
    if cover is not None:
        covered = np.asarray(cover[:, chosen_open].sum(axis=1)).ravel() > 0
        covered_weight = float(prob.weight[covered].sum())
        uncoverable = tuple(prob.demand.ids[i] for i in np.flatnonzero(np.diff(cover.indptr) == 0))
    else:
        covered_weight = math.nan
        uncoverable = ()
    mean_distance = None
    if objective_kind == "covered":
        objective = covered_weight
        # HiGHS works with tolerances; never report a bound on the wrong side of the plan.
        bound = max(out.bound, objective)
    elif objective_kind == "count":
        objective = float(len(chosen_ids))
        bound = min(out.bound, objective)
        # The count is integral, so any bound above k−1 proves k.
        if bound > objective - 1 + 1e-6:
            bound = objective
    else:
        assert pmedian is not None
        objective = out.objective
        bound = out.bound
        w_pos = float(pmedian[1].sum())
        mean_distance = objective / w_pos if w_pos > 0 else 0.0
    gap = _gap(objective, bound)
    return PlanResult(
        model=model,
        status=_final_status(out.status, gap),
        chosen=chosen_ids,
        objective=objective,
        best_bound=bound,
        gap=gap,
        solve_seconds=time.perf_counter() - t0,
        covered_weight=covered_weight,
        total_weight=total,
        covered_share=(covered_weight / total if total > 0 else 0.0) if cover is not None else math.nan,
        radius_m=prob.radius_m,
        p=len(chosen_ids),
        uncoverable=uncoverable,
        mean_distance_m=mean_distance,
        n_demand=len(prob.demand.ids),
        n_candidates=len(prob.all_sites.ids),
        model_size=model_size,
    )


def plan(
    model: Model,
    demand: Sequence[DemandPoint],
    candidates: Sequence[Candidate],
    *,
    radius_m: float,
    p: int | None = None,
    must_keep: Iterable[str] = (),
    must_close: Iterable[str] = (),
    requirements: Iterable[FunctionRequirement] = (),
    time_limit: float | None = None,
    mip_gap: float = 0.0,
) -> PlanResult:
    """Dispatch to :func:`solve_mclp`, :func:`solve_lscp` or :func:`solve_pmedian` by name.

    ``p`` is required for ``mclp`` and ``pmedian`` and refused for ``lscp`` (which finds it).
    """
    common: dict[str, Any] = {
        "radius_m": radius_m,
        "must_keep": must_keep,
        "must_close": must_close,
        "requirements": requirements,
        "time_limit": time_limit,
        "mip_gap": mip_gap,
    }
    if model == "lscp":
        if p is not None:
            raise ValueError("p is not used by the lscp model: it finds the fewest sites itself")
        return solve_lscp(demand, candidates, **common)
    if model not in ("mclp", "pmedian"):
        raise ValueError(f"model={model!r} must be one of {', '.join(MODELS)}")
    if p is None:
        raise ValueError(f"p is required for the {model} model")
    solver = solve_mclp if model == "mclp" else solve_pmedian
    return solver(demand, candidates, p=p, **common)


# --------------------------------------------------------------------------------------------
# CSV input
# --------------------------------------------------------------------------------------------

_STATUS_ALIASES: Final[dict[str, CandidateStatus]] = {
    "": "candidate",
    "candidate": "candidate",
    "候选": "candidate",
    "keep": "keep",
    "保留": "keep",
    "close": "close",
    "撤并": "close",
    "关闭": "close",
}


def _read_text(path_or_file: str | os.PathLike[str] | IO[str] | IO[bytes]) -> tuple[str, str]:
    """The file's text and a name for messages. UTF-8 (with or without BOM) first, then GB18030,
    which is what Excel on a Chinese Windows writes for "CSV"."""
    if isinstance(path_or_file, str | os.PathLike):
        name = os.fspath(path_or_file)
        try:
            raw: str | bytes = Path(name).read_bytes()
        except OSError as exc:
            raise PlanningInputError(f"{name}: cannot read file ({exc.strerror or exc})") from None
    else:
        name = str(getattr(path_or_file, "name", "") or "CSV input")
        raw = path_or_file.read()
    if isinstance(raw, bytes):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return raw.decode(encoding), name
            except UnicodeDecodeError:
                continue
        raise PlanningInputError(f"{name}: cannot decode the file; save it as UTF-8 CSV")
    return raw.removeprefix("\ufeff"), name


def _read_rows(
    path_or_file: str | os.PathLike[str] | IO[str] | IO[bytes],
    required: Sequence[str],
    optional: Sequence[str],
) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    text, name = _read_text(path_or_file)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise PlanningInputError(
            f"{name}: the file is empty; expected a header row {','.join(required)}"
        ) from None
    except csv.Error as exc:
        raise PlanningInputError(f"{name}: row 1: {exc}") from None
    cols = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in cols]
    if missing:
        raise PlanningInputError(
            f"{name}: missing column(s) {', '.join(missing)}; found: {', '.join(c for c in cols if c) or 'nothing'}"
        )
    pos = {c: cols.index(c) for c in (*required, *optional) if c in cols}
    rows: list[tuple[int, dict[str, str]]] = []
    line = 1
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # blank lines, e.g. Excel's trailing ones
            values = {c: (record[i].strip() if i < len(record) else "") for c, i in pos.items()}
            rows.append((line, values))
    except csv.Error as exc:
        raise PlanningInputError(f"{name}: row {line + 1}: {exc}") from None
    if not rows:
        raise PlanningInputError(f"{name}: has a header but no data rows")
    return name, rows


def _number(name: str, line: int, col: str, value: str) -> float:
    if value == "":
        raise PlanningInputError(f"{name}: row {line}, column '{col}': is empty")
    try:
        x = float(value)
    except ValueError:
        raise PlanningInputError(f"{name}: row {line}, column '{col}': {value!r} is not a number") from None
    if not math.isfinite(x):
        raise PlanningInputError(f"{name}: row {line}, column '{col}': {value!r} is not a finite number")
    return x


def _id_and_coords(
    name: str, line: int, values: dict[str, str], seen: dict[str, int]
) -> tuple[str, float, float]:
    pid = values["id"]
    if pid == "":
        raise PlanningInputError(f"{name}: row {line}, column 'id': is empty")
    if pid in seen:
        raise PlanningInputError(
            f"{name}: row {line}, column 'id': duplicate id {pid!r} (first on row {seen[pid]})"
        )
    seen[pid] = line
    lat = _number(name, line, "lat", values["lat"])
    lng = _number(name, line, "lng", values["lng"])
    if not -90 <= lat <= 90:
        raise PlanningInputError(f"{name}: row {line}, column 'lat': {lat} is not a latitude (-90 to 90)")
    if not -180 <= lng <= 180:
        raise PlanningInputError(f"{name}: row {line}, column 'lng': {lng} is not a longitude (-180 to 180)")
    if not geo.in_china(lat, lng):
        hint = "; lat and lng look swapped" if -90 <= lng <= 90 and geo.in_china(lng, lat) else ""
        raise PlanningInputError(
            f"{name}: row {line}, columns 'lat','lng': ({lat}, {lng}) is outside China{hint}"
        )
    return pid, lat, lng


def load_demand_csv(path_or_file: str | os.PathLike[str] | IO[str] | IO[bytes]) -> list[DemandPoint]:
    """Read demand points from CSV with columns ``id,lat,lng,weight`` (WGS-84, any column order,
    extra columns ignored). Raises :class:`PlanningInputError` naming the row (the spreadsheet
    line number, header = 1) and column of the first problem."""
    name, rows = _read_rows(path_or_file, ("id", "lat", "lng", "weight"), ())
    seen: dict[str, int] = {}
    out: list[DemandPoint] = []
    for line, values in rows:
        pid, lat, lng = _id_and_coords(name, line, values, seen)
        weight = _number(name, line, "weight", values["weight"])
        if weight < 0:
            raise PlanningInputError(f"{name}: row {line}, column 'weight': {weight:g} must not be negative")
        out.append(DemandPoint(pid, lat, lng, weight))
    return out


def load_candidates_csv(path_or_file: str | os.PathLike[str] | IO[str] | IO[bytes]) -> list[Candidate]:
    """Read candidate sites from CSV with ``id,lat,lng`` and optional ``functions`` (names
    separated by ``|``) and ``status`` (blank/candidate/候选, keep/保留, close/撤并/关闭).
    Raises :class:`PlanningInputError` naming the row and column of the first problem."""
    name, rows = _read_rows(path_or_file, ("id", "lat", "lng"), ("functions", "status"))
    seen: dict[str, int] = {}
    out: list[Candidate] = []
    for line, values in rows:
        pid, lat, lng = _id_and_coords(name, line, values, seen)
        raw_f = values.get("functions", "").replace("｜", "|")
        functions = frozenset(f.strip() for f in raw_f.split("|") if f.strip())
        raw_s = values.get("status", "")
        status = _STATUS_ALIASES.get(raw_s.lower())
        if status is None:
            raise PlanningInputError(
                f"{name}: row {line}, column 'status': {raw_s!r} is not one of candidate, keep, close (or blank)"
            )
        out.append(Candidate(pid, lat, lng, functions, status))
    return out


# --------------------------------------------------------------------------------------------
# Command line: gongzhi stations plan
# --------------------------------------------------------------------------------------------


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``main`` can return the exit code."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        raise _ArgumentError(message)


def _positive_float(name: str) -> Any:
    def parse(text: str) -> float:
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
        if not math.isfinite(v) or v <= 0:
            raise argparse.ArgumentTypeError(f"{name} must be positive, got {text!r}")
        return v

    return parse


def _gap_arg(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--gap must be a number, got {text!r}") from None
    if not 0 <= v < 1:
        raise argparse.ArgumentTypeError(f"--gap must be from 0 up to 1 (0.01 = 1 %), got {text!r}")
    return v


def _p_arg(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--p must be a whole number, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"--p must be at least 1, got {text!r}")
    return v


def _requirement_arg(text: str) -> FunctionRequirement:
    function, sep, count = text.replace("：", ":").rpartition(":")
    if not sep:
        function, count = text, "1"
    function = function.strip()
    try:
        n = int(count)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--require wants FUNCTION:N, got {text!r}") from None
    if not function or n < 1:
        raise argparse.ArgumentTypeError(f"--require wants FUNCTION:N with N ≥ 1, got {text!r}")
    return FunctionRequirement(function, min_sites=n)


def _build_parser() -> _Parser:
    parser = _Parser(
        prog="gongzhi stations plan",
        description="Choose service-station sites: maximal covering (mclp), set covering (lscp) "
        "or p-median (pmedian), solved to proven optimum with HiGHS.",
    )
    parser.add_argument("--model", required=True, choices=MODELS)
    parser.add_argument("--demand", required=True, help="CSV with id,lat,lng,weight (WGS-84)")
    parser.add_argument("--candidates", required=True, help="CSV with id,lat,lng[,functions][,status]")
    parser.add_argument(
        "--radius-m",
        required=True,
        type=_positive_float("--radius-m"),
        help="coverage radius in straight-line metres (15 min walk ≈ 865 m)",
    )
    parser.add_argument("--p", type=_p_arg, help="number of sites (mclp, pmedian)")
    parser.add_argument("--must-keep", default="", help="comma-separated candidate ids to keep")
    parser.add_argument("--must-close", default="", help="comma-separated candidate ids to close")
    parser.add_argument(
        "--require",
        action="append",
        default=[],
        type=_requirement_arg,
        metavar="FUNCTION:N",
        help="at least N chosen sites offer FUNCTION (repeatable)",
    )
    parser.add_argument(
        "--require-cover",
        action="append",
        default=[],
        metavar="FUNCTION",
        help="every point a FUNCTION site can reach is covered by a chosen one (repeatable)",
    )
    parser.add_argument("--time-limit", type=_positive_float("--time-limit"), help="seconds (default: none)")
    parser.add_argument("--gap", type=_gap_arg, default=0.0, help="relative MIP gap to stop at (default 0)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def _split_ids(text: str) -> list[str]:
    return [t.strip() for t in text.replace("，", ",").split(",") if t.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    """``gongzhi stations plan …``: returns 0 on success, 2 on bad input, 1 if no plan was found.

    ``argv`` is the arguments after ``gongzhi stations plan`` (a leading ``stations plan`` is
    tolerated, so the dispatcher may pass either).
    """
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:2] == ["stations", "plan"]:
        args_in = args_in[2:]
    parser = _build_parser()
    try:
        args = parser.parse_args(args_in)
    except _ArgumentError as exc:
        print(parser.format_usage().rstrip(), file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)

    if args.model == "lscp" and args.p is not None:
        return _fail("--p is not used by --model lscp: it finds the fewest sites itself")
    if args.model != "lscp" and args.p is None:
        return _fail(f"--p is required for --model {args.model}")
    requirements = list(args.require)
    for f in args.require_cover:
        if not f.strip():
            return _fail("--require-cover needs a function name")
        requirements.append(FunctionRequirement(f.strip(), cover_all=True))
    try:
        demand = load_demand_csv(args.demand)
        candidates = load_candidates_csv(args.candidates)
        result = plan(
            args.model,
            demand,
            candidates,
            radius_m=args.radius_m,
            p=args.p,
            must_keep=_split_ids(args.must_keep),
            must_close=_split_ids(args.must_close),
            requirements=requirements,
            time_limit=args.time_limit,
            mip_gap=args.gap,
        )
    except ValueError as exc:  # PlanningInputError included
        return _fail(str(exc))
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(_json_safe(result.to_dict()), ensure_ascii=False, indent=2))
    else:
        print(_human(result))
    return 0


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _json_safe(value: Any) -> Any:
    """NaN/inf are not JSON: turn them into null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


_MODEL_NAMES: Final = {
    "mclp": "maximal covering (MCLP)",
    "lscp": "set covering (LSCP)",
    "pmedian": "p-median",
}


def _human(r: PlanResult) -> str:
    lines = [
        f"Model:        {_MODEL_NAMES[r.model]}, radius {r.radius_m:g} m",
        f"Status:       {r.status} (gap {r.gap:.4%}, bound {r.best_bound:,.2f})",
    ]
    if r.model == "mclp":
        lines.append(f"Objective:    covered weight {r.objective:,.2f}")
    elif r.model == "lscp":
        lines.append(f"Objective:    {r.objective:.0f} sites")
    else:
        lines.append(
            f"Objective:    weighted distance {r.objective:,.1f} (mean {r.mean_distance_m or 0:,.1f} m)"
        )
    lines.append(
        f"Coverage:     {r.covered_weight:,.2f} of {r.total_weight:,.2f} weight ({r.covered_share:.2%}) "
        f"within {r.radius_m:g} m"
    )
    if r.uncoverable:
        lines.append(
            f"Uncoverable:  {len(r.uncoverable)} demand point(s) have no candidate within reach: "
            f"{_fmt_ids(r.uncoverable)}"
        )
    lines.append(f"Solve time:   {r.solve_seconds:.2f} s")
    lines.append(f"Chosen sites ({len(r.chosen)}):")
    lines.extend(textwrap.wrap(", ".join(r.chosen), width=100, initial_indent="  ", subsequent_indent="  "))
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

"""The consolidation planner: which stations to keep, merge or add, solved with HiGHS through
``gongzhi.lib.planning``, and the history of every run (``PlanRun``).

A run is checked completely before anything is written: the population, the candidate sites (the
area's active stations, plus any uploaded sites), ``p``, the stations to keep and to close and the
function requirements; a bad value is refused with a message naming the parameter, or the row of
the uploaded file. Small runs are solved during the request (an infeasible set of constraints is
then refused like any bad input, and nothing is written); large ones are queued for a background
worker, which reports its stage and ends the run "done" or "failed" with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from gongzhi.areas.models import Area, subtree_q
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import invalid
from gongzhi.lib import geo, planning

from ..analysis import demand_from_communities, demand_from_grid
from ..conf import reach_m, setting, walking_minutes
from ..csv_errors import planning_input_message
from ..models import (
    PLAN_TRANSITIONS,
    PlanModel,
    PlanRun,
    PlanStatus,
    PopulationGrid,
    Station,
    StationFunction,
)

MAX_MINUTES = 120


@dataclass(frozen=True)
class Requirement:
    """At least ``min_sites`` chosen stations offer ``function``; with ``cover_all``, everyone a
    station offering it can reach is within reach of a chosen one offering it."""

    function: str
    min_sites: int = 0
    cover_all: bool = False


def _field(field: str, message: str, code: str) -> ValidationError:
    return invalid({field: [message]}, code)


def _load_candidate_file(upload, functions_by_key: dict[str, str]) -> list[planning.Candidate]:
    try:
        rows = planning.load_candidates_csv(upload)
    except planning.PlanningInputError as exc:
        raise _field(
            "candidate_file", planning_input_message(str(exc)), "stations.plan_candidates_csv"
        ) from None
    out = []
    for c in rows:
        names = []
        for f in sorted(c.functions):
            name = functions_by_key.get(f) or functions_by_key.get(f.lower())
            if name is None:
                raise _field(
                    "candidate_file",
                    _("The site with id %(id)s offers “%(function)s”, which is not a station function.")
                    % {"id": c.id, "function": f},
                    "stations.plan_candidates_function",
                )
            names.append(name)
        if len(c.id) > 64:
            raise _field(
                "candidate_file",
                _("The id %(id)s is too long: at most 64 characters.") % {"id": c.id[:80]},
                "stations.plan_candidates_id",
            )
        out.append(planning.Candidate(f"new:{c.id}", c.lat, c.lng, frozenset(names), c.status))
    return out


def _check_number(value, field: str, *, low: float, high: float, integer: bool = False, message: str) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok and integer:
        ok = float(value).is_integer()
    if not ok or not low <= value <= high:
        raise _field(field, message, f"stations.plan_{field}")


def plan_run_start(
    *,
    actor,
    area: Area,
    model: str,
    p: int | None = None,
    minutes: float | None = None,
    grid: PopulationGrid | None = None,
    candidate_file=None,
    include_existing: bool = True,
    must_keep: Sequence[int] = (),
    must_close: Sequence[int] = (),
    requirements: Sequence[Requirement] = (),
    time_limit: float | None = None,
    mip_gap: float = 0.0,
    title: str = "",
    background: bool | None = None,
    ip: str | None = None,
) -> PlanRun:
    """Check a planner run and solve it now (small) or queue it (large); see the module docstring."""
    if actor is not None and not actor.access.can("stations.plan", area.code):
        raise _field("area", _("Choose an area within your own scope."), "stations.plan_area")
    if model not in PlanModel.values:
        raise _field("model", _("Choose mclp, lscp or pmedian."), "stations.plan_model")
    minutes = float(setting("WALK_MINUTES")) if minutes is None else minutes
    _check_number(
        minutes,
        "minutes",
        low=1,
        high=MAX_MINUTES,
        message=_("Walking minutes must be from 1 to %(max)d.") % {"max": MAX_MINUTES},
    )
    if time_limit is not None:
        max_limit = int(setting("PLAN_MAX_TIME_LIMIT"))
        _check_number(
            time_limit,
            "time_limit",
            low=1,
            high=max_limit,
            message=_("The time limit must be from 1 to %(max)d seconds, or empty for none.")
            % {"max": max_limit},
        )
    _check_number(
        mip_gap, "mip_gap", low=0, high=0.5, message=_("The gap must be from 0 (prove the optimum) to 0.5.")
    )
    if model == PlanModel.LSCP:
        if p is not None:
            raise _field(
                "p",
                _("Leave p empty for the fewest-stations model: it finds the number itself."),
                "stations.plan_p",
            )
    elif p is None:
        raise _field("p", _("Enter p, the number of stations to choose."), "stations.plan_p")
    else:
        _check_number(
            p, "p", low=1, high=100_000, integer=True, message=_("p must be a whole number of at least 1.")
        )
        p = int(p)

    # Population.
    if grid is not None:
        if actor is not None and not actor.access.can("stations.coverage", grid.area_id):
            raise _field("grid", _("Choose a population grid of your own area."), "stations.plan_grid")
        demand = demand_from_grid(grid, area)
    else:
        demand, _missing = demand_from_communities(area)
    if not demand:
        raise _field(
            "grid" if grid is not None else "area",
            _("There are no population points with a location in %(area)s.") % {"area": area.name},
            "stations.plan_no_demand",
        )

    # Candidate sites.
    all_functions = list(StationFunction.objects.values_list("code", "name"))
    by_key = {name: name for _code, name in all_functions} | {code: name for code, name in all_functions}
    stations = list(
        Station.objects.active()
        .filter(subtree_q("area_id", area.prefix))
        .prefetch_related("functions")
        .order_by("id")
        if include_existing
        else []
    )
    candidates = [
        planning.Candidate(f"S{s.pk}", s.lat, s.lng, frozenset(f.name for f in s.functions.all()))
        for s in stations
    ]
    names = {f"S{s.pk}": s.name for s in stations}
    if candidate_file is not None:
        extra = _load_candidate_file(candidate_file, by_key)
        candidates += extra
        names.update({c.id: c.id.removeprefix("new:") for c in extra})
    if not candidates:
        raise _field(
            "candidate_file",
            _(
                "There is nothing to choose from: %(area)s has no active station, and no candidate sites were uploaded."
            )
            % {"area": area.name},
            "stations.plan_no_candidates",
        )
    station_ids = {s.pk for s in stations}
    keep = [int(k) for k in must_keep]
    close = [int(k) for k in must_close]
    for field, chosen in (("must_keep", keep), ("must_close", close)):
        unknown = [k for k in chosen if k not in station_ids]
        if unknown:
            raise _field(
                field,
                _("Station %(id)s is not an active station of %(area)s.")
                % {"id": unknown[0], "area": area.name},
                f"stations.plan_{field}_unknown",
            )
    overlap = sorted(set(keep) & set(close))
    if overlap:
        raise _field(
            "must_close",
            _("“%(name)s” is both to keep and to close.") % {"name": names[f"S{overlap[0]}"]},
            "stations.plan_keep_close_overlap",
        )
    keep_ids = {f"S{k}" for k in keep} | {c.id for c in candidates if c.status == "keep"}
    close_ids = {f"S{k}" for k in close} | {c.id for c in candidates if c.status == "close"}
    both = keep_ids & close_ids
    if both:
        raise _field(
            "must_close",
            _("“%(name)s” is both to keep and to close.") % {"name": names[sorted(both)[0]]},
            "stations.plan_keep_close_overlap",
        )
    available = [c for c in candidates if c.id not in close_ids]
    if not available:
        raise _field(
            "must_close",
            _("Every candidate site would be closed: nothing is left to choose."),
            "stations.plan_all_closed",
        )
    if p is not None and p > len(available):
        raise _field(
            "p",
            _("p = %(p)d is larger than the %(n)d candidate sites available (after the ones to close).")
            % {"p": p, "n": len(available)},
            "stations.plan_p_too_large",
        )
    if p is not None and len(keep_ids) > p:
        raise _field(
            "must_keep",
            _("%(n)d stations are to be kept, more than p = %(p)d.") % {"n": len(keep_ids), "p": p},
            "stations.plan_keep_exceeds_p",
        )
    reqs = []
    for r in requirements:
        name = by_key.get(r.function)
        if name is None:
            raise _field(
                "requirements",
                _("“%(f)s” is not a station function.") % {"f": r.function},
                "stations.plan_requirement",
            )
        if isinstance(r.min_sites, bool) or not isinstance(r.min_sites, int) or r.min_sites < 0:
            raise _field(
                "requirements",
                _("The number of sites for “%(f)s” must be a whole number.") % {"f": name},
                "stations.plan_requirement",
            )
        if r.min_sites == 0 and not r.cover_all:
            continue
        offering = sum(1 for c in available if name in c.functions)
        if r.min_sites > offering or (r.cover_all and offering == 0):
            raise _field(
                "requirements",
                _("“%(f)s” needs %(n)d sites, but only %(have)d of the candidate sites offer it.")
                % {"f": name, "n": max(r.min_sites, 1), "have": offering},
                "stations.plan_requirement_unmet",
            )
        if p is not None and r.min_sites > p:
            raise _field(
                "requirements",
                _("“%(f)s” needs %(n)d sites, more than p = %(p)d.") % {"f": name, "n": r.min_sites, "p": p},
                "stations.plan_requirement_exceeds_p",
            )
        reqs.append({"function": name, "min_sites": r.min_sites, "cover_all": bool(r.cover_all)})

    radius = reach_m(minutes)
    pairs = len(demand) * len(candidates)
    inline_limit = float(setting("PLAN_INLINE_TIME_LIMIT"))
    if background is None:
        background = pairs > int(setting("PLAN_INLINE_MAX_PAIRS")) or (
            time_limit is not None and time_limit > inline_limit
        )
    run = PlanRun(
        title=(title or "").strip()[:100],
        area=area,
        model=model,
        status=PlanStatus.QUEUED,
        stage="queued",
        params={
            "p": p,
            "minutes": minutes,
            "radius_m": radius,
            "detour": float(setting("DETOUR")),
            "speed_kmh": float(setting("SPEED_KMH")),
            "demand": "grid" if grid is not None else "communities",
            "grid_id": grid.pk if grid is not None else None,
            "grid_name": grid.name if grid is not None else "",
            "include_existing": bool(include_existing),
            "candidate_file": str(getattr(candidate_file, "name", "") or "")
            if candidate_file is not None
            else "",
            "must_keep": sorted(keep),
            "must_close": sorted(close),
            "requirements": reqs,
            "time_limit": time_limit,
            "mip_gap": mip_gap,
            "n_demand": len(demand),
            "n_candidates": len(candidates),
            "language": get_language() or "zh-hans",
        },
        inputs={
            "demand": [[d.id, d.name, d.lat, d.lng, d.weight, d.community_code] for d in demand],
            "candidates": [
                [c.id, names[c.id], c.lat, c.lng, sorted(c.functions), c.status] for c in candidates
            ],
        },
        background=background,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_changes = {
        "model": model,
        "p": p,
        "minutes": minutes,
        "demand": len(demand),
        "candidates": len(candidates),
    }
    if background:
        from ..tasks import plan_run_task

        with transaction.atomic():
            run.save()
            audit_record(actor=actor, action="stations.plan_start", obj=run, ip=ip, changes=audit_changes)
            transaction.on_commit(lambda: _enqueue(plan_run_task, run.pk))
        return run
    # Small: solve now, outside any transaction (a solve holds no database lock), then write the
    # run and its result together. An infeasible run is refused like any bad input: nothing written.
    started = timezone.now()
    try:
        result = solve_run(run, time_limit_cap=inline_limit)
    except (ValueError, RuntimeError) as exc:
        raise ValidationError(solver_message(exc), code=_solver_code(exc)) from None
    with transaction.atomic():
        run.status, run.started_at = PlanStatus.RUNNING, started
        run.save()
        audit_record(actor=actor, action="stations.plan_start", obj=run, ip=ip, changes=audit_changes)
        _finish(run, result)
    return run


def _enqueue(task, run_id: int) -> None:
    result = task.enqueue(run_id=run_id)
    PlanRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id)[:64])


def _set(run: PlanRun, status: str, *, stage: str, progress: int) -> None:
    if status != run.status and status not in PLAN_TRANSITIONS[run.status]:
        raise ValidationError(
            _("A planner run that is “%(status)s” cannot become “%(to)s”.")
            % {"status": run.get_status_display(), "to": PlanStatus(status).label},
            code="stations.plan_invalid_transition",
        )
    run.status, run.stage, run.progress = status, stage, progress
    if status == PlanStatus.RUNNING and run.started_at is None:
        run.started_at = timezone.now()
    if status in (PlanStatus.DONE, PlanStatus.FAILED):
        run.finished_at = timezone.now()
    run.save()


def plan_run_execute(*, run_id: int) -> str:
    """Solve a queued run (the background task's body). Runs once: a retried task whose run has
    already started leaves it alone. Returns the run's final status."""
    with transaction.atomic():
        run = PlanRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != PlanStatus.QUEUED:
            return run.status if run is not None else "missing"
        _set(run, PlanStatus.RUNNING, stage="solving", progress=20)
    try:
        result = solve_run(run)
    except (ValueError, RuntimeError) as exc:
        with transaction.atomic(), override(run.params.get("language") or "zh-hans"):
            run.error = solver_message(exc)
            _set(run, PlanStatus.FAILED, stage="failed", progress=100)
            audit_record(
                actor=None, action="stations.plan_failed", obj=run, changes={"error": run.error[:200]}
            )
        return run.status
    except Exception as exc:  # noqa: BLE001 - the run must not stay "running" forever
        with transaction.atomic():
            with override(run.params.get("language") or "zh-hans"):
                run.error = _(
                    "The planner stopped unexpectedly (%(kind)s); try again or ask the administrator."
                ) % {"kind": type(exc).__name__}
            _set(run, PlanStatus.FAILED, stage="failed", progress=100)
        raise
    with transaction.atomic():
        run.stage = "saving"
        _finish(run, result)
    return run.status


def _finish(run: PlanRun, result: dict) -> None:
    run.result = result
    run.solve_status = result["status"]
    run.objective = result["objective"]
    run.best_bound = result["best_bound"] if math.isfinite(result["best_bound"]) else None
    run.gap = result["gap"] if math.isfinite(result["gap"]) else None
    run.solve_seconds = result["solve_seconds"]
    run.covered_share = result["covered_share"]
    run.chosen_count = len(result["chosen"])
    _set(run, PlanStatus.DONE, stage="done", progress=100)
    audit_record(
        actor=None,
        actor_label="planner",
        action="stations.plan_done",
        obj=run,
        changes={"status": run.solve_status, "objective": run.objective, "chosen": run.chosen_count},
    )


_INFEASIBLE = "no plan satisfies all the constraints together"


def _solver_code(exc: Exception) -> str:
    return "stations.plan_infeasible" if str(exc).startswith(_INFEASIBLE) else "stations.plan_failed"


def solver_message(exc: Exception) -> str:
    text = str(exc)
    if text.startswith(_INFEASIBLE):
        return _(
            "No plan meets p, the stations to keep, the stations to close and the function requirements "
            "all together. Relax one of them: a larger p, fewer stations to keep or to close, or fewer "
            "function requirements."
        )
    if text.startswith("no feasible plan found within time_limit"):
        return _("No plan was found within the time limit; allow more time.")
    return _("The planner could not solve this: %(detail)s") % {"detail": text}


def solve_run(run: PlanRun, *, time_limit_cap: float | None = None) -> dict:
    """Solve a run from its stored inputs and return the result to keep (JSON-ready)."""
    params = run.params
    demand_rows = run.inputs["demand"]
    cand_rows = run.inputs["candidates"]
    demand = [planning.DemandPoint(r[0], r[2], r[3], r[4]) for r in demand_rows]
    candidates = [planning.Candidate(r[0], r[2], r[3], frozenset(r[4]), r[5]) for r in cand_rows]
    time_limit = params.get("time_limit")
    applied = time_limit
    if time_limit_cap is not None:
        applied = time_limit_cap if time_limit is None else min(time_limit, time_limit_cap)
    outcome = planning.plan(
        run.model,
        demand,
        candidates,
        radius_m=params["radius_m"],
        p=params.get("p"),
        must_keep=[f"S{k}" for k in params.get("must_keep", [])],
        must_close=[f"S{k}" for k in params.get("must_close", [])],
        requirements=[
            planning.FunctionRequirement(r["function"], min_sites=r["min_sites"], cover_all=r["cover_all"])
            for r in params.get("requirements", [])
        ],
        time_limit=applied,
        mip_gap=params.get("mip_gap", 0.0),
    )
    return _result(run, outcome, demand_rows, cand_rows, applied)


def _result(run: PlanRun, outcome: planning.PlanResult, demand_rows, cand_rows, time_limit_applied) -> dict:
    radius = run.params["radius_m"]
    chosen = set(outcome.chosen)
    chosen_rows = [r for r in cand_rows if r[0] in chosen]
    d_lat = np.array([r[2] for r in demand_rows], dtype=np.float64)
    d_lng = np.array([r[3] for r in demand_rows], dtype=np.float64)
    weight = np.array([r[4] for r in demand_rows], dtype=np.float64)
    c_lat = np.array([r[2] for r in chosen_rows], dtype=np.float64)
    c_lng = np.array([r[3] for r in chosen_rows], dtype=np.float64)
    nearest_idx, nearest_m = _nearest(d_lat, d_lng, c_lat, c_lng)
    served = np.zeros(len(chosen_rows))
    covered = nearest_m <= radius
    np.add.at(served, nearest_idx[covered], weight[covered])
    # Stations not chosen: suggest merging them into the nearest chosen one.
    others = [r for r in cand_rows if r[0] not in chosen]
    o_idx, o_m = _nearest(
        np.array([r[2] for r in others], dtype=np.float64),
        np.array([r[3] for r in others], dtype=np.float64),
        c_lat,
        c_lng,
    )
    fixed = {f"S{k}": "keep" for k in run.params.get("must_keep", [])} | {
        f"S{k}": "close" for k in run.params.get("must_close", [])
    }
    sites = []
    for j, r in enumerate(chosen_rows):
        sites.append(_site(r, chosen=True, fixed=fixed, served=float(served[j])))
    for j, r in enumerate(others):
        site = _site(r, chosen=False, fixed=fixed, served=0.0)
        if len(chosen_rows):
            target = chosen_rows[int(o_idx[j])]
            site["merge_into"] = target[0]
            site["merge_into_name"] = target[1]
            site["merge_distance_m"] = round(float(o_m[j]), 1)
        sites.append(site)
    demand = [
        {
            "id": r[0],
            "name": r[1],
            "lat": r[2],
            "lng": r[3],
            "weight": r[4],
            "community": r[5],
            "covered": bool(covered[i]),
            "site": chosen_rows[int(nearest_idx[i])][0] if len(chosen_rows) else None,
            "distance_m": round(float(nearest_m[i]), 1) if math.isfinite(nearest_m[i]) else None,
        }
        for i, r in enumerate(demand_rows)
    ]
    d = outcome.to_dict()
    return {
        "status": d["status"],
        "chosen": list(outcome.chosen),
        "objective": float(d["objective"]),
        "best_bound": float(d["best_bound"]),
        "gap": float(d["gap"]),
        "solve_seconds": float(d["solve_seconds"]),
        "covered_weight": float(d["covered_weight"]),
        "total_weight": float(d["total_weight"]),
        "covered_share": float(d["covered_share"]) if math.isfinite(d["covered_share"]) else None,
        "mean_distance_m": d["mean_distance_m"],
        "mean_walk_minutes": walking_minutes(d["mean_distance_m"])
        if d["mean_distance_m"] is not None
        else None,
        "uncoverable": list(outcome.uncoverable),
        "model_size": d["model_size"],
        "radius_m": radius,
        "time_limit_applied": time_limit_applied,
        "sites": sites,
        "demand": demand,
    }


def _site(r, *, chosen: bool, fixed: dict, served: float) -> dict:
    cid = r[0]
    return {
        "id": cid,
        "name": r[1],
        "lat": r[2],
        "lng": r[3],
        "functions": list(r[4]),
        "kind": "station" if cid.startswith("S") else "new",
        "station_id": int(cid[1:]) if cid.startswith("S") else None,
        "chosen": chosen,
        "fixed": fixed.get(cid) or ("keep" if r[5] == "keep" else "close" if r[5] == "close" else ""),
        "served": served,
    }


def _nearest(lat: np.ndarray, lng: np.ndarray, s_lat: np.ndarray, s_lng: np.ndarray, chunk: int = 2048):
    """Index of and great-circle metres to the nearest of the sites, for each point (chunked, so
    10,000 points × 1,000 sites never builds the whole matrix at once)."""
    n = len(lat)
    idx = np.zeros(n, dtype=np.int64)
    dist = np.full(n, np.inf)
    if len(s_lat) == 0 or n == 0:
        return idx, dist
    for start in range(0, n, chunk):
        sl = slice(start, start + chunk)
        m = geo.haversine_m_array(lat[sl, None], lng[sl, None], s_lat[None, :], s_lng[None, :])
        idx[sl] = m.argmin(axis=1)
        dist[sl] = m[np.arange(m.shape[0]), idx[sl]]
    return idx, dist


def plan_run_check_permission(run: PlanRun, actor) -> None:
    if actor is not None and not actor.access.can("stations.plan", run.area_id):
        raise PermissionDenied

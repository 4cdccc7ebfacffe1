"""Spreadsheets of a planner run: the summary, every candidate site with its fate, and every
population point with its nearest chosen station. Officials take these to the meeting."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from gongzhi.lib import geo

from .models import PlanRun


def site_action(site: dict) -> str:
    """What the plan means for one site, in a few words."""
    if site["chosen"]:
        return _("Build here") if site["kind"] == "new" else _("Keep")
    if site["kind"] == "new":
        return _("Not needed")
    if site.get("merge_into_name"):
        return _("Merge into %(name)s (%(m).0f m)") % {
            "name": site["merge_into_name"],
            "m": site["merge_distance_m"],
        }
    return _("Close")


def _objective_label(run: PlanRun) -> str:
    return {
        "mclp": _("Objective: people within the walk"),
        "lscp": _("Objective: number of stations"),
        "pmedian": _("Objective: people × metres to the nearest station"),
    }.get(run.model, _("Objective"))


def summary_rows(run: PlanRun, *, display: bool = False) -> list[tuple[str, object]]:
    """The run's parameters and outcome as (label, value) rows: raw numbers for Excel, or
    formatted for a page with ``display``."""
    r, p = run.result, run.params

    def num(value, digits: int = 0):
        if value is None:
            return "—"
        if not display:
            return round(float(value), digits) if digits else value
        return f"{float(value):,.{digits}f}"

    def pct(value, digits: int = 1):
        if value is None:
            return "—"
        return f"{float(value) * 100:.{digits}f}%" if display else value

    time_limit = r.get("time_limit_applied")
    rows: list[tuple[str, object]] = [
        (_("Title"), str(run)),
        (_("Area"), f"{run.area.name}（{run.area_id}）"),
        (_("Question"), run.get_model_display()),
        (_("Walk (minutes)"), num(p.get("minutes"))),
        (_("Reach (straight-line metres)"), num(p.get("radius_m"), 1)),
        (_("Detour factor"), p.get("detour")),
        (_("Walking speed (km/h)"), p.get("speed_kmh")),
        (_("Population"), p.get("grid_name") or _("Registered residents by community")),
        (_("Population points"), num(p.get("n_demand"))),
        (_("Candidate sites"), num(p.get("n_candidates"))),
        (_("p"), p.get("p") if p.get("p") is not None else "—"),
        (_("Stations to keep"), len(p.get("must_keep", []))),
        (_("Stations to close"), len(p.get("must_close", []))),
        (
            _("Function requirements"),
            "; ".join(
                f"{q['function']} ≥ {q['min_sites']}" + (" " + _("covering all") if q["cover_all"] else "")
                for q in p.get("requirements", [])
            )
            or "—",
        ),
        (
            _("Time limit (seconds)"),
            (
                num(time_limit)
                if p.get("time_limit")
                else _("%(s)s (the limit for a plan solved at once)") % {"s": num(time_limit)}
            )
            if time_limit
            else _("none"),
        ),
        (_("Gap asked for"), pct(p.get("mip_gap"), 2)),
        (_("Solution"), run.get_solve_status_display()),
        (_objective_label(run), num(r.get("objective"), 1 if run.model == "pmedian" else 0)),
        (_("Bound"), num(r.get("best_bound"), 1 if run.model == "pmedian" else 0)),
        (_("Gap"), pct(r.get("gap"), 2)),
        (_("Solve time (seconds)"), num(r.get("solve_seconds"), 3)),
        (_("Stations chosen"), len(r.get("chosen", []))),
        (_("Population covered"), num(r.get("covered_weight"))),
        (_("Population in total"), num(r.get("total_weight"))),
        (_("Share covered"), pct(r.get("covered_share"))),
        (_("Started by"), run.created_by.name if run.created_by else "—"),
        (_("Started at"), timezone.localtime(run.created_at).strftime("%Y-%m-%d %H:%M")),
    ]
    if r.get("mean_distance_m") is not None:
        rows.append((_("Mean distance to the nearest station (m)"), num(r["mean_distance_m"], 1)))
    return rows


def plan_workbook(run: PlanRun) -> bytes:
    wb = Workbook()
    bold = Font(bold=True)
    ws = wb.active
    ws.title = _("Summary")
    for label, value in summary_rows(run):
        ws.append([label, value])
        ws.cell(row=ws.max_row, column=1).font = bold
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 40

    sites = wb.create_sheet(_("Stations"))
    sites.append(
        [
            _("Id"),
            _("Name"),
            _("Kind"),
            _("Chosen"),
            _("What to do"),
            _("Fixed"),
            _("Functions"),
            _("People served"),
            _("Latitude"),
            _("Longitude"),
        ]
    )
    for cell in sites[1]:
        cell.font = bold
    for s in run.result.get("sites", []):
        sites.append(
            [
                s["id"],
                s["name"],
                _("Existing station") if s["kind"] == "station" else _("New site"),
                _("Yes") if s["chosen"] else _("No"),
                site_action(s),
                {"keep": _("Keep"), "close": _("Close")}.get(s["fixed"], ""),
                "、".join(s["functions"]),
                round(s["served"], 1),
                s["lat"],
                s["lng"],
            ]
        )
    sites.column_dimensions["B"].width = 30
    sites.column_dimensions["E"].width = 30

    demand = wb.create_sheet(_("Population"))
    demand.append(
        [
            _("Id"),
            _("Name"),
            _("Community"),
            pgettext("population", "People"),
            _("Within the walk"),
            _("Nearest chosen station"),
            _("Distance (m)"),
            _("Walk (minutes)"),
            _("Latitude"),
            _("Longitude"),
        ]
    )
    for cell in demand[1]:
        cell.font = bold
    names = {s["id"]: s["name"] for s in run.result.get("sites", [])}
    detour, speed = (
        run.params.get("detour", geo.DEFAULT_DETOUR),
        run.params.get("speed_kmh", geo.DEFAULT_SPEED_KMH),
    )
    for d in run.result.get("demand", []):
        distance = d.get("distance_m")
        demand.append(
            [
                d["id"],
                d["name"],
                d["community"],
                d["weight"],
                _("Yes") if d["covered"] else _("No"),
                names.get(d.get("site"), ""),
                distance,
                round(geo.walking_minutes(distance, detour, speed), 1) if distance is not None else None,
                d["lat"],
                d["lng"],
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

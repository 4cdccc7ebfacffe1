"""Station pages: the registry (workbench), the finder (phone), coverage and the planner."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gongzhi.core.errors import client_ip
from gongzhi.core.forms import add_service_errors, form_status, submitted

from . import maps, selectors, services
from .conf import reach_m, setting
from .forms import (
    CloseForm,
    CoverageForm,
    ExceptionForm,
    FinderForm,
    FunctionForm,
    GridForm,
    HoursForm,
    MergeForm,
    PhotoForm,
    PlanForm,
    StationFilterForm,
    StationForm,
)
from .hours import open_status, weekday_names, weekly_text
from .models import PlanModel, PlanStatus, StationStatus

# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------


@login_required
def station_list_view(request):
    request.user.access.require("stations.view")
    filters = StationFilterForm(request.GET or None, functions=selectors.function_list())
    q = function = status = ""
    if filters.is_valid():
        q, function, status = (filters.cleaned_data[k] for k in ("q", "function", "status"))
    qs = selectors.station_list(
        viewer=request.user, q=q, function=function, status=status, area_code=request.GET.get("area", "")[:15]
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    template = "stations/_rows.html" if request.headers.get("HX-Request") else "stations/list.html"
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters,
            "can_manage": request.user.access.has("stations.manage"),
            "can_merge": request.user.access.has("stations.merge"),
            "can_functions": request.user.access.has("stations.functions.manage"),
        },
    )


def _station_form(request, data=None, files=None, initial=None):
    return StationForm(
        data,
        files,
        initial=initial,
        areas=selectors.station_areas(viewer=request.user),
        functions=selectors.function_list(),
        organisations=selectors.owner_choices(viewer=request.user),
    )


def _pick_map(request, station=None) -> dict:
    home = request.user.access.home_area()
    centre = (
        (station.lat, station.lng)
        if station
        else (home.lat, home.lng)
        if home and home.lat
        else (30.411, 104.547)
    )
    cfg = maps.config(center=centre, zoom=15, pick=True)
    cfg["marker"] = list(maps.to_display(station.lat, station.lng)) if station else None
    return cfg


@login_required
def station_create_view(request):
    request.user.access.require("stations.manage")
    form = _station_form(request, request.POST or None)
    done = submitted(
        request,
        form,
        lambda d: services.station_create(
            actor=request.user,
            name=d["name"],
            area=d["area"],
            lat=d["lat"],
            lng=d["lng"],
            source_crs=d["source_crs"],
            address=d["address"],
            functions=list(d["functions"]),
            organisations=list(d["organisations"]),
            facilities=d["facilities"],
            capacity=d["capacity"],
            phone=d["phone"],
            description=d["description"],
            ip=client_ip(request),
        ),
    )
    if done:
        messages.success(
            request,
            _("%(name)s has been registered. Now set its opening hours.") % {"name": done.result.name},
        )
        return redirect("stations:hours", station_id=done.result.pk)
    return render(
        request,
        "stations/form.html",
        {"form": form, "map_config": _pick_map(request), "heading": _("Register a station")},
        status=form_status(form),
    )


@login_required
def station_detail_view(request, station_id: int):
    request.user.access.require("stations.view")
    station = selectors.station_get(viewer=request.user, pk=station_id)
    can_manage = (
        request.user.access.can("stations.manage", station.area_id) and station.status != StationStatus.MERGED
    )
    return render(
        request,
        "stations/detail.html",
        {
            "station": station,
            "status": open_status(station),
            "weekly": weekly_text(station),
            "exceptions": list(station.hours_exceptions.all()),
            "events": list(station.events.all()[:50]),
            "successor": services.successor(station) if station.status == StationStatus.MERGED else None,
            "can_manage": can_manage,
            "can_merge": request.user.access.can("stations.merge", station.area_id),
            "photo_form": PhotoForm(),
            "map_config": maps.config(center=(station.lat, station.lng), zoom=16),
            "map_layers": {"stations": [_map_station(station)]},
        },
    )


@login_required
def station_edit_view(request, station_id: int):
    request.user.access.require("stations.manage")
    station = selectors.station_get(viewer=request.user, pk=station_id)
    initial = {
        "name": station.name,
        "area": station.area,
        "address": station.address,
        "lat": station.source_lat if station.source_lat is not None else station.lat,
        "lng": station.source_lng if station.source_lng is not None else station.lng,
        "source_crs": station.source_crs,
        "functions": list(station.functions.all()),
        "organisations": list(station.organisations.all()),
        "facilities": station.facilities,
        "capacity": station.capacity,
        "phone": station.phone,
        "description": station.description,
    }
    form = _station_form(request, request.POST or None, initial=initial)

    def update(d):
        moved = any(d[k] != initial[k] for k in ("lat", "lng", "source_crs"))
        services.station_update(
            station=station,
            actor=request.user,
            ip=client_ip(request),
            name=d["name"],
            area=d["area"],
            lat=d["lat"] if moved else None,
            lng=d["lng"] if moved else None,
            source_crs=d["source_crs"] if moved else None,
            address=d["address"],
            functions=list(d["functions"]),
            organisations=list(d["organisations"]),
            facilities=d["facilities"],
            capacity=d["capacity"],
            phone=d["phone"],
            description=d["description"],
        )

    if submitted(request, form, update):
        messages.success(request, _("The station has been updated."))
        return redirect("stations:detail", station_id=station.pk)
    return render(
        request,
        "stations/form.html",
        {
            "form": form,
            "station": station,
            "map_config": _pick_map(request, station),
            "heading": _("Edit %(name)s") % {"name": station.name},
        },
        status=form_status(form),
    )


@login_required
def station_hours_view(request, station_id: int):
    request.user.access.require("stations.manage")
    station = selectors.station_get(viewer=request.user, pk=station_id)
    names = weekday_names()
    current = {
        f"day_{d}": text if text != pgettext("opening hours", "closed") else ""
        for d, (_n, text) in enumerate(weekly_text(station))
    }
    is_exception = request.method == "POST" and "date" in request.POST
    form = HoursForm(
        request.POST if request.method == "POST" and not is_exception else None,
        initial=current,
        day_names=names,
    )
    exception_form = ExceptionForm(request.POST if is_exception else None)

    def set_hours(d):
        weekly = services.parse_weekly({day: d[f"day_{day}"] for day in range(7)})
        services.station_set_hours(station=station, actor=request.user, weekly=weekly, ip=client_ip(request))

    if submitted(request, form, set_hours):
        messages.success(request, _("The opening hours have been saved."))
        return redirect("stations:detail", station_id=station.pk)
    if submitted(
        request,
        exception_form,
        lambda d: services.hours_exception_set(
            station=station,
            actor=request.user,
            day=d["date"],
            intervals=services.parse_day(d["hours"]),
            note=d["note"],
            ip=client_ip(request),
        ),
    ):
        messages.success(
            request,
            _("The hours of %(date)s have been saved.")
            % {"date": exception_form.cleaned_data["date"].isoformat()},
        )
        return redirect("stations:hours", station_id=station.pk)
    return render(
        request,
        "stations/hours.html",
        {
            "station": station,
            "form": form,
            "exception_form": exception_form,
            "exceptions": selectors.hours_exceptions(station=station),
        },
        status=form_status(form, exception_form),
    )


@login_required
@require_POST
def hours_exception_remove_view(request, station_id: int):
    request.user.access.require("stations.manage")
    station = selectors.station_get(viewer=request.user, pk=station_id)
    form = ExceptionForm({"date": request.POST.get("date", "")})
    if form.is_valid():
        services.hours_exception_remove(
            station=station, actor=request.user, day=form.cleaned_data["date"], ip=client_ip(request)
        )
        messages.success(request, _("The special hours have been removed."))
    return redirect("stations:hours", station_id=station.pk)


@login_required
@require_POST
def photo_add_view(request, station_id: int):
    request.user.access.require("stations.manage")
    station = selectors.station_get(viewer=request.user, pk=station_id)
    form = PhotoForm(request.POST, request.FILES)
    if submitted(
        request,
        form,
        lambda d: services.photo_add(
            station=station,
            actor=request.user,
            upload=d["image"],
            caption=d["caption"],
            ip=client_ip(request),
        ),
    ):
        messages.success(request, _("The photo has been added."))
        return redirect("stations:detail", station_id=station.pk)
    return render(request, "stations/photo_form.html", {"station": station, "form": form}, status=400)


@login_required
@require_POST
def photo_remove_view(request, station_id: int, photo_id: int):
    request.user.access.require("stations.manage")
    station = selectors.station_get(viewer=request.user, pk=station_id)
    photo = station.photos.filter(pk=photo_id).first()
    if photo is not None:
        services.photo_remove(photo=photo, actor=request.user, ip=client_ip(request))
        messages.success(request, _("The photo has been removed."))
    return redirect("stations:detail", station_id=station.pk)


@login_required
def station_close_view(request, station_id: int):
    request.user.access.require("stations.merge")
    station = selectors.station_get(viewer=request.user, pk=station_id)
    form = CloseForm(request.POST or None)
    if submitted(
        request,
        form,
        lambda d: services.station_close(
            station=station, actor=request.user, reason=d["reason"], ip=client_ip(request)
        ),
    ):
        messages.success(request, _("%(name)s has been closed.") % {"name": station.name})
        return redirect("stations:detail", station_id=station.pk)
    return render(
        request, "stations/close.html", {"station": station, "form": form}, status=form_status(form)
    )


@login_required
@require_POST
def station_reopen_view(request, station_id: int):
    request.user.access.require("stations.merge")
    station = selectors.station_get(viewer=request.user, pk=station_id)
    try:
        services.station_reopen(station=station, actor=request.user, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s is open again.") % {"name": station.name})
    return redirect("stations:detail", station_id=station.pk)


@login_required
def station_merge_view(request):
    request.user.access.require("stations.merge")
    queryset = selectors.merge_candidates(viewer=request.user)
    initial = {}
    if request.GET.get("into", "").isdigit():
        initial["into"] = int(request.GET["into"])
    form = MergeForm(request.POST or None, initial=initial, stations=queryset)
    done = submitted(
        request,
        form,
        lambda d: services.station_merge(
            sources=list(d["sources"]),
            into=d["into"],
            actor=request.user,
            note=d["note"],
            ip=client_ip(request),
        ),
    )
    if done:
        messages.success(
            request,
            _("%(n)d station(s) merged into %(name)s.")
            % {"n": len(form.cleaned_data["sources"]), "name": done.result.name},
        )
        return redirect("stations:detail", station_id=done.result.pk)
    return render(request, "stations/merge.html", {"form": form}, status=form_status(form))


@login_required
def function_list_view(request):
    request.user.access.require("stations.functions.manage")
    form = FunctionForm(request.POST or None)
    done = submitted(
        request,
        form,
        lambda d: services.function_create(
            actor=request.user,
            code=d["code"],
            name=d["name"],
            name_en=d["name_en"],
            description=d["description"],
            order=d["order"],
            ip=client_ip(request),
        ),
    )
    if done:
        messages.success(request, _("%(name)s has been added.") % {"name": done.result.name})
        return redirect("stations:functions")
    functions = selectors.function_list(active_only=False)
    return render(
        request, "stations/functions.html", {"form": form, "functions": functions}, status=form_status(form)
    )


@login_required
def function_edit_view(request, function_id: int):
    request.user.access.require("stations.functions.manage")
    fn = selectors.function_get(pk=function_id)
    initial = {k: getattr(fn, k) for k in ("code", "name", "name_en", "description", "order", "is_active")}
    form = FunctionForm(request.POST or None, initial=initial)
    form.fields["code"].disabled = True
    if submitted(
        request,
        form,
        lambda d: services.function_update(
            function=fn,
            actor=request.user,
            name=d["name"],
            name_en=d["name_en"],
            description=d["description"],
            order=d["order"],
            is_active=d["is_active"],
            ip=client_ip(request),
        ),
    ):
        messages.success(request, _("%(name)s has been saved.") % {"name": fn.name})
        return redirect("stations:functions")
    return render(
        request, "stations/function_form.html", {"form": form, "function": fn}, status=form_status(form)
    )


# --------------------------------------------------------------------------------------------
# Finder
# --------------------------------------------------------------------------------------------


def _map_station(station, extra: dict | None = None) -> dict:
    lat, lng = maps.to_display(station.lat, station.lng)
    return {"lat": lat, "lng": lng, "name": station.name, **(extra or {})}


@login_required
def finder_view(request):
    request.user.access.require("stations.find")
    data = request.GET.copy() if request.GET else None
    home = request.user.access.home_area()
    person_area = getattr(getattr(request.user, "person", None), "area", None)
    default_community = person_area or (home if home is not None and home.level == "village" else None)
    communities = selectors.finder_communities(near=person_area or home)
    initial = {"community": default_community, "minutes": int(setting("WALK_MINUTES"))}
    form = FinderForm(data, initial=initial, communities=communities, functions=selectors.function_list())
    results = origin = None
    origin_label = ""
    minutes = int(setting("WALK_MINUTES"))
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        minutes = d["minutes"] or minutes
        if d["lat"] is not None and d["lng"] is not None:
            origin = (d["lat"], d["lng"])
            origin_label = _("your location")
        else:
            origin = (d["community"].lat, d["community"].lng)
            origin_label = d["community"].name
        try:
            results = selectors.stations_near(
                viewer=request.user,
                lat=origin[0],
                lng=origin[1],
                minutes=minutes,
                function=d["function"],
                facility=d["facility"],
                open_now=d["open_now"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            results = None
    context = {
        "form": form,
        "results": results,
        "origin_label": origin_label,
        "minutes": minutes,
        "radius_m": reach_m(minutes),
        "detour": setting("DETOUR"),
        "speed": setting("SPEED_KMH"),
    }
    if results is not None and origin is not None:
        context["map_config"] = maps.config(center=origin, zoom=15)
        context["map_layers"] = {
            "origin": list(maps.to_display(*origin)),
            "radius": reach_m(minutes),
            "stations": [
                _map_station(
                    n.station,
                    {"url": f"{n.station.pk}/", "open": n.status.is_open, "minutes": round(n.walk_minutes)},
                )
                for n in results
            ],
        }
    return render(request, "stations/finder.html", context, status=form_status(form))


@login_required
def finder_detail_view(request, station_id: int):
    successor = selectors.merged_successor(viewer=request.user, pk=station_id)
    if successor is not None:
        messages.info(
            request,
            _("That station has merged into %(name)s; its services are here now.") % {"name": successor.name},
        )
        return redirect("stations:public_detail", station_id=successor.pk)
    station = selectors.station_public_get(viewer=request.user, pk=station_id)
    return render(
        request,
        "stations/public_detail.html",
        {
            "station": station,
            "status": open_status(station),
            "weekly": weekly_text(station),
            "exceptions": list(station.hours_exceptions.all()),
            "map_config": maps.config(center=(station.lat, station.lng), zoom=16),
            "map_layers": {"stations": [_map_station(station)]},
        },
    )


# --------------------------------------------------------------------------------------------
# Coverage and population grids
# --------------------------------------------------------------------------------------------


@login_required
def coverage_view(request):
    request.user.access.require("stations.coverage")
    areas = selectors.analysis_areas(viewer=request.user, permission="stations.coverage")
    home = request.user.access.home_area()
    initial = {
        "area": areas.filter(code=home.code).first() if home else None,
        "minutes": int(setting("WALK_MINUTES")),
    }
    if initial["area"] is None:
        initial["area"] = areas.first()
    form = CoverageForm(
        request.GET or None, initial=initial, areas=areas, grids=selectors.grid_list(viewer=request.user)
    )
    report = None
    if form.is_bound:
        if form.is_valid():
            d = form.cleaned_data
            report = selectors.coverage(
                viewer=request.user, area=d["area"], grid=d["grid"], minutes=d["minutes"]
            )
    elif initial["area"] is not None:
        report = selectors.coverage(viewer=request.user, area=initial["area"])
    context = {"form": form, "report": report}
    if report is not None:
        context["chart"] = {
            "towns": [t.name for t in report.groups],
            "townShares": [round(t.share * 100, 1) for t in report.groups],
            "functions": report.functions,
            "functionShares": [round(report.function_share(f) * 100, 1) for f in report.functions],
            "townsLabel": _("Share of people within the walk, by community (%)")
            if report.by_community
            else _("Share of people within the walk, by town (%)"),
            "functionsLabel": _("Share of people within the walk of a station offering each function (%)"),
        }
        centre = (report.area.lat, report.area.lng) if report.area.lat else None
        if centre is None and report.points:
            centre = (report.points[0]["lat"], report.points[0]["lng"])
        context["map_config"] = maps.config(center=centre, zoom=12 if report.area.level == "town" else 10)
        context["map_layers"] = {
            "points": [
                {**p, **dict(zip(("lat", "lng"), maps.to_display(p["lat"], p["lng"]), strict=True))}
                for p in report.points
            ],
            "stations": [
                {"lat": la, "lng": ln, "name": s.name}
                for s in report.sites
                for la, ln in [maps.to_display(s.lat, s.lng)]
            ],
            "radius": report.radius_m,
        }
    return render(request, "stations/coverage.html", context, status=form_status(form))


@login_required
def grid_list_view(request):
    request.user.access.require("stations.coverage")
    areas = selectors.analysis_areas(viewer=request.user, permission="stations.coverage")
    form = GridForm(request.POST or None, request.FILES or None, areas=areas)
    done = submitted(
        request,
        form,
        lambda d: services.population_grid_import(
            actor=request.user, area=d["area"], name=d["name"], upload=d["file"], ip=client_ip(request)
        ),
    )
    if done:
        messages.success(
            request,
            _("%(name)s: %(n)d population points imported.")
            % {"name": done.result.name, "n": done.result.point_count},
        )
        return redirect("stations:grids")
    return render(
        request,
        "stations/grids.html",
        {"form": form, "grids": selectors.grid_list(viewer=request.user)},
        status=form_status(form),
    )


@login_required
@require_POST
def grid_delete_view(request, grid_id: int):
    request.user.access.require("stations.coverage")
    grid = selectors.grid_get(viewer=request.user, pk=grid_id)
    services.population_grid_delete(grid=grid, actor=request.user, ip=client_ip(request))
    messages.success(request, _("%(name)s has been deleted.") % {"name": grid.name})
    return redirect("stations:grids")


# --------------------------------------------------------------------------------------------
# Planner
# --------------------------------------------------------------------------------------------


@login_required
def plan_list_view(request):
    request.user.access.require("stations.plan")
    areas = selectors.analysis_areas(viewer=request.user, permission="stations.plan")
    page = Paginator(selectors.plan_run_list(viewer=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "stations/plans.html", {"page": page, "areas": areas})


@login_required
def plan_create_view(request):
    request.user.access.require("stations.plan")
    code = (request.POST.get("area") or request.GET.get("area") or "")[:15]
    areas = selectors.analysis_areas(viewer=request.user, permission="stations.plan")
    area = areas.filter(code=code).first() if code else None
    if area is None:
        home = request.user.access.home_area()
        area = (areas.filter(code=home.code).first() if home else None) or areas.first()
    if area is None:
        raise PermissionDenied
    stations = selectors.plan_stations(viewer=request.user, area=area).select_related("area")
    form = PlanForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "p": min(stations.count(), 73) or None,
            "include_existing": True,
            "minutes": int(setting("WALK_MINUTES")),
            "gap_percent": 0,
        },
        stations=stations,
        grids=selectors.grid_list(viewer=request.user),
        functions=selectors.function_list(),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            run = services.plan_run_start(
                actor=request.user,
                area=area,
                model=d["model"],
                p=d["p"] if d["model"] != PlanModel.LSCP else None,
                minutes=d["minutes"],
                grid=d["grid"],
                candidate_file=d["candidate_file"],
                include_existing=d["include_existing"],
                must_keep=[s.pk for s in d["must_keep"]],
                must_close=[s.pk for s in d["must_close"]],
                requirements=form.requirements(),
                time_limit=d["time_limit"],
                mip_gap=(d["gap_percent"] or 0) / 100,
                title=d["title"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            _plan_errors(form, exc)
        else:
            if run.status == PlanStatus.DONE:
                messages.success(request, _("The plan is ready."))
            else:
                messages.success(
                    request, _("The run is large, so it was queued; this page follows its progress.")
                )
            return redirect("stations:plan_detail", run_id=run.pk)
    return render(
        request,
        "stations/plan_form.html",
        {"form": form, "area": area, "areas": areas, "station_count": stations.count()},
        status=form_status(form),
    )


def _plan_errors(form, exc: ValidationError) -> None:
    """Service fields onto the form; requirement errors beside the requirement fields' fieldset."""
    mapping = {"mip_gap": "gap_percent", "requirements": None, "area": None}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = mapping.get(field, field)
            if target is not None and target not in form.fields:
                target = None
            for e in errors:
                for message in e.messages:
                    form.add_error(target, message)
    else:
        add_service_errors(form, exc)


def _plan_context(run) -> dict:
    result = run.result or {}
    sites = result.get("sites", [])
    from .exports import site_action, summary_rows

    for s in sites:
        s["action"] = site_action(s)
    context = {
        "run": run,
        "sites": sites,
        "summary": summary_rows(run, display=True) if run.status == PlanStatus.DONE else [],
    }
    if run.status == PlanStatus.DONE:
        centre = (
            (run.area.lat, run.area.lng)
            if run.area.lat
            else (sites[0]["lat"], sites[0]["lng"])
            if sites
            else None
        )
        context["map_config"] = maps.config(center=centre, zoom=12 if run.area.level == "town" else 10)
        context["map_layers"] = {
            "sites": [
                {
                    **dict(zip(("lat", "lng"), maps.to_display(s["lat"], s["lng"]), strict=True)),
                    "name": s["name"],
                    "chosen": s["chosen"],
                    "kind": s["kind"],
                }
                for s in sites
            ],
            "points": [
                {
                    **dict(zip(("lat", "lng"), maps.to_display(d["lat"], d["lng"]), strict=True)),
                    "name": d["name"],
                    "weight": d["weight"],
                    "covered": d["covered"],
                }
                for d in result.get("demand", [])[:3000]
            ],
            "radius": run.params.get("radius_m"),
        }
    return context


@login_required
def plan_detail_view(request, run_id: int):
    request.user.access.require("stations.plan")
    run = selectors.plan_run_get(viewer=request.user, pk=run_id)
    return render(request, "stations/plan_detail.html", _plan_context(run))


@login_required
def plan_progress_view(request, run_id: int):
    """The htmx fragment polled while a run is queued or running; reloads the page when done."""
    request.user.access.require("stations.plan")
    run = selectors.plan_run_list(viewer=request.user).filter(pk=run_id).first()
    if run is None:
        from django.http import Http404

        raise Http404
    response = render(request, "stations/_plan_progress.html", {"run": run})
    if run.finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
def plan_export_view(request, run_id: int):
    request.user.access.require("stations.plan")
    run = selectors.plan_run_get(viewer=request.user, pk=run_id)
    if run.status != PlanStatus.DONE:
        messages.error(request, _("The plan is not ready yet."))
        return redirect("stations:plan_detail", run_id=run.pk)
    from gongzhi.audit.services import audit_record

    from .exports import plan_workbook

    content = plan_workbook(run)
    audit_record(actor=request.user, action="stations.plan_export", obj=run, ip=client_ip(request))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="plan-{run.pk}.xlsx"'
    return response

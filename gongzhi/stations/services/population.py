"""Population grids imported from CSV (``id,lat,lng,weight``)."""

from __future__ import annotations

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from scipy.spatial import cKDTree

from gongzhi.areas.models import Area, Level, subtree_q
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import invalid
from gongzhi.lib import geo, planning

from ..conf import setting
from ..csv_errors import planning_input_message
from ..models import PopulationGrid, PopulationPoint


def nearest_communities(area: Area, lats, lngs) -> tuple[list[str], np.ndarray]:
    """For each point, the code of the community under ``area`` whose centre is nearest, and the
    distance to it in metres. Raises a ValidationError if the area has no located community."""
    communities = list(
        Area.objects.filter(
            subtree_q("code", area.prefix), level=Level.VILLAGE, lat__isnull=False, lng__isnull=False
        )
        .order_by("code")
        .values_list("code", "lat", "lng")
    )
    if area.level == Level.VILLAGE and area.lat is not None and not communities:
        communities = [(area.code, area.lat, area.lng)]
    if not communities:
        raise invalid(
            {
                "area": [
                    _("%(area)s has no community with a location to count people in.") % {"area": area.name}
                ]
            },
            "stations.area_no_communities",
        )
    codes = [c[0] for c in communities]
    c_lat = np.array([c[1] for c in communities], dtype=np.float64)
    c_lng = np.array([c[2] for c in communities], dtype=np.float64)
    lat = np.asarray(lats, dtype=np.float64)
    lng = np.asarray(lngs, dtype=np.float64)
    if lat.size == 0:
        return [], np.zeros(0)
    _dist, idx = cKDTree(geo.sphere_xyz(c_lat, c_lng)).query(geo.sphere_xyz(lat, lng), k=1)
    idx = np.asarray(idx, dtype=np.int64)
    dist = geo.haversine_m_array(lat, lng, c_lat[idx], c_lng[idx])
    return [codes[i] for i in idx], dist


@transaction.atomic
def population_grid_import(*, actor, area: Area, name: str, upload, ip: str | None = None) -> PopulationGrid:
    """Import a population grid for ``area``: every row is checked, all or nothing. Each point is
    counted in the community whose centre is nearest; a point far from every community of the
    area is refused (it belongs to another area, or its coordinates are wrong)."""
    if actor is not None and not actor.access.can("stations.coverage", area.code):
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise invalid({"name": [_("Give the grid a name.")]}, "stations.grid_name")
    if area.level == Level.GRID:
        raise invalid({"area": [_("Choose a community, town or city.")]}, "stations.grid_area")
    try:
        points = planning.load_demand_csv(upload)
    except planning.PlanningInputError as exc:
        raise invalid({"file": [planning_input_message(str(exc))]}, "stations.grid_csv") from None
    long_id = next((p for p in points if len(p.id) > 64), None)
    if long_id is not None:
        raise invalid(
            {"file": [_("The id %(id)s is too long: at most 64 characters.") % {"id": long_id.id[:80]}]},
            "stations.grid_id",
        )
    limit = int(setting("GRID_MAX_ROWS"))
    if len(points) > limit:
        raise invalid(
            {
                "file": [
                    _("The file has %(n)d rows; at most %(limit)d are imported at once.")
                    % {"n": len(points), "limit": limit}
                ]
            },
            "stations.grid_too_large",
        )
    codes, dist = nearest_communities(area, [p.lat for p in points], [p.lng for p in points])
    max_m = float(setting("MAX_KM_FROM_AREA")) * 1000
    far = np.flatnonzero(dist > max_m)
    if far.size:
        p = points[int(far[0])]
        raise invalid(
            {
                "file": [
                    _(
                        "The point with id %(id)s is %(km).0f km from the nearest community of %(area)s: it is outside the area, or its coordinates are wrong."
                    )
                    % {"id": p.id, "km": dist[int(far[0])] / 1000, "area": area.name}
                ]
            },
            "stations.grid_outside_area",
        )
    grid = PopulationGrid.objects.create(
        name=name[:100],
        area=area,
        source_name=str(getattr(upload, "name", "") or "")[:200],
        point_count=len(points),
        total_weight=float(sum(p.weight for p in points)),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    PopulationPoint.objects.bulk_create(
        (
            PopulationPoint(
                grid=grid, ext_id=p.id, lat=p.lat, lng=p.lng, weight=p.weight, community_code=code
            )
            for p, code in zip(points, codes, strict=True)
        ),
        batch_size=2000,
    )
    audit_record(
        actor=actor,
        action="stations.grid_import",
        obj=grid,
        ip=ip,
        changes={"points": len(points), "total_weight": grid.total_weight, "file": grid.source_name},
    )
    return grid


@transaction.atomic
def population_grid_delete(*, grid: PopulationGrid, actor, ip: str | None = None) -> None:
    if actor is not None and not actor.access.can("stations.coverage", grid.area_id):
        raise PermissionDenied
    audit_record(actor=actor, action="stations.grid_delete", obj=grid, ip=ip, changes={"name": grid.name})
    grid.delete()

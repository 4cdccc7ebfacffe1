"""The 15-minute life circle in figures: who is within a walk of a station, by town and function.

Population points are community centres weighted by registered residents (``Area.population``)
or the points of an imported grid. A point is covered when a station lies within the walking
reach: straight-line distance × detour ÷ walking speed ≤ the minutes asked (gongzhi.lib.geo,
gongzhi.lib.planning.coverage). Stations count wherever they are, also across a town's border:
residents walk to the nearest one, whoever runs it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Prefetch
from scipy.spatial import cKDTree

from gongzhi.areas.models import Area, Level, subtree_q
from gongzhi.lib import geo, planning

from .conf import reach_m, setting, walking_minutes
from .models import PopulationGrid, Station, StationFunction

# The map draws at most this many population points (grids can hold 100,000).
MAP_MAX_POINTS = 3000


@dataclass(frozen=True, slots=True)
class DemandRow:
    id: str
    name: str
    lat: float
    lng: float
    weight: float
    community_code: str


@dataclass(frozen=True, slots=True)
class SiteRow:
    id: str
    name: str
    lat: float
    lng: float
    functions: frozenset[str]
    station_id: int | None = None


def town_code(code: str) -> str:
    return code[:9] + "000"


def communities_under(area: Area):
    qs = Area.objects.filter(subtree_q("code", area.prefix), level=Level.VILLAGE)
    if area.level == Level.VILLAGE:
        qs = Area.objects.filter(code=area.code)
    return qs.order_by("code")


def demand_from_communities(area: Area) -> tuple[list[DemandRow], list[Area]]:
    """Community centres weighted by registered residents, and the communities left out for
    want of a location."""
    rows, missing = [], []
    for c in communities_under(area):
        if c.lat is None or c.lng is None:
            missing.append(c)
            continue
        rows.append(DemandRow(c.code, c.name, c.lat, c.lng, float(c.population), c.code))
    return rows, missing


def demand_from_grid(grid: PopulationGrid, area: Area) -> list[DemandRow]:
    """The grid's points that fall in ``area`` (by the community they were counted in)."""
    if area.level == Level.VILLAGE:
        qs = grid.points.filter(community_code=area.code)
    else:
        qs = grid.points.filter(subtree_q("community_code", area.prefix))
    return [
        DemandRow(ext_id, ext_id, lat, lng, weight, community)
        for ext_id, lat, lng, weight, community in qs.order_by("id").values_list(
            "ext_id", "lat", "lng", "weight", "community_code"
        )
    ]


def bbox(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lng_min, lng_max) of a spherical cap, padded against rounding: the
    latitude extent is exact, the longitude extent is the cap's widest (Veness, "Finding
    points within a distance of a latitude/longitude")."""
    delta = (radius_m * 1.001 + 0.01) / geo.EARTH_RADIUS_M
    d_lat = math.degrees(delta)
    cos_lat = math.cos(math.radians(lat))
    if math.sin(delta) >= cos_lat:
        return lat - d_lat, lat + d_lat, -180.0, 180.0
    d_lng = math.degrees(math.asin(math.sin(delta) / cos_lat))
    return lat - d_lat, lat + d_lat, lng - d_lng, lng + d_lng


def active_sites(demand: Sequence[DemandRow], radius_m: float) -> list[SiteRow]:
    """Active stations that can reach any of ``demand``: those in its bounding box ± the radius."""
    if not demand:
        return []
    lats = [d.lat for d in demand]
    lngs = [d.lng for d in demand]
    south = bbox(min(lats), 0.0, radius_m)
    north = bbox(max(lats), 0.0, radius_m)
    d_lng = max(south[3], north[3])  # the cap is widest nearest the pole
    qs = (
        Station.objects.findable()
        .filter(lat__gte=south[0], lat__lte=north[1], lng__gte=min(lngs) - d_lng, lng__lte=max(lngs) + d_lng)
        .prefetch_related(Prefetch("functions", queryset=StationFunction.objects.only("name")))
        .order_by("id")
    )
    return [
        SiteRow(f"S{s.pk}", s.name, s.lat, s.lng, frozenset(f.name for f in s.functions.all()), s.pk)
        for s in qs
    ]


@dataclass
class GroupRow:
    code: str
    name: str
    population: float
    covered: float
    by_function: dict[str, float] = field(default_factory=dict)  # function → covered population

    @property
    def share(self) -> float:
        return self.covered / self.population if self.population > 0 else 0.0

    def function_share(self, name: str) -> float:
        return self.by_function.get(name, 0.0) / self.population if self.population > 0 else 0.0


@dataclass
class UncoveredRow:
    code: str
    name: str
    town: str
    population: float
    uncovered: float
    nearest_name: str
    nearest_m: float

    @property
    def nearest_minutes(self) -> float:
        return walking_minutes(self.nearest_m) if math.isfinite(self.nearest_m) else math.inf


@dataclass
class CoverageReport:
    area: Area
    source: str  # "communities" or the grid's name
    minutes: float
    radius_m: float
    detour: float
    speed_kmh: float
    total: float
    covered: float
    functions: list[str]
    function_covered: dict[str, float]
    function_sites: dict[str, int]
    towns: list[GroupRow]
    communities: list[GroupRow]
    uncovered: list[UncoveredRow]
    points: list[dict]
    sites: list[SiteRow]
    missing_location: list[Area]
    n_points: int

    @property
    def share(self) -> float:
        return self.covered / self.total if self.total > 0 else 0.0

    def function_share(self, name: str) -> float:
        return self.function_covered.get(name, 0.0) / self.total if self.total > 0 else 0.0

    @property
    def by_community(self) -> bool:
        """A town (or community) is read community by community; anything larger, town by town."""
        return self.area.level in (Level.TOWN, Level.VILLAGE)

    @property
    def groups(self) -> list[GroupRow]:
        return self.communities if self.by_community else self.towns


def coverage_report(
    *, area: Area, grid: PopulationGrid | None = None, minutes: float | None = None
) -> CoverageReport:
    """Who in ``area`` lives within ``minutes`` (default: the life-circle minutes) of a station."""
    minutes = float(setting("WALK_MINUTES") if minutes is None else minutes)
    radius = reach_m(minutes)
    missing: list[Area] = []
    if grid is None:
        demand, missing = demand_from_communities(area)
        source = "communities"
    else:
        demand = demand_from_grid(grid, area)
        source = grid.name
    sites = active_sites(demand, radius)
    functions = list(StationFunction.objects.filter(is_active=True).values_list("name", flat=True))
    weights = np.array([d.weight for d in demand], dtype=np.float64)

    points = [planning.DemandPoint(d.id, d.lat, d.lng, d.weight) for d in demand]
    base = planning.coverage(points, sites, radius) if points else None
    covered = base.covered if base is not None else np.zeros(0, dtype=bool)
    nearest_m = base.nearest_m if base is not None else np.zeros(0)
    by_function: dict[str, np.ndarray] = {}
    function_sites: dict[str, int] = {}
    for name in functions:
        offering = [s for s in sites if name in s.functions]
        function_sites[name] = len(offering)
        by_function[name] = (
            planning.coverage(points, offering, radius).covered
            if points and offering
            else np.zeros(len(points), bool)
        )

    # Names of towns and communities for the rows.
    codes = {d.community_code for d in demand} | {town_code(d.community_code) for d in demand}
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))

    towns: dict[str, GroupRow] = {}
    communities: dict[str, GroupRow] = {}
    for i, d in enumerate(demand):
        t = town_code(d.community_code)
        for key, table in ((t, towns), (d.community_code, communities)):
            row = table.get(key)
            if row is None:
                row = table[key] = GroupRow(key, names.get(key, key), 0.0, 0.0)
            row.population += d.weight
            if covered[i]:
                row.covered += d.weight
            for name in functions:
                if by_function[name][i]:
                    row.by_function[name] = row.by_function.get(name, 0.0) + d.weight

    uncovered = _uncovered_rows(demand, covered, nearest_m, sites, communities, names)
    return CoverageReport(
        area=area,
        source=source,
        minutes=minutes,
        radius_m=radius,
        detour=float(setting("DETOUR")),
        speed_kmh=float(setting("SPEED_KMH")),
        total=float(weights.sum()),
        covered=float(weights[covered].sum()) if len(demand) else 0.0,
        functions=functions,
        function_covered={n: float(weights[by_function[n]].sum()) for n in functions},
        function_sites=function_sites,
        towns=sorted(towns.values(), key=lambda r: r.code),
        communities=sorted(communities.values(), key=lambda r: r.code),
        uncovered=uncovered,
        points=_map_points(demand, covered),
        sites=sites,
        missing_location=missing,
        n_points=len(demand),
    )


def _uncovered_rows(demand, covered, nearest_m, sites, communities, names) -> list[UncoveredRow]:
    """Communities with people outside the walk, most people first, with the nearest station."""
    uncovered_weight: dict[str, float] = defaultdict(float)
    nearest: dict[str, tuple[float, int]] = {}
    for i, d in enumerate(demand):
        if covered[i]:
            continue
        uncovered_weight[d.community_code] += d.weight
        best = nearest.get(d.community_code)
        if best is None or nearest_m[i] < best[0]:
            nearest[d.community_code] = (float(nearest_m[i]), i)
    site_name = {}
    if sites and nearest:
        idx = [i for _, i in nearest.values()]
        tree = cKDTree(geo.sphere_xyz([s.lat for s in sites], [s.lng for s in sites]))
        _, nn = tree.query(geo.sphere_xyz([demand[i].lat for i in idx], [demand[i].lng for i in idx]), k=1)
        site_name = {i: sites[int(j)].name for i, j in zip(idx, np.atleast_1d(nn), strict=True)}
    rows = []
    for code, weight in uncovered_weight.items():
        community = communities[code]
        distance, i = nearest[code]
        rows.append(
            UncoveredRow(
                code=code,
                name=community.name,
                town=names.get(town_code(code), ""),
                population=community.population,
                uncovered=weight,
                nearest_name=site_name.get(i, ""),
                nearest_m=distance,
            )
        )
    rows.sort(key=lambda r: (-r.uncovered, r.code))
    return rows


def _map_points(demand: Sequence[DemandRow], covered) -> list[dict]:
    order = sorted(range(len(demand)), key=lambda i: (bool(covered[i]), -demand[i].weight))
    return [
        {
            "lat": round(demand[i].lat, 6),
            "lng": round(demand[i].lng, 6),
            "name": demand[i].name,
            "weight": demand[i].weight,
            "covered": bool(covered[i]),
        }
        for i in order[:MAP_MAX_POINTS]
    ]

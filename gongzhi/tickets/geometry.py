"""Is a point inside an area? Pure Python: GeoJSON point-in-polygon and a centroid radius."""

from __future__ import annotations

from collections.abc import Sequence

from gongzhi.lib.geo import haversine_m


def _in_ring(lat: float, lng: float, ring: Sequence[Sequence[float]]) -> bool:
    # Ray casting on GeoJSON [lng, lat] pairs; the ring may or may not repeat its first point.
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i][0], ring[i][1]
        x2, y2 = ring[(i + 1) % n][0], ring[(i + 1) % n][1]
        if (y1 > lat) != (y2 > lat):
            x_cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lng < x_cross:
                inside = not inside
    return inside


def _in_polygon(lat: float, lng: float, polygon: Sequence) -> bool:
    if not polygon or not _in_ring(lat, lng, polygon[0]):
        return False
    return not any(_in_ring(lat, lng, hole) for hole in polygon[1:])


def in_geojson(lat: float, lng: float, geometry: dict) -> bool:
    """Point in a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection."""
    kind = geometry.get("type")
    if kind == "Feature":
        return in_geojson(lat, lng, geometry.get("geometry") or {})
    if kind == "FeatureCollection":
        return any(in_geojson(lat, lng, f) for f in geometry.get("features", []))
    if kind == "Polygon":
        return _in_polygon(lat, lng, geometry.get("coordinates", []))
    if kind == "MultiPolygon":
        return any(_in_polygon(lat, lng, p) for p in geometry.get("coordinates", []))
    return False


def within_area(
    lat: float, lng: float, *, boundary: dict | None, centre: tuple[float, float] | None, radius_m: float
) -> bool:
    """Inside the boundary when there is one; else within ``radius_m`` of the centre; else unknown → True."""
    if boundary:
        return in_geojson(lat, lng, boundary)
    if centre is None or centre[0] is None or centre[1] is None:
        return True
    return haversine_m(lat, lng, centre[0], centre[1]) <= radius_m

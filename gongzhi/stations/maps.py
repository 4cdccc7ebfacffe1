"""What the Leaflet pages need: the tile provider of ``settings.MAP_TILE_PROVIDER`` and points in
the coordinates that provider draws in (高德 tiles are GCJ-02: WGS-84 points are shifted for
display only; 天地图 is CGCS2000, the same as WGS-84 to a metre; OpenStreetMap is WGS-84)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from gongzhi.lib import geo

from .conf import setting

PROVIDERS = {
    "osm": {
        "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "subdomains": "",
        "attribution": "© OpenStreetMap",
        "crs": "wgs84",
        "max_zoom": 19,
    },
    "tianditu": {
        "url": "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec"
        "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}",
        "labels": "https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=cva"
        "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}",
        "subdomains": "012",
        "attribution": "© 天地图",
        "crs": "wgs84",
        "max_zoom": 18,
    },
    "amap": {
        "url": "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        "subdomains": "12",
        "attribution": "© 高德地图",
        "crs": "gcj02",
        "max_zoom": 18,
    },
}


def provider() -> dict:
    name = getattr(settings, "MAP_TILE_PROVIDER", "osm")
    conf = dict(PROVIDERS.get(name, PROVIDERS["osm"]))
    key = str(setting("TIANDITU_KEY"))
    for field in ("url", "labels"):
        if field in conf:
            conf[field] = conf[field].replace("{tk}", key)
    conf["name"] = name if name in PROVIDERS else "osm"
    return conf


def to_display(lat: float, lng: float) -> tuple[float, float]:
    """A stored WGS-84 point in the map's coordinates, rounded to ~0.1 m."""
    if provider()["crs"] == "gcj02":
        lat, lng = geo.wgs84_to_gcj02(lat, lng)
    return round(lat, 6), round(lng, 6)


def config(*, center: tuple[float, float] | None = None, zoom: int = 14, pick: bool = False) -> dict:
    """The map's settings for map.js (read from a JSON data block: no inline script)."""
    conf = provider()
    return {
        "tiles": conf["url"],
        "labels": conf.get("labels", ""),
        "subdomains": conf["subdomains"],
        "attribution": conf["attribution"],
        "crs": conf["crs"],
        "maxZoom": conf["max_zoom"],
        "center": list(to_display(*center)) if center else None,
        "zoom": zoom,
        "pick": pick,
        "text": {
            "you": _("You are here"),
            "covered": _("Within the walk"),
            "uncovered": _("Outside the walk"),
            "chosen": _("Chosen"),
            "notChosen": _("Not chosen"),
            "newSite": _("New site"),
            "picked": _("Location picked from the map"),
        },
    }

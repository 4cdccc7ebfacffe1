"""The stations app's settings: defaults here, overridden by ``settings.GONGZHI_STATIONS`` or the
environment (``GONGZHI_STATIONS_<NAME>``), read at call time so tests can override them."""

from __future__ import annotations

import os

from django.conf import settings

DEFAULTS: dict[str, int | float | str] = {
    # The 15-minute community life circle (15分钟社区幸福生活圈).
    "WALK_MINUTES": 15,
    # Walking reach = straight-line distance × detour ÷ speed (ARCHITECTURE decision 6): the
    # street network is about 1.3 times the straight line in Chinese towns; 4.5 km/h is an
    # unhurried adult pace (slower for the elderly: lower it where they are the users).
    "DETOUR": 1.3,
    "SPEED_KMH": 4.5,
    # The finder never looks further than this, whatever walking time is asked for.
    "FINDER_MAX_MINUTES": 60,
    # Where stations are timed: "open now" is wall-clock time in China.
    "TIME_ZONE": "Asia/Shanghai",
    # A station's location must lie this close to its area's centre; further means a typo, a
    # swapped latitude and longitude, or the wrong coordinate system.
    "MAX_KM_FROM_AREA": 20,
    # Photos: at most this large when uploaded; shrunk to this many pixels on the long side
    # and re-encoded without EXIF (which can carry the GPS position and the phone's serial).
    "PHOTO_MAX_BYTES": 10 * 1024 * 1024,
    "PHOTO_MAX_PIXELS": 1600,
    "PHOTOS_PER_STATION": 12,
    # Planner runs with at most this many demand × candidate pairs are solved during the
    # request; larger ones go to a background task (`gongzhi worker`).
    "PLAN_INLINE_MAX_PAIRS": 400_000,
    # Time limits (seconds) for a run solved in the request, and the most a run may ask for.
    "PLAN_INLINE_TIME_LIMIT": 20,
    "PLAN_MAX_TIME_LIMIT": 3600,
    # Population grid imports: the most rows one CSV may hold.
    "GRID_MAX_ROWS": 200_000,
    # 天地图 needs a key (tk) from https://console.tianditu.gov.cn when MAP_TILE_PROVIDER=tianditu.
    "TIANDITU_KEY": "",
}


def setting(name: str):
    default = DEFAULTS[name]
    overrides = getattr(settings, "GONGZHI_STATIONS", {}) or {}
    if name in overrides:
        return overrides[name]
    env = os.environ.get(f"GONGZHI_STATIONS_{name}")
    if env is not None:
        return type(default)(env)
    return default


def walk_params() -> tuple[float, float]:
    """(detour factor, walking speed in km/h)."""
    return float(setting("DETOUR")), float(setting("SPEED_KMH"))


def reach_m(minutes: float | None = None) -> float:
    """Straight-line metres walkable in ``minutes`` (default: the life-circle minutes)."""
    from gongzhi.lib import geo

    detour, speed = walk_params()
    return geo.reach_m(float(setting("WALK_MINUTES") if minutes is None else minutes), detour, speed)


def walking_minutes(distance_m: float) -> float:
    from gongzhi.lib import geo

    detour, speed = walk_params()
    return float(geo.walking_minutes(distance_m, detour, speed))

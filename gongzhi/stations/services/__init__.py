"""Every write of the stations app (a package by sub-topic, STYLE habit 10)."""

from .hours import (
    clean_photo,
    hours_exception_remove,
    hours_exception_set,
    parse_day,
    parse_weekly,
    photo_add,
    photo_remove,
    station_set_hours,
)
from .plans import Requirement, plan_run_execute, plan_run_start, solve_run
from .population import population_grid_delete, population_grid_import
from .registry import (
    function_create,
    function_update,
    locate,
    station_close,
    station_create,
    station_merge,
    station_reopen,
    station_update,
    successor,
)

__all__ = [
    "Requirement",
    "clean_photo",
    "function_create",
    "function_update",
    "hours_exception_remove",
    "hours_exception_set",
    "locate",
    "parse_day",
    "parse_weekly",
    "photo_add",
    "photo_remove",
    "plan_run_execute",
    "plan_run_start",
    "population_grid_delete",
    "population_grid_import",
    "solve_run",
    "station_close",
    "station_create",
    "station_merge",
    "station_reopen",
    "station_set_hours",
    "station_update",
    "successor",
]

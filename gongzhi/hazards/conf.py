"""Rectification deadlines by risk level, overridable from Django settings.

``GONGZHI_HAZARD_DEADLINE_DAYS = {"general": 7, "larger": 15, "major": 30}``: a general hazard is
put right within a week; a larger one within a fortnight; a major one gets a month for a
rectification plan and works (with interim controls), as county safety offices commonly set them.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

DEFAULT_DEADLINE_DAYS = {"general": 7, "larger": 15, "major": 30}


def deadline_days(risk_level: str) -> float:
    days = {**DEFAULT_DEADLINE_DAYS, **getattr(settings, "GONGZHI_HAZARD_DEADLINE_DAYS", {})}
    return float(days.get(risk_level, days["general"]))


def deadline(risk_level: str) -> timedelta:
    return timedelta(days=deadline_days(risk_level))


TEXT_MAX = 1000  # characters a report may say; the first 60 are its title

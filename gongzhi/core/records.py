"""Facts one app adds to a record page another app owns, e.g. the consumer complaints counted
against a caring merchant on the points app's merchant page.

The owning app sits lower in the layers and may not import the app that knows the facts, so the
latter registers a source here in its AppConfig.ready() and the page asks ``facts_for(...)``: an
explicit call, like the reward hook (STYLE habit 5), not a signal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    code: str  # stable, e.g. "complaints.counted"
    label: str  # translated
    value: int | str
    url: str = ""  # where the viewer can read more, if anywhere


FactSource = Callable[..., list[Fact]]  # source(obj, *, viewer) -> facts

_SOURCES: dict[str, dict[str, FactSource]] = {}


def register_facts(subject: str, name: str, source: FactSource) -> None:
    """Add (or replace) the source ``name`` of facts about ``subject`` (e.g. "points.merchant")."""
    _SOURCES.setdefault(subject, {})[name] = source


def facts_for(subject: str, obj, *, viewer) -> list[Fact]:
    facts: list[Fact] = []
    for _name, source in sorted(_SOURCES.get(subject, {}).items()):
        facts.extend(source(obj, viewer=viewer))
    return facts

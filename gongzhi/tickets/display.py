"""Presentation helpers shared by the ticket pages and other apps' pages (the dispatch queue)."""

from __future__ import annotations

from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .models import State

COMPONENT_LABELS = {
    "distance": _("distance"),
    "load": _("current load"),
    "rating": _("past rating"),
}
STEPS = [State.SUBMITTED, State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS, State.RESOLVED, State.CLOSED]


def suggestion_rows(suggestions) -> list[dict]:
    """Suggestions ready to show: text already formatted (a queue page shows sixty of them, and
    the template engine's number localisation is the slow part) and each cost term as a labelled
    bar whose width is a class (the CSP forbids inline styles)."""
    labels = {k: str(v) for k, v in COMPONENT_LABELS.items()}
    cost = str(_("cost %(km)s km"))
    rows = []
    for s in suggestions:
        # One step of the bar per 400 metre-equivalents, ten steps at most. Built here rather than
        # in a template loop: sixty suggestions times three bars is most of a queue page's work.
        bars = format_html_join(
            " ",
            '<span class="why">{}</span> <span class="bar b-{} w{}"></span>',
            ((labels.get(k, k), k, min(10, round(v / 400))) for k, v in s.components.items()),
        )
        rows.append(
            {
                "s": s,
                "key": s.party.key,
                "label": s.party.label,
                "cost": cost % {"km": f"{s.cost_km:.1f}"},
                "why": " · ".join(s.reasons),
                "eligible": s.eligible,
                "bars": bars,
            }
        )
    return rows


def steps_of(ticket) -> list[tuple[str, bool]]:
    reached = {State.RETURNED: 0, State.REOPENED: 0, State.CANCELLED: -1}.get(ticket.state)
    if reached is None:
        reached = STEPS.index(ticket.state)
    return [(State(s).label, i <= reached) for i, s in enumerate(STEPS)]

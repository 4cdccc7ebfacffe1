"""Ranking providers for service orders (派单 suggestions), and why.

The cost of sending an order to a provider is counted in metre-equivalents with the weights of
``gongzhi.lib.matching.DispatchWeights`` — the library's 派单 cost — so a suggestion on the queue
page and the batch "dispatch all" plan (``gongzhi.services.batch``) weigh providers alike:

    cost = distance in metres + 500 × orders the provider already holds or is offered
           + 1000 × (5 − its rating in stars)

and a provider that does not serve the order's category is not a candidate at all. The rating is
the provider's mean, shrunk towards ``PRIOR_STARS`` by ``PRIOR_WEIGHT`` pseudo-ratings, so one
5-star rating does not outrank fifty 4.8s; a provider without ratings counts ``PRIOR_STARS``.
The weights are a setting (``GONGZHI_DISPATCH_WEIGHTS``: the fields of ``DispatchWeights``; a
provider beyond ``max_distance_m`` is not a candidate). The page shows each term, so the
dispatcher sees why a provider ranks where it does; a provider at capacity is shown but cannot be
chosen. The provider whose listed service the resident ordered is put first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.areas.models import Area
from gongzhi.core import sql
from gongzhi.directory.models import Organisation
from gongzhi.lib import matching
from gongzhi.lib.geo import haversine_m_array
from gongzhi.tickets.models import PartyStats, State, Ticket, TicketOffer
from gongzhi.tickets.policies import PartyRef, Suggestion

from .models import DISPATCHABLE, Resource, ServiceOffering, ancestor_codes

PRIOR_STARS, PRIOR_WEIGHT = 4.0, 3
UNKNOWN_DISTANCE_M = 5_000.0  # neither side has a position: as far as the edge of a town


def weights() -> matching.DispatchWeights:
    """The library's defaults (500 m per order in hand, 1 km per star below five), or the setting's."""
    return matching.DispatchWeights(**getattr(settings, "GONGZHI_DISPATCH_WEIGHTS", {}))


@dataclass
class ProviderFacts:
    """What the ranking knows about one provider (one party, however many list entries it has)."""

    party: PartyRef
    categories: set[str]
    lat: float | None
    lng: float | None
    capacity: int
    areas: set[str] = field(default_factory=set)  # the service areas of its list entries
    load: int = 0
    rating_sum: int = 0
    rating_count: int = 0
    available: bool = True

    @property
    def stars(self) -> float:
        return (self.rating_sum + PRIOR_STARS * PRIOR_WEIGHT) / (self.rating_count + PRIOR_WEIGHT)

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.load) if self.available else 0


def _centre(area: Area | None) -> tuple[float | None, float | None]:
    return (area.lat, area.lng) if area is not None else (None, None)


# What ranking reads of each dispatchable resource serving an area: its party, categories,
# capacity and position (its own, else its organisation's, else its area's centre).
_PROVIDER_COLUMNS = (
    sql.Columns(
        Resource, ["organisation", "user", "categories", "capacity", "is_available", "area", "lat", "lng"]
    ),
    sql.Columns(Organisation, ["name", "lat", "lng"]),
    sql.Columns(User, ["name"]),
    sql.Columns(Area, ["lat", "lng"]),
)


@cache
def _providers_sql(areas: int) -> str:
    """The providers of ``areas`` served areas, one row per list entry, written once per count."""
    r, o, u, a, c = Resource, Organisation, User, Area, sql.column
    return (
        f"SELECT {', '.join(p.sql for p in _PROVIDER_COLUMNS)} FROM {sql.table(r)}"  # noqa: S608 (identifiers from model metadata)
        f" LEFT JOIN {sql.table(o)} ON {c(o, 'id')} = {c(r, 'organisation')}"
        f" LEFT JOIN {sql.table(u)} ON {c(u, 'id')} = {c(r, 'user')}"
        f" JOIN {sql.table(a)} ON {c(a, 'code')} = {c(r, 'area')}"
        f" WHERE {c(r, 'is_active')} = %s AND {c(r, 'kind')} IN ({sql.placeholders(len(DISPATCHABLE))})"
        f" AND {c(r, 'area')} IN ({sql.placeholders(areas)})"
        f" AND NOT ({c(r, 'organisation')} IS NULL AND {c(r, 'user')} IS NULL)"
        f" ORDER BY {c(r, 'id')}"
    )


def providers_for(
    area_codes: set[str], *, category: str | None = None, keep: frozenset[str] = frozenset()
) -> list[ProviderFacts]:
    """Dispatchable providers serving any of the areas, with their load and rating, one per party.

    With ``category``, only the parties serving it (and those in ``keep``, e.g. the one the
    resident chose) — the others could never be ranked for it, so their load is not counted.
    """
    served = sorted({c for code in area_codes for c in ancestor_codes(code)})
    if not served:
        return []
    # Plain rows, not model instances: a page ranks a hundred providers or more.
    params = [True, *sorted(k.value for k in DISPATCHABLE), *served]
    rows = [sql.row_values(row, _PROVIDER_COLUMNS) for row in sql.fetch(_providers_sql(len(served)), params)]
    by_party: dict[str, ProviderFacts] = {}
    for organisation_id, user_id, categories, capacity, is_available, area_id, *where in rows:
        key = f"org:{organisation_id}" if organisation_id else f"user:{user_id}"
        if key in by_party:
            facts = by_party[key]
            facts.categories |= set(categories)
            facts.capacity += capacity
            facts.available = facts.available or is_available
            facts.areas.add(area_id)
            continue
        lat, lng, org_name, org_lat, org_lng, user_name, area_lat, area_lng = where
        if lat is None:  # the resource's own position, else its organisation's, else its area's centre
            lat, lng = (org_lat, org_lng) if organisation_id and org_lat is not None else (area_lat, area_lng)
        if organisation_id:
            party = PartyRef("org", organisation_id, org_name)
        else:
            party = PartyRef("user", user_id, user_name)
        by_party[key] = ProviderFacts(
            party, set(categories), lat, lng, capacity, {area_id}, available=is_available
        )
    if category is not None:
        by_party = {k: f for k, f in by_party.items() if category in f.categories or k in keep}
    _load_and_ratings(by_party)
    return list(by_party.values())


def _load_and_ratings(by_party: dict[str, ProviderFacts]) -> None:
    """Orders in hand and offered (live counts, index range scans) and the running rating totals.

    One statement (a UNION ALL of the counts and the totals): a dispatched order ranks its
    providers inside its transaction, where every round trip to a busy database costs.
    """
    parts: list[str] = []
    params: list = []
    for prefix in ("org", "user"):
        ids = [f.party.id for f in by_party.values() if f.party.type == prefix]
        if not ids:
            continue
        marks = sql.placeholders(len(ids))
        parts += [part.replace("{ids}", marks) for part in _load_sql()[prefix]]
        params += [
            State.ACCEPTED.value,
            State.IN_PROGRESS.value,
            *ids,
            TicketOffer.Status.OPEN.value,
            *ids,
            *ids,
        ]
    if not parts:
        return
    for kind, party, a, b in sql.fetch(" UNION ALL ".join(parts), params):
        prefix, what = kind.split(":")
        facts = by_party[f"{prefix}:{party}"]
        if what == "load":
            facts.load += a
        else:
            facts.rating_count, facts.rating_sum = a, b


@cache
def _load_sql() -> dict[str, tuple[str, str, str]]:
    """Per party type, the SELECTs of orders in hand, open offers and rating totals (``{ids}``
    stands for the parties' placeholders); each row is (kind, party id, a, b)."""
    t, o, s, c = Ticket, TicketOffer, PartyStats, sql.column
    out = {}
    for prefix, assignee, offered in (
        ("org", "assignee_org", "party_org"),
        ("user", "assignee_user", "party_user"),
    ):
        out[prefix] = (
            f"SELECT '{prefix}:load', {c(t, assignee)}, COUNT(*), 0 FROM {sql.table(t)}"  # noqa: S608 (identifiers from model metadata)
            f" WHERE {c(t, 'state')} IN (%s, %s) AND {c(t, assignee)} IN ({{ids}}) GROUP BY {c(t, assignee)}",
            f"SELECT '{prefix}:load', {c(o, offered)}, COUNT(*), 0 FROM {sql.table(o)}"  # noqa: S608
            f" WHERE {c(o, 'status')} = %s AND {c(o, offered)} IN ({{ids}}) GROUP BY {c(o, offered)}",
            f"SELECT '{prefix}:rating', {c(s, offered)}, {c(s, 'rating_count')}, {c(s, 'rating_sum')}"  # noqa: S608
            f" FROM {sql.table(s)} WHERE {c(s, offered)} IN ({{ids}})",
        )
    return out


def order_point(ticket: Ticket) -> tuple[float | None, float | None]:
    if ticket.lat is not None:
        return ticket.lat, ticket.lng
    return _centre(ticket.area)


def chosen_parties_of(tickets: list[Ticket]) -> list[str]:
    """For each order, the provider of the listed service the resident ordered ("org:12"), or ""."""
    wanted = {(t.extra or {}).get("offering_id") for t in tickets} - {None}
    if not wanted:  # the common case, a need described in a few taps: no query to build
        return [""] * len(tickets)
    keys = {}
    for o in ServiceOffering.objects.filter(pk__in=wanted).values(
        "pk", "provider__organisation_id", "provider__user_id"
    ):
        org, user = o["provider__organisation_id"], o["provider__user_id"]
        keys[o["pk"]] = f"org:{org}" if org else f"user:{user}" if user else ""
    return [keys.get((t.extra or {}).get("offering_id"), "") for t in tickets]


def distances_m(
    points: list[tuple[float | None, float | None]], providers: list[ProviderFacts]
) -> np.ndarray:
    """Metres from each point to each provider; ``UNKNOWN_DISTANCE_M`` where a position is missing."""
    o = np.array(
        [(p[0] if p[0] is not None else np.nan, p[1] if p[1] is not None else np.nan) for p in points],
        dtype=float,
    ).reshape(-1, 2)
    q = np.array(
        [(f.lat if f.lat is not None else np.nan, f.lng if f.lng is not None else np.nan) for f in providers],
        dtype=float,
    ).reshape(-1, 2)
    d = haversine_m_array(o[:, 0][:, None], o[:, 1][:, None], q[:, 0][None, :], q[:, 1][None, :])
    return np.where(np.isnan(d), UNKNOWN_DISTANCE_M, d)


def cost_terms(
    tickets: list[Ticket], providers: list[ProviderFacts], w: matching.DispatchWeights | None = None
) -> dict[str, np.ndarray]:
    """The cost of every (order, provider) pair and its terms, each an ``n × m`` array.

    ``cost`` is ``inf`` where the provider does not serve the order's category (the provider the
    resident chose always does). ``distance_m`` is the raw distance; ``distance``, ``load`` and
    ``rating`` are the weighted terms that add up to ``cost``.
    """
    w = w or weights()
    n, m = len(tickets), len(providers)
    distance_m = distances_m([order_point(t) for t in tickets], providers) if n and m else np.zeros((n, m))
    load = np.array([f.load for f in providers], dtype=float)
    stars = np.array([f.stars for f in providers], dtype=float)
    chosen = chosen_parties_of(tickets)
    fit = np.array(
        [
            [t.category in f.categories or f.party.key == c for f in providers]
            for t, c in zip(tickets, chosen, strict=True)
        ],
        dtype=bool,
    ).reshape(n, m)
    terms = {
        "distance": w.per_metre * distance_m,
        "load": np.broadcast_to(w.per_open_order * load, (n, m)),
        "rating": np.broadcast_to(w.per_rating_star * (5.0 - stars), (n, m)),
    }
    cost = terms["distance"] + terms["load"] + terms["rating"]
    feasible = fit & (distance_m <= w.max_distance_m)
    return {
        "cost": np.where(feasible, cost, np.inf),
        "fit": fit,
        "distance_m": distance_m,
        **terms,
        "chosen": chosen,
    }


def _reasons(facts: ProviderFacts, distance_m: float, chosen: bool) -> tuple[str, ...]:
    out = []
    if chosen:
        out.append(_("the resident chose this provider's service"))
    out.append(_("%(km).1f km away") % {"km": distance_m / 1000})
    out.append(
        _("%(load)d of %(capacity)d orders in hand") % {"load": facts.load, "capacity": facts.capacity}
    )
    out.append(
        _("rated %(rating).1f from %(n)d ratings")
        % {"rating": facts.rating_sum / facts.rating_count, "n": facts.rating_count}
        if facts.rating_count
        else _("not rated yet")
    )
    if not facts.available:
        out.append(_("not taking orders now"))
    elif facts.load >= facts.capacity:
        out.append(_("at capacity"))
    return tuple(out)


def suggestions_from(
    terms: dict, row: int, providers: list[ProviderFacts], *, limit: int
) -> list[Suggestion]:
    """The ``limit`` best providers of one order: the resident's choice first, then eligible ones by
    cost, then those at capacity; providers that do not serve the category are left out."""
    cost = terms["cost"][row]
    chosen = terms["chosen"][row]
    candidates = [j for j in range(len(providers)) if math.isfinite(cost[j])]

    def key(j: int):
        f = providers[j]
        eligible = f.available and f.load < f.capacity
        return (f.party.key != chosen, not eligible, cost[j], f.party.key)

    out = []
    for j in sorted(candidates, key=key)[:limit]:
        f = providers[j]
        out.append(
            Suggestion(
                party=f.party,
                cost=round(float(cost[j]), 1),
                components={k: round(float(terms[k][row, j]), 1) for k in ("distance", "load", "rating")},
                facts={
                    "distance_km": round(float(terms["distance_m"][row, j]) / 1000, 2),
                    "load": f.load,
                    "capacity": f.capacity,
                    "stars": round(f.stars, 2),
                    "ratings": f.rating_count,
                    "chosen": f.party.key == chosen,
                },
                reasons=_reasons(f, float(terms["distance_m"][row, j]), f.party.key == chosen),
                eligible=f.available and f.load < f.capacity,
            )
        )
    return out


def rank(tickets: list[Ticket], providers: list[ProviderFacts], *, limit: int = 5) -> list[list[Suggestion]]:
    """Suggestions for several orders at once (one cost table for the page)."""
    if not tickets:
        return []
    serving = [set(ancestor_codes(t.area_id)) for t in tickets]
    terms = cost_terms(tickets, providers)
    for i, served in enumerate(serving):  # a provider must serve the order's area
        outside = np.array([not (f.areas & served) for f in providers], dtype=bool)
        terms["cost"][i, outside] = np.inf
    return [suggestions_from(terms, i, providers, limit=limit) for i in range(len(tickets))]


def suggest_providers(ticket: Ticket, *, limit: int = 5) -> list[Suggestion]:
    """The best providers for one order, with the terms of their cost."""
    keep = frozenset(chosen_parties_of([ticket])) - {""}
    providers = providers_for({ticket.area_id}, category=ticket.category, keep=keep)
    return rank([ticket], providers, limit=limit)[0]

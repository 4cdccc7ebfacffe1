"""Ranking providers for a service order (派单 suggestions), and why.

Each candidate gets a cost in [0, 1] — the weighted sum of four components, each in [0, 1]:

* category: 0 when the provider lists the order's category, 0.5 for a neighbour in the same group,
  1 otherwise (the provider the resident chose from the service list always counts 0);
* distance: straight-line distance from the order to the provider, divided by ``DISTANCE_SCALE_KM``
  and capped at 1 (area centres stand in for missing coordinates);
* load: orders the provider holds or is being offered, over its capacity, capped at 1;
* rating: (5 − mean rating) / 4, the mean shrunk towards ``PRIOR_RATING`` by ``PRIOR_WEIGHT``
  pseudo-ratings so that a newcomer with one 5 does not outrank a provider with fifty 4.8s.

The weights are a setting (``GONGZHI_DISPATCH_WEIGHTS``). The queue shows each component, so the
dispatcher sees why a provider ranks where it does.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Avg, Count
from django.utils.translation import gettext as _

from gongzhi.areas.models import Area
from gongzhi.lib.geo import haversine_m
from gongzhi.tickets.models import State, Ticket, TicketOffer
from gongzhi.tickets.policies import PartyRef, Suggestion

from .categories import group_of
from .models import DISPATCHABLE, Resource, ServiceOffering

DEFAULT_WEIGHTS = {"category": 0.40, "distance": 0.25, "load": 0.20, "rating": 0.15}
DISTANCE_SCALE_KM = 5.0
PRIOR_RATING, PRIOR_WEIGHT = 4.0, 3


def weights() -> dict[str, float]:
    w = {**DEFAULT_WEIGHTS, **getattr(settings, "GONGZHI_DISPATCH_WEIGHTS", {})}
    total = sum(w.values()) or 1.0
    return {k: v / total for k, v in w.items()}


@dataclass
class ProviderFacts:
    """What the ranking knows about one provider (one party, however many list entries it has)."""

    party: PartyRef
    resource: Resource
    categories: set[str]
    lat: float | None
    lng: float | None
    capacity: int
    load: int = 0
    rating_sum: float = 0.0
    rating_count: int = 0
    available: bool = True
    areas: set[str] | None = None  # the service areas of its list entries

    @property
    def rating(self) -> float:
        return (self.rating_sum + PRIOR_RATING * PRIOR_WEIGHT) / (self.rating_count + PRIOR_WEIGHT)

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.load)


def _centre(area: Area | None) -> tuple[float | None, float | None]:
    return (area.lat, area.lng) if area is not None else (None, None)


def providers_for(area_codes: set[str]) -> list[ProviderFacts]:
    """Dispatchable providers serving any of the areas, with their load and rating, one per party."""
    from .models import ancestor_codes

    served = sorted({c for code in area_codes for c in ancestor_codes(code)})
    resources = (
        Resource.objects.filter(is_active=True, kind__in=DISPATCHABLE, area_id__in=served)
        .exclude(organisation__isnull=True, user__isnull=True)
        .select_related("area", "organisation", "user")
        .order_by("id")
    )
    by_party: dict[str, ProviderFacts] = {}
    for r in resources:
        key = r.party_key
        party = PartyRef("org", r.organisation_id, r.organisation.name) if r.organisation_id else PartyRef("user", r.user_id, r.user.name)
        lat, lng = (r.lat, r.lng) if r.lat is not None else (
            (r.organisation.lat, r.organisation.lng) if r.organisation_id and r.organisation.lat is not None else _centre(r.area)
        )
        if key in by_party:
            facts = by_party[key]
            facts.categories |= set(r.categories)
            facts.capacity += r.capacity
            facts.available = facts.available or r.is_available
            facts.areas.add(r.area_id)
            continue
        by_party[key] = ProviderFacts(
            party, r, set(r.categories), lat, lng, r.capacity, available=r.is_available, areas={r.area_id}
        )
    _load_and_ratings(by_party)
    return list(by_party.values())


def _load_and_ratings(by_party: dict[str, ProviderFacts]) -> None:
    org_ids = [f.party.id for f in by_party.values() if f.party.type == "org"]
    user_ids = [f.party.id for f in by_party.values() if f.party.type == "user"]
    working = Ticket.objects.filter(state__in=(State.ACCEPTED, State.IN_PROGRESS))
    rated = Ticket.objects.filter(state=State.CLOSED, rating__isnull=False)
    offers = TicketOffer.objects.open()
    for field, ids, prefix in (("assignee_org_id", org_ids, "org"), ("assignee_user_id", user_ids, "user")):
        if not ids:
            continue
        for row in working.filter(**{f"{field}__in": ids}).values(field).annotate(n=Count("id")):
            by_party[f"{prefix}:{row[field]}"].load += row["n"]
        for row in rated.filter(**{f"{field}__in": ids}).values(field).annotate(s=Avg("rating"), n=Count("id")):
            facts = by_party[f"{prefix}:{row[field]}"]
            facts.rating_sum, facts.rating_count = float(row["s"]) * row["n"], row["n"]
        offer_field = "party_org_id" if prefix == "org" else "party_user_id"
        for row in offers.filter(**{f"{offer_field}__in": ids}).values(offer_field).annotate(n=Count("id")):
            by_party[f"{prefix}:{row[offer_field]}"].load += row["n"]


def order_point(ticket: Ticket) -> tuple[float | None, float | None]:
    if ticket.lat is not None:
        return ticket.lat, ticket.lng
    return _centre(ticket.area)


def components(ticket: Ticket, facts: ProviderFacts, *, chosen_party: str = "") -> tuple[dict[str, float], dict, bool]:
    """Unweighted component costs in [0, 1], the facts shown beside them, and eligibility."""
    if facts.party.key == chosen_party or ticket.category in facts.categories:
        category = 0.0
    elif group_of(ticket.category) and group_of(ticket.category) in {group_of(c) for c in facts.categories}:
        category = 0.5
    else:
        category = 1.0
    lat, lng = order_point(ticket)
    distance_km = None
    if None not in (lat, lng, facts.lat, facts.lng):
        distance_km = haversine_m(lat, lng, facts.lat, facts.lng) / 1000
    distance = min(distance_km / DISTANCE_SCALE_KM, 1.0) if distance_km is not None else 0.5
    load = min(facts.load / facts.capacity, 1.0) if facts.capacity else 1.0
    rating = (5 - facts.rating) / 4
    costs = {"category": category, "distance": distance, "load": load, "rating": rating}
    shown = {
        "distance_km": round(distance_km, 2) if distance_km is not None else None,
        "load": facts.load,
        "capacity": facts.capacity,
        "rating": round(facts.rating, 2),
        "ratings": facts.rating_count,
        "chosen": facts.party.key == chosen_party,
    }
    eligible = category < 1.0 and facts.available and facts.load < facts.capacity
    return costs, shown, eligible


def _reasons(costs: dict[str, float], shown: dict, facts: ProviderFacts) -> tuple[str, ...]:
    out = []
    if shown["chosen"]:
        out.append(_("the resident chose this provider's service"))
    out.append(
        _("offers this category")
        if costs["category"] == 0
        else _("offers a related category")
        if costs["category"] < 1
        else _("does not offer this category")
    )
    if shown["distance_km"] is not None:
        out.append(_("%(km).1f km away") % {"km": shown["distance_km"]})
    out.append(_("%(load)d of %(capacity)d orders in hand") % {"load": shown["load"], "capacity": shown["capacity"]})
    out.append(
        _("rated %(rating).1f from %(n)d ratings") % {"rating": shown["rating"], "n": shown["ratings"]}
        if shown["ratings"]
        else _("not rated yet")
    )
    if not facts.available:
        out.append(_("not taking orders now"))
    return tuple(out)


def chosen_party_of(ticket: Ticket) -> str:
    offering_id = (ticket.extra or {}).get("offering_id")
    if not offering_id:
        return ""
    offering = ServiceOffering.objects.filter(pk=offering_id).select_related("provider").first()
    return offering.provider.party_key if offering else ""


def rank(ticket: Ticket, providers: list[ProviderFacts]) -> list[Suggestion]:
    w = weights()
    chosen = chosen_party_of(ticket)
    out = []
    for facts in providers:
        costs, shown, eligible = components(ticket, facts, chosen_party=chosen)
        weighted = {k: round(w[k] * v, 4) for k, v in costs.items()}
        out.append(
            Suggestion(
                party=facts.party,
                cost=round(sum(weighted.values()), 4),
                components=weighted,
                facts=shown,
                reasons=_reasons(costs, shown, facts),
                eligible=eligible,
            )
        )
    out.sort(key=lambda s: (not s.eligible, s.cost, s.party.key))
    return out


def suggest_providers(ticket: Ticket, *, limit: int = 5) -> list[Suggestion]:
    """The best providers for one order, eligible ones first, each with its cost components."""
    return rank(ticket, providers_for({ticket.area_id}))[:limit]

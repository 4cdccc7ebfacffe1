"""Dispatching every waiting order at once, optimally (batch matching, ``gongzhi.lib.matching``).

The waiting service orders of the dispatcher's areas and the providers serving them become one
capacitated assignment problem: each order needs one provider, each provider takes at most its free
slots (capacity minus orders in hand), and a pair costs what the ranked suggestions say (metre-
equivalents; infeasible when the provider does not serve the category or the area). The optimal
assignment assigns the most orders, then at least total cost, with an all-pairs proof; the greedy
assignment (cheapest pair first) is computed beside it as the baseline the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gongzhi.lib import matching
from gongzhi.tickets.models import QUEUE_STATES, Ticket

from .dispatch import ProviderFacts, cost_terms, providers_for
from .models import ancestor_codes
from .policy import KIND

MAX_ORDERS = 2_000  # one plan; a larger backlog is planned again after this part is dispatched


@dataclass
class PlannedPair:
    ticket: Ticket
    provider: ProviderFacts | None  # None: no provider can take it now
    greedy: ProviderFacts | None
    cost: float | None
    terms: dict[str, float] = field(default_factory=dict)

    @property
    def term_labels(self) -> list[tuple[str, float]]:
        from gongzhi.tickets.display import COMPONENT_LABELS

        return [(str(COMPONENT_LABELS.get(k, k)), v) for k, v in self.terms.items()]


@dataclass
class BatchPlan:
    pairs: list[PlannedPair]
    optimal_cost: float
    greedy_cost: float
    optimal_assigned: int
    greedy_assigned: int
    proven_optimal: bool
    gap: float | None
    seconds: float
    orders: int
    providers: int

    @property
    def saving(self) -> float | None:
        """How much costlier greedy is, as a share of the optimum (same number of orders only)."""
        if self.optimal_assigned != self.greedy_assigned or not self.optimal_cost:
            return None
        return (self.greedy_cost - self.optimal_cost) / self.optimal_cost

    @property
    def saving_pct(self) -> float | None:
        return None if self.saving is None else 100 * self.saving


def waiting_orders(viewer) -> list[Ticket]:
    """Service orders waiting for dispatch in the areas the viewer dispatches, oldest first."""
    return list(
        Ticket.objects.in_area_scope(viewer, "tickets.dispatch")
        .filter(kind=KIND, state__in=QUEUE_STATES)
        .select_related("area")
        .order_by("-priority", "created_at", "id")[:MAX_ORDERS]
    )


def plan(viewer) -> BatchPlan:
    """The optimal assignment of every waiting order (and, for comparison, the greedy one)."""
    tickets = waiting_orders(viewer)
    providers = providers_for({t.area_id for t in tickets}) if tickets else []
    if not tickets or not providers:
        return BatchPlan(
            [PlannedPair(t, None, None, None) for t in tickets],
            0.0,
            0.0,
            0,
            0,
            True,
            0.0,
            0.0,
            len(tickets),
            len(providers),
        )
    terms = cost_terms(tickets, providers)
    cost = terms["cost"]
    for i, t in enumerate(tickets):  # a provider must serve the order's area
        served = set(ancestor_codes(t.area_id))
        cost[i, [not (f.areas & served) for f in providers]] = np.inf
    problem = matching.Problem.from_matrix(cost, [f.free for f in providers])
    optimal = matching.solve_optimal(problem)
    greedy = matching.solve_greedy(problem)
    pairs = []
    for i, t in enumerate(tickets):
        j, g = int(optimal.provider_of[i]), int(greedy.provider_of[i])
        pairs.append(
            PlannedPair(
                ticket=t,
                provider=providers[j] if j >= 0 else None,
                greedy=providers[g] if g >= 0 else None,
                cost=float(cost[i, j]) if j >= 0 else None,
                terms={k: round(float(terms[k][i, j]), 1) for k in ("distance", "load", "rating")}
                if j >= 0
                else {},
            )
        )
    return BatchPlan(
        pairs=pairs,
        optimal_cost=float(optimal.total_cost),
        greedy_cost=float(greedy.total_cost),
        optimal_assigned=optimal.n_assigned,
        greedy_assigned=greedy.n_assigned,
        proven_optimal=bool(optimal.proven_optimal),
        gap=optimal.gap,
        seconds=float(optimal.seconds),
        orders=len(tickets),
        providers=len(providers),
    )

"""Rebuilding the running rating totals from the tickets themselves (after a bulk load, or to
check them): one grouped query per kind of party, in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Sum

from ..models import PartyStats, State, Ticket


@transaction.atomic
def party_stats_rebuild() -> int:
    """Replace every PartyStats row by the totals of the closed, rated tickets; returns the rows."""
    PartyStats.objects.all().delete()
    rated = Ticket.objects.filter(state=State.CLOSED, rating__isnull=False)
    rows = [
        PartyStats(party_org_id=r["assignee_org_id"], rating_count=r["n"], rating_sum=r["s"])
        for r in rated.exclude(assignee_org_id=None)
        .values("assignee_org_id")
        .annotate(n=Count("id"), s=Sum("rating"))
    ]
    rows += [
        PartyStats(party_user_id=r["assignee_user_id"], rating_count=r["n"], rating_sum=r["s"])
        for r in rated.exclude(assignee_user_id=None)
        .values("assignee_user_id")
        .annotate(n=Count("id"), s=Sum("rating"))
    ]
    PartyStats.objects.bulk_create(rows, batch_size=5000)
    return len(rows)

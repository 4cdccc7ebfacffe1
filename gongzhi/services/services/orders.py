"""Placing a service order (居民点单): from the service list, or a need described in a few taps."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.areas.models import Area
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import field_error
from gongzhi.core.transactions import service_atomic
from gongzhi.tickets.models import Priority, Ticket
from gongzhi.tickets.policies import PartyRef
from gongzhi.tickets.services import ticket_dispatch, ticket_submit

from ..models import ServiceOffering
from ..policy import KIND


@service_atomic
def order_place(
    *,
    resident,
    area: Area,
    category: str = "",
    offering: ServiceOffering | None = None,
    title: str = "",
    description: str = "",
    preferred_time: str = "",
    people: int = 1,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    urgent: bool = False,
    photos=(),
    ip: str | None = None,
) -> Ticket:
    """Order a listed service (its category and provider come with it) or describe what is needed.

    The order is a ticket of kind ``service_order``; the community's rules may dispatch it at once
    (the offers made are on ``ticket.routed_offers``).
    """
    if offering is not None:
        listed = ServiceOffering.objects.catalogue_for(resident, area.code).filter(pk=offering.pk).exists()
        if not listed:
            raise field_error(
                "offering",
                _("This service is not offered in %(area)s.") % {"area": area.name},
                "order.offering",
            )
        category = offering.category
        title = (title or "").strip() or offering.title
    elif not category:
        raise field_error("category", _("Choose what kind of help you need."), "ticket.unknown_category")
    extra = {"people": people, "preferred_time": (preferred_time or "")[:60]}
    if offering is not None:
        extra["offering_id"] = offering.pk
    return ticket_submit(
        kind=KIND,
        category=category,
        area=area,
        title=title,
        description=description,
        submitter=resident,
        lat=lat,
        lng=lng,
        address=address,
        priority=Priority.URGENT if urgent else Priority.NORMAL,
        extra=extra,
        photos=photos,
        ip=ip,
    )


def orders_dispatch_all(*, viewer, ip: str | None = None) -> tuple:
    """Plan afresh and offer every planned order to its provider; returns (dispatched, skipped, plan).

    Each order is dispatched in its own transaction: one that somebody else dispatched meanwhile is
    skipped, not a reason to undo the others.
    """
    from .. import batch  # numpy, scipy and OR-Tools load only when a batch is planned

    if not viewer.access.has("tickets.dispatch"):
        raise ValidationError(
            _("Only a community's dispatcher may dispatch orders."), code="ticket.not_allowed"
        )
    result = batch.plan(viewer)
    done = skipped = 0
    for pair in result.pairs:
        if pair.provider is None:
            continue
        try:
            with transaction.atomic():
                ticket = Ticket.objects.get(pk=pair.ticket.pk)
                ticket_dispatch(
                    ticket=ticket,
                    parties=[
                        PartyRef(pair.provider.party.type, pair.provider.party.id, pair.provider.party.label)
                    ],
                    actor=viewer,
                    note=_("Dispatched with every waiting order at once (optimal assignment)."),
                    reasons={pair.provider.party.key: {"components": pair.terms, "batch": True}},
                    ip=ip,
                )
            done += 1
        except ValidationError:
            skipped += 1
    audit_record(
        actor=viewer,
        action="orders.dispatch_all",
        object_type="tickets.ticket",
        ip=ip,
        changes={
            "dispatched": done,
            "skipped": skipped,
            "orders": result.orders,
            "cost": round(result.optimal_cost),
            "greedy_cost": round(result.greedy_cost),
            "proven_optimal": result.proven_optimal,
        },
    )
    return done, skipped, result

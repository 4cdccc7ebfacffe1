"""Routing rules (category × area → party, or the kind's best suggestion) and automatic dispatch."""

from __future__ import annotations

from functools import cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.areas.models import CODE_LENGTH, PREFIX_LENGTH, Area, prefix_of
from gongzhi.audit.services import audit_record
from gongzhi.core import sql
from gongzhi.core.transactions import service_atomic
from gongzhi.directory.models import Organisation

from ..models import QUEUE_STATES, RoutingRule, Ticket
from ..policies import PartyRef, get_policy


def _ancestor_codes(code: str) -> list[str]:
    codes = {
        code[:n].ljust(CODE_LENGTH, "0")
        for n in PREFIX_LENGTH.values()
        if n <= len(code) and n <= CODE_LENGTH
    }
    codes.add(code)
    return sorted(codes)


@cache
def _rules_sql(areas: int) -> tuple[str, tuple[sql.Columns, ...]]:
    """The active rules of a kind for ``areas`` areas and two categories, each with its area and
    party: every order that may be dispatched automatically asks, so it is written once."""
    r, a, o, u, c = RoutingRule, Area, Organisation, User, sql.column
    parts = (sql.Columns(r), sql.Columns(a), sql.Columns(o), sql.Columns(u))
    statement = (
        f"SELECT {', '.join(p.sql for p in parts)} FROM {sql.table(r)}"  # noqa: S608 (identifiers from model metadata)
        f" JOIN {sql.table(a)} ON {c(a, 'code')} = {c(r, 'area')}"
        f" LEFT JOIN {sql.table(o)} ON {c(o, 'id')} = {c(r, 'party_org')}"
        f" LEFT JOIN {sql.table(u)} ON {c(u, 'id')} = {c(r, 'party_user')}"
        f" WHERE {c(r, 'kind')} = %s AND {c(r, 'is_active')} = %s"
        f" AND {c(r, 'area')} IN ({sql.placeholders(areas)}) AND {c(r, 'category')} IN (%s, %s)"
    )
    return statement, parts


def rule_for(ticket: Ticket) -> RoutingRule | None:
    """The most specific active rule: the nearest area first, a named category before "any"."""
    codes = _ancestor_codes(ticket.area_id)
    statement, (r, a, o, u) = _rules_sql(len(codes))
    rules = []
    for row in sql.fetch(statement, [ticket.kind, True, *codes, ticket.category, ""]):
        rule = r.instance(row)
        sql.set_related(rule, "area", a.instance(row, r.width))
        sql.set_related(rule, "party_org", o.instance(row, r.width + a.width))
        sql.set_related(rule, "party_user", u.instance(row, r.width + a.width + o.width))
        rules.append(rule)
    return max(rules, key=lambda r: (len(prefix_of(r.area_id)), r.category != "", r.pk), default=None)


@service_atomic
def ticket_route(*, ticket: Ticket) -> bool:
    """Dispatch a queued ticket automatically when a rule of its area says so; True if dispatched."""
    return bool(route(ticket=ticket)[1])


def route(*, ticket: Ticket, audit: bool = True) -> tuple[RoutingRule | None, list]:
    """``ticket_route`` inside the caller's transaction: the rule applied and the offers made.

    ``audit=False`` leaves the audit entry to the caller (submission records one entry for both).
    """
    if ticket.state not in QUEUE_STATES:
        return None, []
    rule = rule_for(ticket)
    if rule is None:
        return None, []
    policy = get_policy(ticket.kind)
    reasons: dict = {}
    if rule.strategy == RoutingRule.Strategy.PARTY:
        party = rule.party_org or rule.party_user
        if party is None or not getattr(party, "is_active", False):
            return None, []
        parties = [PartyRef("org" if rule.party_org_id else "user", party.pk, party.name)]
    else:
        best = [s for s in policy.suggest(ticket, limit=1) if s.eligible]
        if not best:
            return None, []
        parties = [best[0].party]
        reasons = {
            best[0].party.key: {"components": best[0].components, "facts": best[0].facts, "rule": rule.pk}
        }
    from .flow import ticket_dispatch

    offers = ticket_dispatch(
        ticket=ticket,
        parties=parties,
        actor=None,
        note=_("Dispatched automatically by a rule of %(area)s.") % {"area": rule.area.name},
        reasons=reasons,
        audit=audit,
    )
    return rule, offers


@transaction.atomic
def routing_rule_create(
    *,
    kind: str,
    area: Area,
    actor,
    category: str = "",
    strategy: str = RoutingRule.Strategy.BEST_MATCH,
    party_org: Organisation | None = None,
    party_user: User | None = None,
    ip: str | None = None,
) -> RoutingRule:
    if actor is not None and not actor.access.can("tickets.routing", area.code):
        raise PermissionDenied
    policy = get_policy(kind)
    errors: dict[str, list] = {}
    if category:
        try:
            policy.category(category)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if strategy not in RoutingRule.Strategy.values:
        errors["strategy"] = [_("Choose how tickets are routed.")]
    elif strategy == RoutingRule.Strategy.PARTY and bool(party_org) == bool(party_user):
        errors["party_org"] = [_("Name one organisation or one person.")]
    elif strategy == RoutingRule.Strategy.BEST_MATCH:
        party_org = party_user = None
    if errors:
        raise ValidationError(errors, code="routing.invalid")
    if RoutingRule.objects.filter(kind=kind, category=category, area=area, is_active=True).exists():
        raise ValidationError(
            _("An active rule for this kind and category already exists here; switch it off first."),
            code="routing.duplicate",
        )
    rule = RoutingRule.objects.create(
        kind=kind,
        category=category,
        area=area,
        strategy=strategy,
        party_org=party_org,
        party_user=party_user,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="routing_rule.create",
        obj=rule,
        ip=ip,
        changes={"kind": kind, "category": category, "strategy": strategy},
    )
    return rule


@transaction.atomic
def routing_rule_set_active(*, rule: RoutingRule, active: bool, actor, ip: str | None = None) -> RoutingRule:
    if actor is not None and not actor.access.can("tickets.routing", rule.area_id):
        raise PermissionDenied
    if (
        active
        and RoutingRule.objects.filter(
            kind=rule.kind, category=rule.category, area_id=rule.area_id, is_active=True
        )
        .exclude(pk=rule.pk)
        .exists()
    ):
        raise ValidationError(
            _("Another active rule covers the same kind and category here."), code="routing.duplicate"
        )
    rule.is_active = active
    rule.save(update_fields=["is_active"])
    audit_record(
        actor=actor, action="routing_rule.activate" if active else "routing_rule.deactivate", obj=rule, ip=ip
    )
    return rule

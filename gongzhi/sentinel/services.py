"""Every write of the sentinel app: reporting a lead, merging duplicates, keeping categories.

A lead is submitted, dispatched, resolved and closed by the ticket engine; nothing here
re-implements a step of its life cycle.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit.services import audit_record
from gongzhi.core.errors import field_error
from gongzhi.lib.geo import geohash_encode
from gongzhi.tickets.models import Action, State, Ticket, TicketEvent, Visibility
from gongzhi.tickets.policies import PartyRef
from gongzhi.tickets.services import ticket_cancel, ticket_dispatch, ticket_submit

from .models import GEOHASH_PRECISION, DuplicateReward, Lead, Open311Client, SentinelCategory
from .policy import KIND


@transaction.atomic
def lead_report(
    *,
    reporter,
    category: str,
    area,
    lat,
    lng,
    text: str,
    photos=(),
    address: str = "",
    extra: dict | None = None,
    token: str | None = None,
    ip: str | None = None,
) -> Ticket:
    """A sentinel reports a lead: photos, a position, a category and a short text.

    The engine checks everything (photos opened and re-encoded, the position inside the area);
    a routing rule of the area may dispatch it, otherwise it goes to the category's unit.
    """
    if lat in (None, "") or lng in (None, ""):
        raise field_error(
            "location", _("Share your position or pick the place on the map."), "sentinel.location"
        )
    text = (text or "").strip()
    if not text:
        raise field_error("text", _("Say in a few words what you saw."), "sentinel.text")
    ticket = ticket_submit(
        kind=KIND,
        category=category,
        area=area,
        title=text[:60],
        description=text if len(text) > 60 else "",
        submitter=reporter,
        lat=lat,
        lng=lng,
        address=address,
        photos=photos,
        extra=extra,
        ip=ip,
        auto_route=True,
    )
    row = SentinelCategory.objects.select_related("unit").get(code=category)
    Lead.objects.create(
        ticket=ticket,
        category=row,
        lat=ticket.lat,
        lng=ticket.lng,
        geohash=geohash_encode(ticket.lat, ticket.lng, GEOHASH_PRECISION),
        created_at=ticket.created_at,
        token=token,
    )
    if ticket.state == State.SUBMITTED and row.unit_id and row.unit.is_active:
        ticket_dispatch(
            ticket=ticket,
            parties=[PartyRef("org", row.unit_id, row.unit.name)],
            actor=None,
            note=_("Sent to %(unit)s, responsible for “%(category)s”.")
            % {"unit": row.unit.name, "category": row.name},
        )
    return ticket


@transaction.atomic
def lead_merge(*, duplicate: Ticket, into: Ticket, actor, ip: str | None = None) -> Lead:
    """The dispatcher merges a duplicate lead into an earlier one: the duplicate is cancelled in
    the engine, its reporter is told, and it shares the outcome of the one it joined."""
    leads = {
        lead.ticket_id: lead
        for lead in Lead.objects.select_for_update().filter(ticket_id__in=[duplicate.pk, into.pk])
    }
    dup, target = leads.get(duplicate.pk), leads.get(into.pk)
    if dup is None or target is None:
        raise field_error("into", _("Only sentinel leads can be merged."), "sentinel.merge_kind")
    if dup.pk == target.pk:
        raise field_error("into", _("A lead cannot be merged into itself."), "sentinel.merge_self")
    if target.merged_into_id is not None:
        raise field_error(
            "into", _("That lead was itself merged; choose the one it joined."), "sentinel.merge_chain"
        )
    if dup.category_id != target.category_id:
        raise field_error(
            "into", _("Only leads of the same category can be merged."), "sentinel.merge_category"
        )
    if dup.merged_into_id is not None:
        raise field_error("into", _("This lead is already merged."), "sentinel.merge_twice")
    scope = actor.access.scope("tickets.dispatch") if actor is not None else None
    if scope is None or not (scope.covers_area(into.area_id) and scope.covers_area(duplicate.area_id)):
        raise PermissionDenied
    ticket_cancel(
        ticket=duplicate,
        actor=actor,
        note=_("Same as lead %(number)s; merged, you will see its outcome here.") % {"number": into.number},
        ip=ip,
    )
    dup.merged_into = target
    dup.save(update_fields=["merged_into"])
    Lead.objects.filter(merged_into=dup).update(merged_into=target)
    audit_record(actor=actor, action="sentinel.merge", obj=duplicate, ip=ip, changes={"into": into.pk})
    return dup


def share_outcome(*, lead: Lead) -> None:
    """Write the outcome of a closed lead on the timeline of every lead merged into it."""
    ticket = lead.ticket
    note = _("The lead this one was merged into (%(number)s) is done: %(outcome)s") % {
        "number": ticket.number,
        "outcome": ticket.resolution_note or "-",
    }
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=m.ticket_id,
            actor_label="system",
            action=Action.COMMENT,
            from_state=State.CANCELLED,
            to_state=State.CANCELLED,
            visibility=Visibility.PUBLIC,
            note=note,
            data={"merged_into": ticket.pk},
        )
        for m in lead.merged.all()
    )


@dataclass(frozen=True)
class CategoryInput:
    code: str
    name: str
    unit: object | None
    deadline_hours: int
    reward_units: int = 1
    duplicate_radius_m: int = 150
    duplicate_window_hours: int = 72
    duplicate_reward: str = DuplicateReward.FIRST
    is_active: bool = True
    order: int = 0


def _require_manage(actor) -> None:
    if actor is None or not actor.access.has("sentinel.manage"):
        raise PermissionDenied


def _check(data: CategoryInput) -> None:
    errors: dict[str, list] = {}
    if not 1 <= data.deadline_hours <= 24 * 90:
        errors["deadline_hours"] = [
            ValidationError(_("Give a deadline between 1 hour and 90 days."), code="range")
        ]
    if not 10 <= data.duplicate_radius_m <= 2000:
        errors["duplicate_radius_m"] = [
            ValidationError(_("Give a radius between 10 and 2,000 metres."), code="range")
        ]
    if not 1 <= data.duplicate_window_hours <= 24 * 30:
        errors["duplicate_window_hours"] = [
            ValidationError(_("Give a window between 1 hour and 30 days."), code="range")
        ]
    if data.duplicate_reward not in DuplicateReward.values:
        errors["duplicate_reward"] = [ValidationError(_("Unknown reward policy."), code="choice")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def category_create(*, data: CategoryInput, actor, ip: str | None = None) -> SentinelCategory:
    _require_manage(actor)
    _check(data)
    if SentinelCategory.objects.filter(code=data.code).exists():
        raise field_error("code", _("A category with this code exists already."), "sentinel.code_taken")
    row = SentinelCategory.objects.create(**data.__dict__)
    audit_record(actor=actor, action="sentinel.category_create", obj=row, ip=ip, changes={"code": row.code})
    return row


@transaction.atomic
def category_update(
    *, category: SentinelCategory, data: CategoryInput, actor, ip: str | None = None
) -> SentinelCategory:
    _require_manage(actor)
    _check(data)
    if data.code != category.code:
        raise field_error("code", _("The code of a category cannot change."), "sentinel.code_fixed")
    changes = {}
    for name, value in data.__dict__.items():
        if getattr(category, name) != value:
            changes[name] = str(value)
            setattr(category, name, value)
    category.updated_at = timezone.now()
    category.save()
    audit_record(actor=actor, action="sentinel.category_update", obj=category, ip=ip, changes=changes)
    return category


# --- Open311 clients ---------------------------------------------------------------------------


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def client_issue(
    *, name: str, account, area, actor, contact: str = "", ip: str | None = None
) -> tuple[Open311Client, str]:
    """Issue an API key to an outside client; the key is returned once and only its hash is kept."""
    _require_manage(actor)
    name = (name or "").strip()
    if not name:
        raise field_error("name", _("Name the client."), "open311.client_name")
    if account is None or not account.is_active or not account.access.has("sentinel.report"):
        raise field_error(
            "account",
            _("Choose an active account that holds the sentinel permission."),
            "open311.client_account",
        )
    if area is None or not actor.access.can("sentinel.manage", area.code):
        raise field_error("area", _("Choose an area you manage."), "open311.client_area")
    prefix = secrets.token_hex(4)
    key = f"{prefix}.{secrets.token_urlsafe(24)}"
    client = Open311Client.objects.create(
        name=name[:100],
        contact=(contact or "")[:200],
        account=account,
        area=area,
        key_prefix=prefix,
        key_hash=_hash_key(key),
        created_by=actor,
    )
    audit_record(actor=actor, action="open311.client_issue", obj=client, ip=ip, changes={"name": client.name})
    return client, key


@transaction.atomic
def client_revoke(*, client: Open311Client, actor, ip: str | None = None) -> Open311Client:
    _require_manage(actor)
    if not actor.access.can("sentinel.manage", client.area_id):
        raise PermissionDenied
    if client.is_active:
        client.is_active = False
        client.revoked_at = timezone.now()
        client.save(update_fields=["is_active", "revoked_at"])
        audit_record(actor=actor, action="open311.client_revoke", obj=client, ip=ip, changes={})
    return client


def client_authenticate(key: str) -> Open311Client | None:
    """The active client holding this key, or None (constant-time comparison of the hashes)."""
    prefix, _sep, _rest = (key or "").partition(".")
    client = (
        Open311Client.objects.select_related("account").filter(key_prefix=prefix[:12], is_active=True).first()
    )
    if client is None or not hmac.compare_digest(client.key_hash, _hash_key(key)):
        return None
    Open311Client.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client

"""Every write of disputes and consumer complaints. The ticket engine moves the case through its
life (submit, dispatch, accept, resolve, close, reopen); these services add what the kinds need
around those steps and never re-implement one. Each runs in one transaction: a refused input
writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import subtree_q
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import field_error, idcode_error
from gongzhi.core.vault import protect, reveal
from gongzhi.directory.models import Organisation, OrgKind
from gongzhi.lib import idcodes
from gongzhi.points.models import Merchant, MerchantStatus
from gongzhi.tickets.models import QUEUE_STATES, WORKING_STATES, Party, State, Ticket
from gongzhi.tickets.policies import PartyRef, get_policy
from gongzhi.tickets.services import (
    check_location,
    hats,
    ticket_comment,
    ticket_dispatch,
    ticket_reassign,
    ticket_resolve,
    ticket_start,
    ticket_submit,
)

from .models import (
    MOBILE_CONTEXT,
    NAME_CONTEXT,
    Ask,
    Complaint,
    ComplaintOutcome,
    Dispute,
    DisputeOutcome,
    DisputeParty,
    MediationSession,
    PartyRole,
    Referral,
    SessionResult,
)
from .policy import COMPLAINT, DISPUTE

MAX_PARTIES = 6
MAX_AMOUNT = Decimal("10000000")


def _merge(errors: dict[str, list], exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            errors.setdefault(field, []).extend(errs)
    else:
        errors.setdefault("__all__", []).extend(exc.error_list)


def _error(errors: dict[str, list], field: str, message: str, code: str) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code))


def _submit_ticket(errors: dict[str, list], **kwargs) -> Ticket:
    """Submit through the engine, adding its complaints to ours so the user sees them together.

    With errors of our own nothing is submitted; the engine's cheap checks (category, position)
    still run so the form shows every bad field at once.
    """
    if errors:
        for check in (
            lambda: get_policy(kwargs["kind"]).category(kwargs["category"]),
            lambda: check_location(kwargs["area"], kwargs.get("lat"), kwargs.get("lng")),
        ):
            try:
                check()
            except ValidationError as exc:
                _merge(errors, exc)
        raise ValidationError(errors)
    try:
        return ticket_submit(**kwargs)
    except ValidationError as exc:
        _merge(errors, exc)
        raise ValidationError(errors) from None


def _title(text: str) -> str:
    return text[:60]


# --- disputes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyInput:
    name: str
    mobile: str = ""
    role: str = PartyRole.RESPONDENT


def _clean_parties(parties: list[PartyInput], errors: dict[str, list]) -> list[tuple[str, str, str]]:
    cleaned = []
    if not parties:
        _error(errors, "parties", _("Name at least one other party to the dispute."), "mediation.no_party")
        return cleaned
    if len(parties) > MAX_PARTIES:
        _error(
            errors,
            "parties",
            _("Name at most %(n)d parties.") % {"n": MAX_PARTIES},
            "mediation.too_many_parties",
        )
        return cleaned
    if not any(p.role == PartyRole.RESPONDENT for p in parties):
        _error(errors, "parties", _("Name at least one other party to the dispute."), "mediation.no_party")
    for i, p in enumerate(parties):
        field = f"parties.{i}"
        name = " ".join((p.name or "").split())
        if not name:
            _error(errors, f"{field}.name", _("Enter the party's name."), "mediation.party_name")
        elif len(name) > 50:
            _error(errors, f"{field}.name", _("Keep a name under 50 characters."), "mediation.party_name")
        if p.role not in PartyRole.values:
            _error(errors, f"{field}.role", _("Unknown role of a party."), "mediation.party_role")
        mobile = ""
        if (p.mobile or "").strip():
            try:
                mobile = idcodes.normalize_mobile(p.mobile)
            except idcodes.IdCodeError as exc:
                errors.setdefault(f"{field}.mobile", []).append(idcode_error(exc))
        cleaned.append((name, mobile, p.role))
    return cleaned


@transaction.atomic
def dispute_submit(
    *,
    submitter,
    area,
    category: str,
    text: str,
    parties: list[PartyInput],
    lat=None,
    lng=None,
    address: str = "",
    ip: str | None = None,
) -> Ticket:
    """A resident (or the community on their behalf) brings a dispute for mediation."""
    errors: dict[str, list] = {}
    text = (text or "").strip()
    if not text:
        _error(errors, "text", _("Say in a few words what the dispute is about."), "mediation.text")
    cleaned = _clean_parties(parties, errors)
    ticket = _submit_ticket(
        errors,
        kind=DISPUTE,
        category=category,
        area=area,
        title=_title(text) or "-",
        description=text if len(text) > 60 else "",
        submitter=submitter,
        lat=lat,
        lng=lng,
        address=address,
        ip=ip,
        auto_route=True,
    )
    dispute = Dispute.objects.create(ticket=ticket)
    DisputeParty.objects.bulk_create(
        [
            DisputeParty(
                dispute=dispute,
                role=role,
                order=i,
                name_enc=(n := protect(name, context=NAME_CONTEXT, mask=idcodes.mask_name)).enc,
                name_masked=n.masked,
                mobile_enc=(m := protect(mobile, context=MOBILE_CONTEXT, mask=idcodes.mask_mobile)).enc
                if mobile
                else "",
                mobile_masked=m.masked if mobile else "",
            )
            for i, (name, mobile, role) in enumerate(cleaned)
        ]
    )
    audit_record(
        actor=submitter,
        action="mediation.dispute_submit",
        obj=ticket,
        ip=ip,
        changes={"parties": len(cleaned)},
    )
    return ticket


def _case(ticket: Ticket, kind: str):
    model = Dispute if kind == DISPUTE else Complaint
    if ticket.kind != kind:
        raise field_error("ticket", _("This is not a case of that kind."), "mediation.wrong_kind")
    return model.objects.select_for_update().get(ticket=ticket)


def _staff_hats(ticket: Ticket, actor) -> set[str]:
    return hats(ticket, actor) & {Party.ASSIGNEE, Party.DISPATCHER, Party.SUPERVISOR}


# Who may take a case: disputes go to the task forces (攻坚队, organisations of kind "team");
# complaints to a team (e.g. the "3·15" consumer-rights alliance), a department or a mass or
# social organisation.
ASSIGNABLE_KINDS = {
    DISPUTE: (OrgKind.TEAM,),
    COMPLAINT: (OrgKind.TEAM, OrgKind.DEPARTMENT, OrgKind.MASS_ORG, OrgKind.SOCIAL_ORG),
}


def assignable_organisations(ticket: Ticket):
    """Active organisations of the kind's kinds whose area holds the ticket's community."""
    from gongzhi.areas.models import CODE_LENGTH, PREFIX_LENGTH

    above = {ticket.area_id[:n].ljust(CODE_LENGTH, "0") for n in PREFIX_LENGTH.values() if n <= CODE_LENGTH}
    return Organisation.objects.filter(
        is_active=True, kind__in=ASSIGNABLE_KINDS[ticket.kind], area_id__in=above
    ).order_by("area_id", "name")


@transaction.atomic
def case_assign(*, ticket: Ticket, organisation, actor, note: str = "", ip: str | None = None):
    """The community sends a dispute to a task force, or a complaint to who takes it up (派单);
    a case already with someone is reassigned (the reason is required by the engine)."""
    if organisation is None or not assignable_organisations(ticket).filter(pk=organisation.pk).exists():
        message = (
            _("Choose one of the task forces (攻坚队) serving this community.")
            if ticket.kind == DISPUTE
            else _("Choose an organisation serving this community.")
        )
        raise field_error("organisation", message, "mediation.organisation")
    party = PartyRef("org", organisation.pk, organisation.name)
    if ticket.state in QUEUE_STATES:
        return ticket_dispatch(ticket=ticket, parties=[party], actor=actor, note=note, ip=ip)
    return ticket_reassign(ticket=ticket, parties=[party], actor=actor, note=note, ip=ip)


def _check_working(ticket: Ticket) -> None:
    if ticket.state not in WORKING_STATES or ticket.state == State.DISPATCHED:
        raise ValidationError(
            _("Sessions and outcomes are recorded once the case has been accepted."),
            code="mediation.not_in_hand",
        )


@transaction.atomic
def session_record(
    *,
    ticket: Ticket,
    actor,
    held_on,
    mediators: str,
    result: str,
    notes: str = "",
    ip: str | None = None,
) -> MediationSession:
    """The mediators record a sitting; the first one starts the work on the ticket."""
    dispute = _case(ticket, DISPUTE)
    if not _staff_hats(ticket, actor):
        raise PermissionDenied
    _check_working(ticket)
    errors: dict[str, list] = {}
    today = timezone.localdate()
    if not isinstance(held_on, date):
        _error(errors, "held_on", _("Give the date of the session."), "mediation.session_date")
    elif held_on > today:
        _error(errors, "held_on", _("A session cannot be dated in the future."), "mediation.session_future")
    elif held_on < timezone.localtime(ticket.created_at).date():
        _error(
            errors,
            "held_on",
            _("A session cannot be dated before the dispute was brought."),
            "mediation.session_early",
        )
    mediators = " ".join((mediators or "").split())
    if not mediators:
        _error(errors, "mediators", _("Name the mediators."), "mediation.mediators")
    elif len(mediators) > 200:
        _error(errors, "mediators", _("Keep the mediators under 200 characters."), "mediation.mediators")
    if result not in SessionResult.values:
        _error(errors, "result", _("Choose the result of the session."), "mediation.session_result")
    notes = (notes or "").strip()
    if len(notes) > 4000:
        _error(errors, "notes", _("Keep the notes under 4,000 characters."), "mediation.notes")
    if errors:
        raise ValidationError(errors)
    if ticket.state == State.ACCEPTED and Party.ASSIGNEE in hats(ticket, actor):
        ticket_start(ticket=ticket, actor=actor, ip=ip)
    session = MediationSession.objects.create(
        dispute=dispute, held_on=held_on, mediators=mediators, notes=notes, result=result, recorded_by=actor
    )
    # The parties see that a sitting took place and its result; the notes stay with the mediators.
    ticket_comment(
        ticket=ticket,
        actor=actor,
        note=_("Mediation session on %(date)s: %(result)s.")
        % {"date": held_on.isoformat(), "result": SessionResult(result).label},
        ip=ip,
    )
    audit_record(
        actor=actor,
        action="mediation.session_record",
        obj=ticket,
        ip=ip,
        changes={"held_on": held_on.isoformat(), "result": result},
    )
    return session


def _clean_referral(referral: str, errors: dict[str, list]) -> str:
    referral = referral or ""
    if referral not in Referral.values:
        _error(errors, "referral", _("Unknown referral."), "mediation.referral")
    return referral


def _conclusion_case(ticket: Ticket, kind: str, actor, not_assignee: str):
    """The case row, locked, once the actor is the party handling the case and it is in hand."""
    case = _case(ticket, kind)
    if Party.ASSIGNEE not in hats(ticket, actor):
        raise ValidationError(not_assignee, code="mediation.not_assignee")
    if not outcome_missing(ticket, case):
        _check_working(ticket)
    return case


def outcome_missing(ticket: Ticket, case) -> bool:
    """Marked done on the ticket's own page without an outcome: it may still be recorded, as the
    case cannot close without it."""
    return ticket.state == State.RESOLVED and not case.has_current_outcome(ticket)


def _conclude(case, *, ticket: Ticket, actor, note: str, ip: str | None, changes: dict) -> None:
    """Resolve the ticket (the engine checks who may and when) and keep the outcome of this round;
    a ticket already marked done gets the outcome as a note on its timeline."""
    if ticket.state == State.RESOLVED:
        ticket_comment(ticket=ticket, actor=actor, note=note, ip=ip)
    else:
        ticket_resolve(ticket=ticket, actor=actor, note=note, ip=ip)
    case.outcome_round = ticket.reopen_count
    case.concluded_at = timezone.now()
    case.concluded_by = actor
    case.save()
    audit_record(actor=actor, action=f"mediation.{ticket.kind}_conclude", obj=ticket, ip=ip, changes=changes)


@transaction.atomic
def dispute_conclude(
    *,
    ticket: Ticket,
    actor,
    outcome: str,
    summary: str,
    agreement: str = "",
    referral: str = "",
    ip: str | None = None,
) -> Dispute:
    """The mediator records agreement reached (with its terms) or mediation failed (with a
    referral to the legal desk or the courts, if any); the case is then resolved."""
    dispute = _conclusion_case(
        ticket, DISPUTE, actor, _("Only the task force handling the dispute records its outcome.")
    )
    errors: dict[str, list] = {}
    if outcome not in DisputeOutcome.values:
        _error(errors, "outcome", _("Choose the outcome: agreement reached or failed."), "mediation.outcome")
    agreement = (agreement or "").strip()
    if outcome == DisputeOutcome.AGREEMENT and not agreement:
        _error(errors, "agreement", _("Write down the terms the parties agreed."), "mediation.agreement")
    if len(agreement) > 4000:
        _error(errors, "agreement", _("Keep the terms under 4,000 characters."), "mediation.agreement")
    referral = _clean_referral(referral, errors)
    if outcome == DisputeOutcome.AGREEMENT and referral:
        _error(
            errors,
            "referral",
            _("A settled dispute is not referred elsewhere."),
            "mediation.referral_settled",
        )
    if not dispute.sessions.exists():
        _error(errors, "outcome", _("Record at least one mediation session first."), "mediation.no_session")
    summary = (summary or "").strip()
    if not summary:
        summary = str(DisputeOutcome(outcome).label) if outcome in DisputeOutcome.values else ""
    if errors:
        raise ValidationError(errors)
    dispute.outcome, dispute.agreement, dispute.referral = outcome, agreement, referral
    if referral:
        summary = f"{summary} · {Referral(referral).label}"
    _conclude(
        dispute,
        ticket=ticket,
        actor=actor,
        note=summary,
        ip=ip,
        changes={"outcome": outcome, "referral": referral},
    )
    return dispute


REVEALABLE = {"name": ("name_enc", NAME_CONTEXT), "mobile": ("mobile_enc", MOBILE_CONTEXT)}


def party_reveal(*, party: DisputeParty, field: str, viewer, reason: str, ip: str | None = None) -> str:
    """The full name or phone of a party, for the office of the area or the task force handling
    the dispute, with a stated reason the audit log keeps. A refused look is audited too."""
    ticket = party.dispute.ticket
    if field not in REVEALABLE:
        raise field_error("field", _("This field cannot be revealed."), "mediation.reveal_field")
    allowed = viewer.access.can("mediation.reveal", ticket.area_id) or Party.ASSIGNEE in hats(ticket, viewer)
    if not allowed:
        audit_record(
            actor=viewer,
            action="mediation.party_reveal",
            obj=ticket,
            ip=ip,
            success=False,
            changes={"party": party.pk, "field": field},
        )
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise field_error("reason", _("State why you need it."), "mediation.reveal_reason")
    column, context = REVEALABLE[field]
    token = getattr(party, column)
    if not token:
        raise field_error("field", _("Nothing is recorded in this field."), "mediation.reveal_empty")
    audit_record(
        actor=viewer,
        action="mediation.party_reveal",
        obj=ticket,
        ip=ip,
        changes={"party": party.pk, "field": field, "reason": reason[:200]},
    )
    return reveal(token, context=context)


# --- consumer complaints -----------------------------------------------------------------------


def _clean_amount(amount, errors: dict[str, list]) -> Decimal:
    try:
        value = Decimal(str(amount).strip()) if amount not in (None, "") else None
    except (InvalidOperation, ValueError):
        value = None
        _error(errors, "amount", _("Enter the amount in yuan, e.g. 128.50."), "mediation.amount")
        return Decimal(0)
    if value is None:
        _error(errors, "amount", _("Enter the amount in yuan, e.g. 128.50."), "mediation.amount")
        return Decimal(0)
    if not value.is_finite():
        _error(errors, "amount", _("Enter the amount in yuan, e.g. 128.50."), "mediation.amount")
        return Decimal(0)
    if value < 0:
        _error(errors, "amount", _("The amount cannot be negative."), "mediation.amount_negative")
    elif value >= MAX_AMOUNT:
        _error(errors, "amount", _("The amount is too large."), "mediation.amount_large")
    elif value != value.quantize(Decimal("0.01")):
        _error(errors, "amount", _("Give the amount to the fen (two decimals)."), "mediation.amount")
    return value


def complaint_merchants(*, near_area_code: str = ""):
    """Caring merchants a consumer may complain about: active ones (of a county, if given)."""
    qs = Merchant.objects.filter(status=MerchantStatus.ACTIVE).select_related("organisation", "area")
    county = (near_area_code or "")[:6]
    if len(county) == 6 and county.isdigit():
        qs = qs.filter(subtree_q("area_id", county))
    return qs.order_by("organisation__name")


@transaction.atomic
def complaint_submit(
    *,
    submitter,
    area,
    category: str,
    merchant_id,
    amount,
    ask: str,
    text: str,
    purchased_on=None,
    ip: str | None = None,
) -> Ticket:
    """A consumer complains about a caring merchant: what went wrong, how much, what they ask."""
    errors: dict[str, list] = {}
    merchant = None
    try:
        merchant = complaint_merchants().filter(pk=int(merchant_id)).first()
    except (TypeError, ValueError):
        merchant = None
    if merchant is None:
        _error(
            errors,
            "merchant",
            _("Choose the merchant from the list of caring merchants."),
            "mediation.merchant_unknown",
        )
    value = _clean_amount(amount, errors)
    if ask not in Ask.values:
        _error(errors, "ask", _("Choose what you ask for."), "mediation.ask")
    if purchased_on is not None and (
        not isinstance(purchased_on, date) or purchased_on > timezone.localdate()
    ):
        _error(
            errors, "purchased_on", _("The purchase date cannot be in the future."), "mediation.purchased_on"
        )
    text = (text or "").strip()
    if not text:
        _error(errors, "text", _("Say in a few words what went wrong."), "mediation.text")
    title = _title(text)
    if merchant is not None and text:
        title = f"{merchant.organisation.name}：{text}"[:60]
    ticket = _submit_ticket(
        errors,
        kind=COMPLAINT,
        category=category,
        area=area,
        title=title or "-",
        description=text if len(text) > 60 else "",
        submitter=submitter,
        ip=ip,
        auto_route=True,
    )
    Complaint.objects.create(
        ticket=ticket,
        merchant=merchant,
        merchant_name=merchant.organisation.name,
        amount=value,
        ask=ask,
        purchased_on=purchased_on,
    )
    audit_record(
        actor=submitter,
        action="mediation.complaint_submit",
        obj=ticket,
        ip=ip,
        changes={"merchant": merchant.pk, "amount": str(value), "ask": ask},
    )
    return ticket


@transaction.atomic
def complaint_conclude(
    *, ticket: Ticket, actor, outcome: str, summary: str, referral: str = "", ip: str | None = None
) -> Complaint:
    """Who took the complaint up records how it ended (and a referral to the legal desk, if any)."""
    complaint = _conclusion_case(
        ticket, COMPLAINT, actor, _("Only the party handling the complaint records its outcome.")
    )
    errors: dict[str, list] = {}
    if outcome not in ComplaintOutcome.values:
        _error(errors, "outcome", _("Choose the outcome of the complaint."), "mediation.outcome")
    referral = _clean_referral(referral, errors)
    summary = (summary or "").strip()
    if not summary:
        _error(errors, "summary", _("Say what was done."), "mediation.summary")
    if errors:
        raise ValidationError(errors)
    complaint.outcome, complaint.referral = outcome, referral
    note = f"{ComplaintOutcome(outcome).label}: {summary}"
    if referral:
        note = f"{note} · {Referral(referral).label}"
    _conclude(
        complaint,
        ticket=ticket,
        actor=actor,
        note=note,
        ip=ip,
        changes={"outcome": outcome, "referral": referral},
    )
    return complaint

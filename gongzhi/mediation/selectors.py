"""Reads of disputes and complaints: every list and single case starts from the tickets the viewer
may see (``Ticket.objects.visible_to``); figures from the tickets of the viewer's area scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404

from gongzhi.areas.models import Area, Level, subtree_q
from gongzhi.tickets.models import OPEN_STATES, Party, Ticket
from gongzhi.tickets.selectors import ticket_get
from gongzhi.tickets.services import hats

from .models import Complaint, ComplaintOutcome, Dispute, DisputeOutcome, DisputeParty
from .policy import COMPLAINT, DISPUTE, ComplaintPolicy, DisputePolicy

LIST_RELATED = ("area", "assignee_org", "assignee_user")


def case_list(
    *, viewer, kind: str, state: str = "", q: str = "", merchant_id: int | None = None
) -> QuerySet[Ticket]:
    """Cases of one kind the viewer may see (the office's area, the task force's own), newest first."""
    qs = Ticket.objects.visible_to(viewer).filter(kind=kind).select_related(*LIST_RELATED)
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(title__icontains=q[:50])
    if kind == COMPLAINT:
        qs = qs.select_related("complaint")
        if merchant_id:
            qs = qs.filter(complaint__merchant_id=merchant_id)
    elif kind == DISPUTE:
        qs = qs.select_related("dispute")
    return qs.order_by("-created_at", "-id")


def home_areas(*, viewer) -> tuple[QuerySet[Area], str | None]:
    """Communities the viewer may bring a case in (those of their county or counties), and their
    own community, if they belong to one, to preselect."""
    memberships = [m for m in viewer.access.memberships if m.area_id]
    if not memberships:
        return Area.objects.none(), None
    q = Q()
    for county in {m.area_id[:6] for m in memberships}:
        q |= subtree_q("code", county)
    home = next((m.area_id for m in memberships if m.area.level in (Level.VILLAGE, Level.GRID)), None)
    return Area.objects.filter(q, level__in=(Level.VILLAGE, Level.GRID)).order_by("code"), home


def my_cases(*, viewer) -> QuerySet[Ticket]:
    return (
        Ticket.objects.submitted_by(viewer)
        .filter(kind__in=(DISPUTE, COMPLAINT))
        .select_related(*LIST_RELATED)
        .order_by("-created_at", "-id")
    )


def case_get(*, viewer, pk, kind: str) -> Ticket:
    """One case the viewer may see; another kind's ticket looks like no ticket at all."""
    ticket = ticket_get(viewer=viewer, pk=pk)
    if ticket.kind != kind:
        raise Http404
    return ticket


def is_staff_on(ticket: Ticket, viewer) -> bool:
    """The office of the area or the party handling the case (not only its submitter)."""
    return bool(hats(ticket, viewer) - {Party.SUBMITTER}) or viewer.access.can("tickets.view", ticket.area_id)


@dataclass
class DisputeView:
    ticket: Ticket
    dispute: Dispute
    parties: list[DisputeParty]
    sessions: list
    show_notes: bool


def dispute_detail(*, viewer, ticket: Ticket) -> DisputeView:
    dispute = Dispute.objects.get(ticket=ticket)
    staff = is_staff_on(ticket, viewer)
    return DisputeView(
        ticket=ticket,
        dispute=dispute,
        parties=list(dispute.parties.all()),
        sessions=list(dispute.sessions.select_related("recorded_by")),
        show_notes=staff,
    )


def party_get(*, viewer, ticket_pk, party_pk) -> DisputeParty:
    ticket = case_get(viewer=viewer, pk=ticket_pk, kind=DISPUTE)
    party = (
        DisputeParty.objects.select_related("dispute__ticket").filter(pk=party_pk, dispute=ticket.pk).first()
    )
    if party is None:
        raise Http404
    return party


def complaint_detail(*, ticket: Ticket) -> Complaint:
    return Complaint.objects.select_related("merchant__area").get(ticket=ticket)


# --- figures -------------------------------------------------------------------------------------

GROUPS = ("area", "category", "month")


def _group(by: str, prefix: str = "ticket__"):
    return {
        "area": F(f"{prefix}area__name"),
        "category": F(f"{prefix}category"),
        "month": TruncMonth(f"{prefix}created_at"),
    }[by]


def _key(by: str, value, labels: dict) -> str:
    if by == "month" and value is not None:
        return f"{value:%Y-%m}"
    if by == "category":
        return str(labels.get(value, value))
    return str(value or "-")


@dataclass(frozen=True)
class DisputeFigures:
    key: str
    received: int
    concluded: int
    agreement: int
    failed: int
    referred: int

    @property
    def agreement_rate(self) -> float | None:
        """Disputes settled by agreement among those mediated to an outcome."""
        return round(100 * self.agreement / self.concluded, 1) if self.concluded else None


def dispute_figures(*, viewer, by: str = "area") -> tuple[DisputeFigures, list[DisputeFigures]]:
    """Disputes received, mediated to an outcome, settled by agreement, failed and referred, in
    the viewer's area scope: the total and one row per area, type or month."""
    by = by if by in GROUPS else "area"
    tickets = Ticket.objects.in_area_scope(viewer).filter(kind=DISPUTE)
    measures = {
        "received": Count("pk"),
        "concluded": Count("pk", filter=~Q(outcome="")),
        "agreement": Count("pk", filter=Q(outcome=DisputeOutcome.AGREEMENT)),
        "failed": Count("pk", filter=Q(outcome=DisputeOutcome.FAILED)),
        "referred": Count("pk", filter=~Q(referral="")),
    }
    base = Dispute.objects.filter(ticket__in=tickets)
    total = DisputeFigures("total", **base.aggregate(**measures))
    labels = {c.code: c.label for c in DisputePolicy.categories}
    rows = base.annotate(key=_group(by)).values("key").annotate(**measures).order_by("key")
    return total, [
        DisputeFigures(_key(by, r.pop("key"), labels), **{k: r[k] for k in measures}) for r in rows
    ]


@dataclass(frozen=True)
class ComplaintFigures:
    key: str
    received: int
    open: int
    upheld: int
    partly: int
    not_upheld: int
    withdrawn: int
    referred: int
    merchant_id: int | None = None

    @property
    def counted(self) -> int:
        return self.upheld + self.partly


def _complaint_measures() -> dict:
    return {
        "received": Count("pk"),
        "open": Count("pk", filter=Q(ticket__state__in=OPEN_STATES)),
        "upheld": Count("pk", filter=Q(outcome=ComplaintOutcome.UPHELD)),
        "partly": Count("pk", filter=Q(outcome=ComplaintOutcome.PARTLY)),
        "not_upheld": Count("pk", filter=Q(outcome=ComplaintOutcome.NOT_UPHELD)),
        "withdrawn": Count("pk", filter=Q(outcome=ComplaintOutcome.WITHDRAWN)),
        "referred": Count("pk", filter=~Q(referral="")),
    }


def complaint_figures(*, viewer, by: str = "merchant") -> tuple[ComplaintFigures, list[ComplaintFigures]]:
    """Complaints in the viewer's area scope by outcome: the total and one row per merchant
    (most counted against it first), area, category or month."""
    by = by if by in (*GROUPS, "merchant") else "merchant"
    tickets = Ticket.objects.in_area_scope(viewer).filter(kind=COMPLAINT)
    measures = _complaint_measures()
    base = Complaint.objects.filter(ticket__in=tickets)
    total = ComplaintFigures("total", **base.aggregate(**measures))
    if by == "merchant":
        rows = base.values("merchant_id", "merchant_name").annotate(**measures).order_by("merchant_name")
        out = [
            ComplaintFigures(r["merchant_name"], merchant_id=r["merchant_id"], **{k: r[k] for k in measures})
            for r in rows
        ]
        return total, sorted(out, key=lambda f: (-f.counted, -f.received, f.key))
    labels = {c.code: c.label for c in ComplaintPolicy.categories}
    rows = base.annotate(key=_group(by)).values("key").annotate(**measures).order_by("key")
    return total, [
        ComplaintFigures(_key(by, r.pop("key"), labels), **{k: r[k] for k in measures}) for r in rows
    ]


@dataclass(frozen=True)
class CivilityRecord:
    """Consumer complaints counted against a caring merchant (文明商户: 无假货、明标价、优服务)."""

    merchant_id: int
    received: int
    open: int
    counted: int  # upheld in full or in part
    not_upheld: int
    withdrawn: int
    referred: int


def merchant_civility_record(*, merchant) -> CivilityRecord:
    """Every complaint about the merchant, wherever it was lodged: the record is the merchant's
    own and holds counts only, never a complainant, so it is not cut to the reader's area."""
    row = ComplaintFigures(
        "", **Complaint.objects.filter(merchant=merchant).aggregate(**_complaint_measures())
    )
    return CivilityRecord(
        merchant_id=merchant.pk,
        received=row.received,
        open=row.open,
        counted=row.counted,
        not_upheld=row.not_upheld,
        withdrawn=row.withdrawn,
        referred=row.referred,
    )

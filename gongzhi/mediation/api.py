"""Disputes and consumer complaints over JSON: submit, list, read, assign, accept, sessions,
outcomes, an audited reveal of a party, figures, and a merchant's civility record. The shared
life-cycle actions (close, reopen, escalate, rate, notes) are the ticket API's
(``/api/v1/tickets/{id}/...``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.areas.selectors import area_required
from gongzhi.core.errors import client_ip
from gongzhi.core.schemas import Page
from gongzhi.points.selectors import merchant_get
from gongzhi.tickets.schemas import EventOut, TicketListOut
from gongzhi.tickets.selectors import ticket_timeline
from gongzhi.tickets.services import allowed_actions, ticket_accept

from . import selectors, services
from .models import PartyRole
from .policy import COMPLAINT, DISPUTE

router = Router(tags=["mediation"])


class PartyIn(Schema):
    name: str = Field(..., max_length=50)
    mobile: str = Field("", max_length=20)
    role: str = Field(PartyRole.RESPONDENT, description="applicant or respondent")


class DisputeIn(Schema):
    area_code: str = Field(..., min_length=12, max_length=15)
    category: str = Field(..., max_length=40, description="the dispute type, e.g. neighbour, family, labour")
    text: str = Field(..., max_length=2000)
    parties: list[PartyIn] = Field(..., max_length=6)


class ComplaintIn(Schema):
    area_code: str = Field(..., min_length=12, max_length=15)
    category: str = Field(..., max_length=40, description="goods, price, service or other")
    merchant_id: int
    amount: Decimal = Field(..., description="yuan, two decimals at most, not negative")
    ask: str = Field(..., description="refund, replacement, apology or other")
    text: str = Field(..., max_length=2000)
    purchased_on: date | None = None


class AssignIn(Schema):
    organisation_id: int
    note: str = Field("", max_length=2000)


class SessionIn(Schema):
    held_on: date
    mediators: str = Field(..., max_length=200)
    result: str = Field(..., description="agreement, progress or no_agreement")
    notes: str = Field("", max_length=4000)


class DisputeConcludeIn(Schema):
    outcome: str = Field(..., description="agreement or failed")
    agreement: str = Field("", max_length=4000)
    referral: str = Field("", description="'', legal_desk or court")
    summary: str = Field("", max_length=2000)


class ComplaintConcludeIn(Schema):
    outcome: str = Field(..., description="upheld, partly, not_upheld or withdrawn")
    summary: str = Field(..., max_length=2000)
    referral: str = Field("", description="'', legal_desk or court")


class RevealIn(Schema):
    field: str = Field(..., description="name or mobile")
    reason: str = Field(..., max_length=200)


class RevealOut(Schema):
    party: int
    field: str
    value: str


class PartyOut(Schema):
    id: int
    role: str
    name: str = Field(..., description="masked")
    mobile: str = Field(..., description="masked")


class SessionOut(Schema):
    held_on: date
    mediators: str
    result: str
    notes: str | None = Field(None, description="for the mediators and the office only")


class CaseOut(TicketListOut):
    outcome: str
    referral: str
    concluded_at: datetime | None
    timeline: list[EventOut]
    allowed_actions: list[str]


class DisputeOut(CaseOut):
    agreement: str
    parties: list[PartyOut]
    sessions: list[SessionOut]


class ComplaintOut(CaseOut):
    merchant_id: int | None = Field(..., description="None once the merchant left the directory")
    merchant: str
    amount: Decimal
    ask: str
    purchased_on: date | None


def _case_payload(viewer, ticket, case, **more):
    """The ticket itself (the list schema's resolvers read it) with what the kind adds."""
    ticket.refresh_from_db()
    ticket.outcome, ticket.referral, ticket.concluded_at = case.outcome, case.referral, case.concluded_at
    ticket.timeline = list(ticket_timeline(ticket=ticket, viewer=viewer))
    ticket.allowed_actions = sorted(allowed_actions(ticket, viewer))
    for name, value in more.items():
        setattr(ticket, name, value)
    return ticket


def _dispute_out(viewer, ticket):
    view = selectors.dispute_detail(viewer=viewer, ticket=ticket)
    return _case_payload(
        viewer,
        ticket,
        view.dispute,
        agreement=view.dispute.agreement,
        parties=[
            {"id": p.pk, "role": p.role, "name": p.name_masked, "mobile": p.mobile_masked}
            for p in view.parties
        ],
        sessions=[
            {
                "held_on": s.held_on,
                "mediators": s.mediators,
                "result": s.result,
                "notes": s.notes if view.show_notes else None,
            }
            for s in view.sessions
        ],
    )


def _complaint_out(viewer, ticket):
    complaint = selectors.complaint_detail(ticket=ticket)
    return _case_payload(
        viewer,
        ticket,
        complaint,
        merchant_id=complaint.merchant_id,
        merchant=complaint.merchant_name,
        amount=complaint.amount,
        ask=complaint.ask,
        purchased_on=complaint.purchased_on,
    )


def _figures(total, rows, *, derived: str) -> dict:
    """Figures as JSON: each row's counts and the one figure derived from them."""

    def out(f):
        return {**f.__dict__, derived: getattr(f, derived)}

    return {"total": out(total), "rows": [out(r) for r in rows]}


OUT = {DISPUTE: _dispute_out, COMPLAINT: _complaint_out}


def _organisation(ticket, pk: int):
    """The organisation, if it may take this case; otherwise None, which the service refuses."""
    return services.assignable_organisations(ticket).filter(pk=pk).first()


# --- disputes ----------------------------------------------------------------------------------


@router.post("/disputes", response={201: DisputeOut}, summary="Bring a dispute for mediation")
def dispute_submit(request, payload: DisputeIn):
    ticket = services.dispute_submit(
        submitter=request.auth,
        area=area_required(payload.area_code),
        category=payload.category,
        text=payload.text,
        parties=[services.PartyInput(p.name, p.mobile, p.role) for p in payload.parties],
        ip=client_ip(request),
    )
    return Status(201, _dispute_out(request.auth, ticket))


@router.get("/disputes", response=list[TicketListOut], summary="Disputes I may see (office, task force)")
@paginate(Page)
def dispute_list(request, state: str = Query("", max_length=12), q: str = Query("", max_length=50)):
    return selectors.case_list(viewer=request.auth, kind=DISPUTE, state=state, q=q)


@router.get("/mine", response=list[TicketListOut], summary="Disputes and complaints I brought")
@paginate(Page)
def mine(request):
    return selectors.my_cases(viewer=request.auth)


@router.get("/disputes/figures", summary="Disputes mediated and the agreement rate in my areas")
def dispute_figures(request, by: str = Query("area", pattern="^(area|category|month)$")):
    return _figures(*selectors.dispute_figures(viewer=request.auth, by=by), derived="agreement_rate")


@router.get("/disputes/{ticket_id}", response=DisputeOut, summary="One dispute: parties (masked), sessions")
def dispute_get(request, ticket_id: int):
    return _dispute_out(request.auth, selectors.case_get(viewer=request.auth, pk=ticket_id, kind=DISPUTE))


def _assign(request, kind: str, ticket_id: int, payload: AssignIn):
    ticket = selectors.case_get(viewer=request.auth, pk=ticket_id, kind=kind)
    services.case_assign(
        ticket=ticket,
        organisation=_organisation(ticket, payload.organisation_id),
        actor=request.auth,
        note=payload.note,
        ip=client_ip(request),
    )
    return OUT[kind](request.auth, ticket)


def _accept(request, kind: str, ticket_id: int):
    ticket = selectors.case_get(viewer=request.auth, pk=ticket_id, kind=kind)
    ticket_accept(ticket=ticket, actor=request.auth, ip=client_ip(request))
    return OUT[kind](request.auth, ticket)


@router.post("/disputes/{ticket_id}/assign", response=DisputeOut, summary="Send to a task force (攻坚队)")
def dispute_assign(request, ticket_id: int, payload: AssignIn):
    return _assign(request, DISPUTE, ticket_id, payload)


@router.post("/disputes/{ticket_id}/accept", response=DisputeOut, summary="The task force takes the dispute")
def dispute_accept(request, ticket_id: int):
    return _accept(request, DISPUTE, ticket_id)


@router.post(
    "/disputes/{ticket_id}/sessions", response={201: DisputeOut}, summary="Record a mediation session"
)
def session_record(request, ticket_id: int, payload: SessionIn):
    ticket = selectors.case_get(viewer=request.auth, pk=ticket_id, kind=DISPUTE)
    services.session_record(ticket=ticket, actor=request.auth, ip=client_ip(request), **payload.dict())
    return Status(201, _dispute_out(request.auth, ticket))


@router.post(
    "/disputes/{ticket_id}/conclude", response=DisputeOut, summary="Agreement reached or failed (resolves it)"
)
def dispute_conclude(request, ticket_id: int, payload: DisputeConcludeIn):
    ticket = selectors.case_get(viewer=request.auth, pk=ticket_id, kind=DISPUTE)
    services.dispute_conclude(ticket=ticket, actor=request.auth, ip=client_ip(request), **payload.dict())
    return _dispute_out(request.auth, ticket)


@router.post(
    "/disputes/{ticket_id}/parties/{party_id}/reveal",
    response=RevealOut,
    summary="A party's full name or phone (audited, with a reason)",
)
def party_reveal(request, ticket_id: int, party_id: int, payload: RevealIn):
    party = selectors.party_get(viewer=request.auth, ticket_pk=ticket_id, party_pk=party_id)
    value = services.party_reveal(
        party=party, field=payload.field, viewer=request.auth, reason=payload.reason, ip=client_ip(request)
    )
    return {"party": party.pk, "field": payload.field, "value": value}


# --- complaints --------------------------------------------------------------------------------


class MerchantOut(Schema):
    id: int
    name: str
    area_code: str
    area_name: str


@router.get(
    "/complaints/merchants", response=list[MerchantOut], summary="Caring merchants one may complain about"
)
@paginate(Page)
def complaint_merchants(request, area_code: str = Query("", max_length=15)):
    return [
        {"id": m.pk, "name": m.organisation.name, "area_code": m.area_id, "area_name": m.area.name}
        for m in services.complaint_merchants(near_area_code=area_code)
    ]


@router.post("/complaints", response={201: ComplaintOut}, summary="Complain about a caring merchant")
def complaint_submit(request, payload: ComplaintIn):
    ticket = services.complaint_submit(
        submitter=request.auth,
        area=area_required(payload.area_code),
        category=payload.category,
        merchant_id=payload.merchant_id,
        amount=payload.amount,
        ask=payload.ask,
        text=payload.text,
        purchased_on=payload.purchased_on,
        ip=client_ip(request),
    )
    return Status(201, _complaint_out(request.auth, ticket))


@router.get("/complaints", response=list[TicketListOut], summary="Complaints I may see")
@paginate(Page)
def complaint_list(
    request,
    state: str = Query("", max_length=12),
    q: str = Query("", max_length=50),
    merchant_id: int | None = None,
):
    return selectors.case_list(viewer=request.auth, kind=COMPLAINT, state=state, q=q, merchant_id=merchant_id)


@router.get("/complaints/figures", summary="Complaints by merchant (or area, type, month) and outcome")
def complaint_figures(request, by: str = Query("merchant", pattern="^(merchant|area|category|month)$")):
    return _figures(*selectors.complaint_figures(viewer=request.auth, by=by), derived="counted")


@router.get("/complaints/{ticket_id}", response=ComplaintOut, summary="One complaint")
def complaint_get(request, ticket_id: int):
    return _complaint_out(request.auth, selectors.case_get(viewer=request.auth, pk=ticket_id, kind=COMPLAINT))


@router.post("/complaints/{ticket_id}/assign", response=ComplaintOut, summary="Send to who takes it up")
def complaint_assign(request, ticket_id: int, payload: AssignIn):
    return _assign(request, COMPLAINT, ticket_id, payload)


@router.post("/complaints/{ticket_id}/accept", response=ComplaintOut, summary="Take the complaint up")
def complaint_accept(request, ticket_id: int):
    return _accept(request, COMPLAINT, ticket_id)


@router.post(
    "/complaints/{ticket_id}/conclude", response=ComplaintOut, summary="Record the outcome (resolves it)"
)
def complaint_conclude(request, ticket_id: int, payload: ComplaintConcludeIn):
    ticket = selectors.case_get(viewer=request.auth, pk=ticket_id, kind=COMPLAINT)
    services.complaint_conclude(ticket=ticket, actor=request.auth, ip=client_ip(request), **payload.dict())
    return _complaint_out(request.auth, ticket)


# --- the merchant's civility record ------------------------------------------------------------


class CivilityOut(Schema):
    merchant_id: int
    received: int
    open: int
    counted: int = Field(..., description="complaints upheld in full or in part")
    not_upheld: int
    withdrawn: int
    referred: int


@router.get(
    "/merchants/{merchant_id}/record", response=CivilityOut, summary="Complaints counted against a merchant"
)
def merchant_record(request, merchant_id: int):
    # The merchant page's own selector decides who may read about the merchant (scoped, 404 if not).
    merchant = merchant_get(viewer=request.auth, pk=merchant_id)
    return selectors.merchant_civility_record(merchant=merchant).__dict__

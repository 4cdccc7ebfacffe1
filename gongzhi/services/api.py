"""The three lists and service orders over JSON: the catalogue, placing an order, the dispatch
queue with ranked suggestions, and the lists themselves."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.accounts.models import User
from gongzhi.areas.selectors import area_required
from gongzhi.core.errors import client_ip, field_error
from gongzhi.core.schemas import Page
from gongzhi.directory.selectors import organisation_get
from gongzhi.people.selectors import person_get
from gongzhi.tickets.schemas import TicketListOut, TicketOut

from . import selectors, services
from .categories import CATEGORIES
from .models import ServiceOffering

router = Router(tags=["services"])


class CategoryOut(Schema):
    code: str
    label: str
    group: str


class OfferingOut(Schema):
    id: int
    title: str
    description: str
    category: str
    category_label: str
    provider_id: int
    provider: str
    area_code: str
    area_name: str
    capacity: int
    is_free: bool
    price: str
    schedule: str
    is_active: bool

    @staticmethod
    def resolve_category_label(obj) -> str:
        return str(obj.get_category_display())

    @staticmethod
    def resolve_provider(obj) -> str:
        return obj.provider.name

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.area.name


class OrderIn(Schema):
    area_code: str = Field(..., min_length=12, max_length=15, description="your community")
    offering_id: int | None = Field(None, ge=1, description="a service list entry; or give a category")
    category: str = Field("", max_length=40)
    title: str = Field("", max_length=120)
    description: str = Field("", max_length=2000)
    preferred_time: str = Field("", max_length=60)
    people: int = Field(1, ge=1, le=50)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    address: str = Field("", max_length=200)
    urgent: bool = False


class OrderOut(TicketOut):
    offered_to: list[str] = Field(
        ..., description="the providers it was offered to at once by a rule, if any"
    )


class QueueRowOut(Schema):
    ticket: TicketListOut
    suggestions: list[dict]


class NeedOut(Schema):
    id: int
    title: str
    description: str
    category: str
    area_code: str
    subject: str
    person_id: int | None
    person_name: str
    group_tag: str
    beneficiaries: int
    urgency: int
    source: str
    status: str
    frequency: str
    created_at: datetime

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name if obj.person_id else ""


class NeedIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    category: str
    area_code: str = Field(..., min_length=12, max_length=15)
    subject: str = Field("person", pattern="^(person|group)$")
    person_id: int | None = None
    group_tag: str = ""
    beneficiaries: int = Field(1, ge=1, le=100_000)
    urgency: int = Field(2, ge=1, le=4)
    source: str = "visit"
    frequency: str = Field("", max_length=40)
    description: str = Field("", max_length=2000)


class NeedPatch(Schema):
    title: str | None = Field(None, max_length=120)
    category: str | None = None
    urgency: int | None = Field(None, ge=1, le=4)
    status: str | None = None
    frequency: str | None = Field(None, max_length=40)
    description: str | None = Field(None, max_length=2000)
    beneficiaries: int | None = Field(None, ge=1, le=100_000)


class ResourceOut(Schema):
    id: int
    name: str
    kind: str
    organisation_id: int | None
    user_id: int | None
    categories: list[str]
    skills: list[str]
    area_code: str
    capacity: int
    availability: str
    is_available: bool
    contact_name: str
    contact_phone: str = Field(..., description="masked")
    is_active: bool

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id

    @staticmethod
    def resolve_contact_phone(obj) -> str:
        return obj.contact_phone_masked


class ResourceIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    kind: str
    area_code: str = Field(..., min_length=12, max_length=15)
    organisation_id: int | None = None
    user_id: int | None = None
    categories: list[str] = []
    skills: list[str] = []
    capacity: int = Field(3, ge=1, le=10_000)
    availability: str = Field("", max_length=100)
    is_available: bool = True
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    address: str = Field("", max_length=200)
    contact_name: str = Field("", max_length=50)
    contact_phone: str | None = Field(None, max_length=20)
    note: str = Field("", max_length=300)


class ResourcePatch(Schema):
    name: str | None = Field(None, max_length=120)
    categories: list[str] | None = None
    skills: list[str] | None = None
    capacity: int | None = Field(None, ge=1, le=10_000)
    availability: str | None = Field(None, max_length=100)
    is_available: bool | None = None
    is_active: bool | None = None


class OfferingIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    category: str
    provider_id: int = Field(..., ge=1)
    area_code: str = Field(..., min_length=12, max_length=15)
    capacity: int = Field(5, ge=1, le=10_000)
    is_free: bool = True
    price: str = Field("", max_length=40)
    schedule: str = Field("", max_length=100)
    description: str = Field("", max_length=2000)


class OfferingPatch(Schema):
    title: str | None = Field(None, max_length=120)
    capacity: int | None = Field(None, ge=1, le=10_000)
    is_free: bool | None = None
    price: str | None = Field(None, max_length=40)
    schedule: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=2000)
    is_active: bool | None = None


class ListFilter(Schema):
    area_code: str = ""
    category: str = ""
    q: str = Field("", max_length=50)


@router.get("/categories", response=list[CategoryOut], summary="Service categories")
def category_list(request):
    return [{"code": c.code, "label": str(c.label), "group": c.group} for c in CATEGORIES]


@router.get("/catalogue", response=list[OfferingOut], summary="Services I can order in my community")
@paginate(Page)
def catalogue(request, area_code: str = "", category: str = ""):
    homes = selectors.home_communities(viewer=request.auth)
    area = next((a for a in homes if a.code == area_code), homes[0] if homes else None)
    if area is None:
        return []
    return selectors.catalogue(viewer=request.auth, area=area, category=category)


@router.post(
    "/orders",
    response={201: OrderOut},
    summary="Place a service order (点单); the community's rules may dispatch it at once",
)
def order_place(request, payload: OrderIn):
    offering = None
    if payload.offering_id:
        offering = ServiceOffering.objects.visible_to(request.auth).filter(pk=payload.offering_id).first()
        if offering is None:
            raise field_error("offering_id", _("That service is not listed for you."), "order.offering")
    ticket = services.order_place(
        resident=request.auth,
        area=area_required(payload.area_code),
        offering=offering,
        category=payload.category,
        title=payload.title,
        description=payload.description,
        preferred_time=payload.preferred_time,
        people=payload.people,
        lat=payload.lat,
        lng=payload.lng,
        address=payload.address,
        urgent=payload.urgent,
        ip=client_ip(request),
    )
    ticket.offered_to = [o.party_label for o in ticket.routed_offers]  # as written, not read back
    return Status(201, ticket)


def _suggestion(s) -> dict:
    return {
        "party": {"type": s.party.type, "id": s.party.id, "label": s.party.label},
        "cost": s.cost,
        "cost_km": s.cost_km,
        "components": s.components,
        "facts": s.facts,
        "reasons": list(s.reasons),
        "eligible": s.eligible,
    }


@router.get(
    "/queue",
    response=list[QueueRowOut],
    summary="Service orders waiting for dispatch, with the top suggestions",
)
@paginate(Page)
def order_queue(request, category: str = ""):
    qs = selectors.order_queue(viewer=request.auth, category=category)
    return _RankedPage(qs)


class _RankedPage:
    """A queryset wrapper whose slices come back with suggestions (ranked for that page only)."""

    def __init__(self, qs):
        self.qs = qs

    def count(self):
        return self.qs.count()

    def __getitem__(self, item):
        return [
            {"ticket": t, "suggestions": [_suggestion(s) for s in ranked]}
            for t, ranked in selectors.with_suggestions(self.qs[item])
        ]


class PlanPairOut(Schema):
    ticket_id: int
    title: str
    provider: dict | None
    greedy_provider: dict | None
    cost: float | None
    terms: dict[str, float]


class PlanOut(Schema):
    orders: int
    providers: int
    optimal_assigned: int
    greedy_assigned: int
    optimal_cost: float
    greedy_cost: float
    greedy_extra_pct: float | None = Field(
        ..., description="how much costlier greedy is than the optimum, in %"
    )
    proven_optimal: bool
    gap: float | None
    seconds: float
    pairs: list[PlanPairOut]


class DispatchAllOut(Schema):
    dispatched: int
    skipped: int
    plan: PlanOut


def _party(f) -> dict | None:
    return {"type": f.party.type, "id": f.party.id, "label": f.party.label} if f is not None else None


def _plan_out(p) -> dict:
    return {
        "orders": p.orders,
        "providers": p.providers,
        "optimal_assigned": p.optimal_assigned,
        "greedy_assigned": p.greedy_assigned,
        "optimal_cost": p.optimal_cost,
        "greedy_cost": p.greedy_cost,
        "greedy_extra_pct": p.saving_pct,
        "proven_optimal": p.proven_optimal,
        "gap": p.gap,
        "seconds": p.seconds,
        "pairs": [
            {
                "ticket_id": x.ticket.pk,
                "title": x.ticket.title,
                "provider": _party(x.provider),
                "greedy_provider": _party(x.greedy),
                "cost": x.cost,
                "terms": x.terms,
            }
            for x in p.pairs
        ],
    }


@router.get(
    "/queue/plan",
    response=PlanOut,
    summary="Every waiting order assigned at once: the optimal plan and the greedy baseline",
)
def queue_plan(request):
    from django.core.exceptions import PermissionDenied

    from .batch import plan

    if not request.auth.access.has("tickets.dispatch"):
        raise PermissionDenied
    return _plan_out(plan(request.auth))


@router.post(
    "/queue/dispatch-all",
    response=DispatchAllOut,
    summary="Dispatch every waiting order as the optimal plan says",
)
def queue_dispatch_all(request):
    done, skipped, p = services.orders_dispatch_all(viewer=request.auth, ip=client_ip(request))
    return {"dispatched": done, "skipped": skipped, "plan": _plan_out(p)}


@router.get("/needs", response=list[NeedOut], summary="The needs list of my areas")
@paginate(Page)
def need_list(request, filters: Query[ListFilter], status: str = "active"):
    return selectors.need_list(viewer=request.auth, status=status, **filters.dict())


@router.post("/needs", response={201: NeedOut}, summary="Add a need")
def need_create(request, payload: NeedIn):
    person = person_get(viewer=request.auth, pk=payload.person_id) if payload.person_id else None
    need = services.need_create(
        actor=request.auth,
        ip=client_ip(request),
        area=area_required(payload.area_code),
        person=person,
        **payload.dict(exclude={"area_code", "person_id"}),
    )
    return Status(201, selectors.need_get(viewer=request.auth, pk=need.pk))


@router.patch("/needs/{need_id}", response=NeedOut, summary="Change a need")
def need_update(request, need_id: int, payload: NeedPatch):
    need = selectors.need_get(viewer=request.auth, pk=need_id)
    return services.need_update(
        need=need, actor=request.auth, ip=client_ip(request), **payload.dict(exclude_none=True)
    )


@router.get("/resources", response=list[ResourceOut], summary="The resource list of my areas")
@paginate(Page)
def resource_list(request, filters: Query[ListFilter], kind: str = ""):
    return selectors.resource_list(viewer=request.auth, kind=kind, **filters.dict())


@router.post("/resources", response={201: ResourceOut}, summary="Add a resource")
def resource_create(request, payload: ResourceIn):
    organisation = (
        organisation_get(viewer=request.auth, pk=payload.organisation_id) if payload.organisation_id else None
    )
    user = User.objects.filter(pk=payload.user_id, is_active=True).first() if payload.user_id else None
    if payload.user_id and user is None:
        raise field_error("user_id", _("No such account."), "resource.user")
    resource = services.resource_create(
        actor=request.auth,
        ip=client_ip(request),
        area=area_required(payload.area_code),
        organisation=organisation,
        user=user,
        **payload.dict(exclude={"area_code", "organisation_id", "user_id"}),
    )
    return Status(201, resource)


@router.patch("/resources/{resource_id}", response=ResourceOut, summary="Change a resource")
def resource_update(request, resource_id: int, payload: ResourcePatch):
    resource = selectors.resource_get(viewer=request.auth, pk=resource_id)
    return services.resource_update(
        resource=resource, actor=request.auth, ip=client_ip(request), **payload.dict(exclude_none=True)
    )


@router.get("/offerings", response=list[OfferingOut], summary="The service list of my areas")
@paginate(Page)
def offering_list(request, filters: Query[ListFilter]):
    return selectors.offering_list(viewer=request.auth, **filters.dict())


@router.post(
    "/offerings", response={201: OfferingOut}, summary="List a service; people with a matching need are told"
)
def offering_create(request, payload: OfferingIn):
    provider = selectors.resource_get(viewer=request.auth, pk=payload.provider_id)
    offering = services.offering_create(
        actor=request.auth,
        ip=client_ip(request),
        area=area_required(payload.area_code),
        provider=provider,
        **payload.dict(exclude={"area_code", "provider_id"}),
    )
    return Status(201, offering)


@router.patch("/offerings/{offering_id}", response=OfferingOut, summary="Change or unlist a service")
def offering_update(request, offering_id: int, payload: OfferingPatch):
    offering = selectors.offering_get(viewer=request.auth, pk=offering_id)
    from django.core.exceptions import PermissionDenied

    if not request.auth.access.can("services.manage", offering.area_id):
        raise PermissionDenied
    return services.offering_update(
        offering=offering, actor=request.auth, ip=client_ip(request), **payload.dict(exclude_none=True)
    )

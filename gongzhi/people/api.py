"""The person registry over JSON: scoped to the caller, masked, with an audited reveal."""

from datetime import date

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.areas.models import Area
from gongzhi.core.errors import client_ip
from gongzhi.core.schemas import Page

from . import selectors, services

router = Router(tags=["people"])


class PersonOut(Schema):
    id: int
    name: str
    area_code: str
    area_name: str
    sex: str
    birth_date: date | None
    id_number: str = Field(..., description="masked: first 4 and last 4 characters")
    mobile: str = Field(..., description="masked: 138****1234")
    address: str
    tags: list[str]

    @staticmethod
    def resolve_area_code(obj) -> str:
        return obj.area_id

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.area.name

    @staticmethod
    def resolve_id_number(obj) -> str:
        return obj.id_number_masked

    @staticmethod
    def resolve_mobile(obj) -> str:
        return obj.mobile_masked

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return [t.tag for t in obj.tags.all()]


class ConsentIn(Schema):
    guardian_name: str = Field(..., max_length=50)
    relationship: str
    guardian_mobile: str
    purpose: str = Field(..., max_length=200)
    method: str = Field(..., max_length=100)


class PersonIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    area_code: str = Field(..., min_length=12, max_length=15)
    id_number: str = Field("", max_length=30)
    mobile: str = Field("", max_length=20)
    address: str = Field("", max_length=200)
    tags: list[str] = []
    consent: ConsentIn | None = None


class PersonFilter(Schema):
    area_code: str = ""
    tag: str = ""
    q: str = Field("", max_length=50)


class RevealIn(Schema):
    field: str = Field(..., description="id_number or mobile")
    reason: str = Field(..., min_length=1, max_length=200)


class RevealOut(Schema):
    field: str
    value: str


@router.get("", response=list[PersonOut], summary="People in my scope (masked)")
@paginate(Page)
def person_list(request, filters: Query[PersonFilter]):
    return selectors.person_list(
        viewer=request.auth, area_code=filters.area_code, tag=filters.tag, q=filters.q
    )


@router.get("/{person_id}", response=PersonOut, summary="One person (masked)")
def person_get(request, person_id: int):
    return selectors.person_get(viewer=request.auth, pk=person_id)


@router.post("", response={201: PersonOut}, summary="Register a person")
def person_create(request, payload: PersonIn):
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    area = Area.objects.filter(code=payload.area_code).first()
    if area is None:
        raise ValidationError({"area_code": [_("Unknown area code.")]}, code="area.unknown")
    consent = services.ConsentInput(**payload.consent.dict()) if payload.consent else None
    person = services.person_create(
        name=payload.name,
        area=area,
        id_number=payload.id_number,
        mobile=payload.mobile,
        address=payload.address,
        tags=payload.tags,
        consent=consent,
        created_by=request.auth,
        ip=client_ip(request),
    )
    return Status(201, selectors.person_get(viewer=request.auth, pk=person.pk))


@router.post("/{person_id}/reveal", response=RevealOut, summary="Reveal a full ID or mobile number (audited)")
def person_reveal(request, person_id: int, payload: RevealIn):
    person = selectors.person_get(viewer=request.auth, pk=person_id)
    value = services.person_reveal(
        person=person, field=payload.field, viewer=request.auth, reason=payload.reason, ip=client_ip(request)
    )
    return {"field": payload.field, "value": value}

"""Organisations over JSON, scoped to the caller."""

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gongzhi.core.schemas import Page

from . import selectors

router = Router(tags=["organisations"])


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    area_code: str = Field(..., alias="area_id")
    uscc: str
    categories: list[str]
    address: str
    is_active: bool


class OrganisationFilter(Schema):
    kind: str = ""
    q: str = Field("", max_length=50)


@router.get("", response=list[OrganisationOut], summary="Organisations in my scope")
@paginate(Page)
def organisation_list(request, filters: Query[OrganisationFilter]):
    return selectors.organisation_list(viewer=request.auth, kind=filters.kind, q=filters.q)


@router.get("/{org_id}", response=OrganisationOut, summary="One organisation")
def organisation_get(request, org_id: int):
    return selectors.organisation_get(viewer=request.auth, pk=org_id)

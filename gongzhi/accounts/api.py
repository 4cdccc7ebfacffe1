"""Who am I, and my API tokens."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from gongzhi.core.errors import client_ip

from . import services
from .selectors import api_token_list

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    role: str
    role_label: str
    area_code: str
    area_name: str
    organisation: str | None
    data_scope: str


class MeOut(Schema):
    id: int
    name: str
    mobile: str
    roles: list[str]
    memberships: list[MembershipOut]


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    days: int | None = Field(90, ge=1, le=365)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenOut):
    token: str


@router.get("/me", response=MeOut, summary="The signed-in user and their roles")
def me(request):
    user = request.auth
    return {
        "id": user.pk,
        "name": user.name,
        "mobile": user.mobile_masked,
        "roles": sorted(user.access.roles),
        "memberships": [
            {
                "role": m.role,
                "role_label": str(m.get_role_display()),
                "area_code": m.area_id,
                "area_name": m.area.name,
                "organisation": str(m.organisation) if m.organisation_id else None,
                "data_scope": m.data_scope,
            }
            for m in user.access.memberships
        ],
    }


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def tokens(request):
    return list(api_token_list(viewer=request.auth))


@router.post("/tokens", response={201: TokenCreated}, summary="Issue an API token (shown once)")
def token_create(request, payload: TokenIn):
    token, raw = services.api_token_create(
        user=request.auth, name=payload.name, days=payload.days, ip=client_ip(request)
    )
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke one of my API tokens")
def token_revoke(request, token_id: int):
    token = get_object_or_404(api_token_list(viewer=request.auth), pk=token_id)
    services.api_token_revoke(token=token, revoked_by=request.auth, ip=client_ip(request))
    return Status(204, None)

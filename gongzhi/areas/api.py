"""The administrative tree: reference data every signed-in user may read."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from .models import Area

router = Router(tags=["areas"])


class AreaOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    lat: float | None
    lng: float | None
    population: int

    @staticmethod
    def resolve_parent_code(obj: Area) -> str | None:
        return obj.parent_id


@router.get("/{code}", response=AreaOut, summary="One area by its 12-digit code")
def area_get(request, code: str):
    return get_object_or_404(Area.objects.visible_to(request.auth), code=code)


@router.get("/{code}/children", response=list[AreaOut], summary="The areas directly below one area")
def area_children(request, code: str):
    area = get_object_or_404(Area.objects.visible_to(request.auth), code=code)
    return list(area.children.order_by("code"))

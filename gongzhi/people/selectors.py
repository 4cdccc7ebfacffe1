"""Reads of the person registry; every one starts from ``visible_to(viewer)``."""

from __future__ import annotations

from django.db.models import QuerySet

from gongzhi.areas.scoping import get_visible_or_404
from gongzhi.core.vault import blind_index
from gongzhi.lib import idcodes

from .models import ID_CONTEXT, MOBILE_CONTEXT, Person


def person_list(*, viewer, area_code: str = "", tag: str = "", q: str = "") -> QuerySet[Person]:
    """People the viewer may see, optionally narrowed by area, tag or a search term.

    The search term matches a name prefix, or — exactly, through the blind index — a full ID
    card or mobile number, so finding someone by number never decrypts anything.
    """
    qs = Person.objects.visible_to(viewer).select_related("area").prefetch_related("tags")
    if area_code:
        from gongzhi.areas.models import prefix_of, subtree_q

        try:
            qs = qs.filter(subtree_q("area_id", prefix_of(area_code)))
        except Exception:  # noqa: BLE001 - a malformed filter code matches nothing
            return qs.none()
    if tag:
        qs = qs.filter(tags__tag=tag)
    q = (q or "").strip()
    if q:
        if idcodes.is_valid_id_card(q):
            number = idcodes.parse_id_card(q).number
            qs = qs.filter(id_number_index=blind_index(number, context=ID_CONTEXT))
        elif idcodes.is_valid_mobile(q):
            qs = qs.filter(mobile_index=blind_index(idcodes.normalize_mobile(q), context=MOBILE_CONTEXT))
        else:
            qs = qs.filter(name__startswith=q[:50])
    return qs.order_by("area_id", "id")


def person_get(*, viewer, pk) -> Person:
    return get_visible_or_404(
        Person.objects.select_related("area").prefetch_related("tags", "consents"), viewer, pk=pk
    )

"""Service orders (点单 → 派单 → 接单 → 评单): the first kind of ticket.

A resident orders an offering from the service list or describes a need; the community worker
dispatches to a ranked provider (or a rule of the community does it automatically); a provider
accepts within ``offer_hours``; the work is marked done with a note (photos optional); the resident
rates it 1–5. 1–2 opens a follow-up call, 4–5 rewards whoever accepted it.
"""

from __future__ import annotations

from typing import Literal

import pydantic
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Role
from gongzhi.core.errors import field_error
from gongzhi.tickets.policies import KindPolicy, Resolution, register

from .categories import CATEGORIES
from .models import ancestor_codes

KIND = "service_order"


class ServiceOrderExtra(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    offering_id: int | None = pydantic.Field(None, ge=1, description="the service list entry ordered, if any")
    preferred_time: str = pydantic.Field(
        "", max_length=60, description="when the resident would like it, in words"
    )
    people: int = pydantic.Field(1, ge=1, le=50, description="how many people the order is for")
    contact: Literal["call", "message", "visit"] = "call"


@register
class ServiceOrderPolicy(KindPolicy):
    code = KIND
    label = _("Service order")
    categories = CATEGORIES
    extra_schema = ServiceOrderExtra
    resolution = Resolution(note=True, photos=0)
    offer_hours = 4.0
    auto_close_days = 7
    follow_up_low_rating = True
    reward_rule = "service_order.well_rated"
    reward_min_rating = 4

    def may_submit(self, user, area) -> bool:
        """Anyone who may submit tickets, for a community they belong to (their own or below)."""
        if not super().may_submit(user, area):
            return False
        homes = {
            m.area_id for m in user.access.memberships if m.role not in (Role.TOWN_STAFF, Role.CITY_STAFF)
        }
        return any(h in ancestor_codes(area.code) for h in homes)

    def clean_extra(self, data):
        cleaned = super().clean_extra(data)
        offering_id = cleaned.get("offering_id")
        if offering_id:
            from django.utils.translation import gettext as _t

            from .models import ServiceOffering

            if not ServiceOffering.objects.filter(pk=offering_id, is_active=True).exists():
                raise field_error(
                    "extra.offering_id", _t("That service is no longer listed."), "order.offering"
                )
        return cleaned

    def suggest(self, ticket, *, limit: int = 5):
        from .dispatch import suggest_providers

        return suggest_providers(ticket, limit=limit)

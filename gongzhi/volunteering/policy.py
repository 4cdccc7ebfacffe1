"""The care-concern kind of ticket: a worry noted on a caring mother's or guardian's visit
becomes a case of the community of the person cared for (ARCHITECTURE decision 2: a policy)."""

from __future__ import annotations

import pydantic
from django.utils.translation import gettext_lazy as _

from gongzhi.tickets.policies import Category, KindPolicy, Resolution, register

CARE_CONCERN_KIND = "care_concern"


class CareConcernExtra(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    visit_id: int = pydantic.Field(..., ge=1)
    pairing_id: int = pydantic.Field(..., ge=1)
    pair_type: str = pydantic.Field("", max_length=30)


CONCERN_CATEGORIES = (
    Category("health", _("Health"), limit="general"),
    Category("safety", _("Safety at home"), limit="general"),
    Category("living", _("Living difficulties"), limit="general"),
    Category("schooling", _("Schooling and care of a child"), limit="general"),
    Category("other", _("Other concern"), limit="general"),
)


@register
class CareConcernPolicy(KindPolicy):
    code = CARE_CONCERN_KIND
    label = _("Care concern")
    categories = CONCERN_CATEGORIES
    extra_schema = CareConcernExtra
    resolution = Resolution(note=True, photos=0)
    follow_up_low_rating = False

    def may_submit(self, user, area) -> bool:
        """Raised from a visit log: by the paired volunteer or a worker who follows pairings."""
        if user is None:
            return False
        return user.access.has("volunteering.join") or user.access.can("volunteering.pair", area.code)

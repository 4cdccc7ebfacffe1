"""The consumer complaints counted against a caring merchant, as facts on the points app's
merchant page (``gongzhi.core.records``: points may not import this app)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core.records import Fact, register_facts


def merchant_facts(merchant, *, viewer) -> list[Fact]:
    from .selectors import merchant_civility_record

    record = merchant_civility_record(merchant=merchant)
    url = ""
    if viewer.access.has("tickets.view"):
        url = reverse("mediation:complaints") + f"?merchant={merchant.pk}"
    return [
        Fact("complaints.counted", _("Complaints upheld against it (civility record)"), record.counted, url),
        Fact("complaints.received", _("Consumer complaints received"), record.received, url),
        Fact("complaints.open", _("Complaints being handled"), record.open, url),
    ]


register_facts("points.merchant", "mediation.complaints", merchant_facts)

"""Reads of the audit log: audit administrators, within their area scope."""

from __future__ import annotations

from .models import AuditEntry


def audit_entry_list(*, viewer, action: str = "", object_type: str = "", actor_id: int | None = None):
    qs = AuditEntry.objects.visible_to(viewer).select_related("actor")
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    return qs.order_by("-at", "-id")

"""The audit log over JSON, for audit administrators."""

from datetime import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gongzhi.core.schemas import Page

from .selectors import audit_entry_list

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor: str = Field(..., alias="actor_label")
    action: str
    object_type: str
    object_id: str
    area_code: str
    ip: str | None
    success: bool
    changes: dict


class AuditFilter(Schema):
    action: str = Field("", max_length=60)
    object_type: str = Field("", max_length=60)


@router.get("", response=list[AuditEntryOut], summary="Audit entries in my scope")
@paginate(Page)
def audit_list(request, filters: Query[AuditFilter]):
    return audit_entry_list(viewer=request.auth, action=filters.action, object_type=filters.object_type)

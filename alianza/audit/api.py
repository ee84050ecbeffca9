"""API access to the audit trail, for auditors."""


from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from alianza.api.pagination import Pagination
from alianza.api.schemas import ErrorOut, IsoDate
from alianza.api.security import request_user
from alianza.audit import selectors

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    seq: int
    created_at: datetime
    actor_username: str
    institution_name: str
    action: str
    object_type: str
    object_id: str
    changed_fields: list[str]
    request_id: str


class AuditQuery(Schema):
    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    request_id: str = ""
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None


@router.get("/entries", response={200: list[AuditEntryOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut})
@paginate(Pagination)
def audit_entry_list(request: HttpRequest, filters: Query[AuditQuery]) -> list[AuditEntryOut]:
    """Audit entries, newest first, filtered by action prefix, user, object, request or dates."""
    return selectors.audit_entry_list(  # type: ignore[return-value]
        acting_user=request_user(request), filters=selectors.AuditFilter(**filters.dict())
    )

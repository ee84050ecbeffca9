"""Reading the audit trail, for auditors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from alianza.accounts import authz
from alianza.audit.models import AuditEntry
from alianza.core.errors import PermissionDenied


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    request_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


def audit_entry_list(*, acting_user: object, filters: AuditFilter) -> QuerySet[AuditEntry]:
    if not authz.has_perm(acting_user, authz.Perm.AUDIT_VIEW):
        raise PermissionDenied("Only auditors may read the audit trail.")
    qs = AuditEntry.objects.all().order_by("-seq")
    if filters.action:
        qs = qs.filter(action__startswith=filters.action)
    if filters.actor:
        qs = qs.filter(actor_username__iexact=filters.actor)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.request_id:
        qs = qs.filter(request_id=filters.request_id)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(created_at__gte=datetime.combine(filters.date_from, time.min, tzinfo=tz))
    if filters.date_to:
        qs = qs.filter(created_at__lte=datetime.combine(filters.date_to, time.max, tzinfo=tz))
    return qs


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by().values_list("action", flat=True).distinct())

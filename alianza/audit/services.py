"""Writing to the audit trail. Call `audit_record` inside the transaction of the change it records."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from alianza.audit.models import AuditEntry, AuditHead
from alianza.core.request_context import ensure_request_id


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    changed_fields: Iterable[str] = (),
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry. Must run inside the caller's transaction so both commit or neither does.

    `changed_fields` are names only: the trail never holds the values, which may be sensitive.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    institution = getattr(user, "institution", None) if user is not None else None

    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    entry = AuditEntry(
        seq=head.seq + 1,
        created_at=at or timezone.now(),
        actor_id=user.pk if user is not None else None,
        actor_username=user.get_username() if user is not None else "",
        institution_id=institution.pk if institution is not None else None,
        institution_name=institution.name if institution is not None else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        changed_fields=sorted(set(changed_fields)),
        request_id=ensure_request_id(),
        prev_hash=head.hash,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    AuditHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


def audit_record_now(**kwargs: Any) -> AuditEntry:
    """Record an event that has no other write (a sign-in, a read of victim identity)."""
    with transaction.atomic():
        return audit_record(**kwargs)

"""Writing to the audit trail. Call `audit_record` inside the transaction of the change it records.

`audit_record_many` appends a batch (an import's thousands of created records) with one lock of
the head and one bulk insert; each entry is chained to the one before it exactly as
`audit_record` chains them, so `alianza audit verify` cannot tell the two apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from alianza.audit.models import HASHED_FIELDS, AuditEntry, AuditHead, hash_chain
from alianza.core.bulk import db_value, insert_rows
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
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    event = AuditEvent(action=action, object_type=object_type, object_id=str(object_id), changed_fields=tuple(changed_fields))
    saved: list[AuditEntry] = []

    def save(entries: list[dict[str, Any]]) -> None:
        saved.append(AuditEntry(**entries[0]))
        saved[0].save()

    _append(actor=actor, events=[event], at=at, save=save)
    return saved[0]


@dataclass(frozen=True)
class AuditEvent:
    """One entry to append with `audit_record_many`: what happened to which object (names only)."""

    action: str
    object_type: str = ""
    object_id: str = ""
    changed_fields: tuple[str, ...] = ()


def audit_record_many(
    *, actor: Any, events: Iterable[AuditEvent], at: datetime | None = None
) -> int:
    """Append one entry per event, in order, in the caller's transaction; returns how many.

    Same rules as `audit_record` (inside the transaction of the change, names never values),
    one lock of the chain's head for the whole batch.
    """
    entries = _append(actor=actor, events=list(events), at=at, save=_insert_entries)
    return len(entries)


_ENTRY_FIELDS = (*HASHED_FIELDS, "hash")


def _insert_entries(entries: list[dict[str, Any]]) -> None:
    fields_json: dict[tuple[str, ...], str] = {}  # a batch repeats the same few lists of names
    created_at = db_value(entries[0]["created_at"])  # one time for the batch
    rows = []
    for e in entries:
        key = tuple(e["changed_fields"])
        if key not in fields_json:
            fields_json[key] = db_value(list(key))
        rows.append((
            e["seq"], created_at, e["actor_id"], e["actor_username"], e["institution_id"], e["institution_name"],
            e["action"], e["object_type"], e["object_id"], fields_json[key], e["request_id"], e["prev_hash"], e["hash"],
        ))
    insert_rows(AuditEntry, _ENTRY_FIELDS, rows)


def _append(*, actor: Any, events: list[AuditEvent], at: datetime | None, save: Any) -> list[dict[str, Any]]:
    """Chain `events` after the head: each entry holds the hash of the one before it."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    if not events:
        return []
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    institution = getattr(user, "institution", None) if user is not None else None
    common = {
        "created_at": at or timezone.now(),
        "actor_id": user.pk if user is not None else None,
        "actor_username": user.get_username() if user is not None else "",
        "institution_id": institution.pk if institution is not None else None,
        "institution_name": institution.name if institution is not None else "",
        "request_id": ensure_request_id(),
    }

    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    entries = [
        {**common, "seq": head.seq + number, "action": event.action, "object_type": event.object_type,
         "object_id": str(event.object_id), "changed_fields": sorted(set(event.changed_fields))}
        for number, event in enumerate(events, start=1)
    ]
    last_hash = hash_chain(common, entries, head.hash)
    save(entries)
    AuditHead.objects.filter(pk=1).update(seq=head.seq + len(entries), hash=last_hash)
    return entries


def audit_record_now(**kwargs: Any) -> AuditEntry:
    """Record an event that has no other write (a sign-in, a read of victim identity)."""
    with transaction.atomic():
        return audit_record(**kwargs)

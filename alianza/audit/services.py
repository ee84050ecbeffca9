"""Writing to the audit trail. Call `audit_record` inside the transaction of the change it records.

`audit_record_many` appends a batch (an import's thousands of created records) with one lock of
the head and one bulk insert; each entry is chained to the one before it exactly as
`audit_record` chains them, so `alianza audit verify` cannot tell the two apart. `AuditChain`
does the same for the batches of a pipelined import, hashed in another thread ahead of their write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from alianza.audit.models import HASHED_FIELDS, AuditEntry, AuditHead, hash_chain
from alianza.core.bulk import CopyFormatter, CopyText, db_value, insert_rows
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
    insert_rows(AuditEntry, _ENTRY_FIELDS, _entry_rows(entries))


def _entry_rows(entries: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The rows of `entries` (one batch: they share their time) in the database's form."""
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
    return rows


def _common(actor: Any) -> dict[str, Any]:
    """What every entry appended by `actor` now shares, but the time (reads the actor's institution)."""
    _require_transaction()
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    institution = getattr(user, "institution", None) if user is not None else None
    return {
        "actor_id": user.pk if user is not None else None,
        "actor_username": user.get_username() if user is not None else "",
        "institution_id": institution.pk if institution is not None else None,
        "institution_name": institution.name if institution is not None else "",
        "request_id": ensure_request_id(),
    }


def _locked_head() -> AuditHead:
    """The chain's head, locked until the commit: appends take turns from here."""
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    return head


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")


def _chained(common: Mapping[str, Any], events: list[AuditEvent], seq: int, prev_hash: str) -> tuple[list[dict[str, Any]], str]:
    """The entries of `events`, numbered after `seq` and chained after `prev_hash`; and the last hash."""
    entries = [
        {**common, "seq": seq + number, "action": event.action, "object_type": event.object_type,
         "object_id": str(event.object_id), "changed_fields": sorted(set(event.changed_fields))}
        for number, event in enumerate(events, start=1)
    ]
    return entries, hash_chain(common, entries, prev_hash)


def _append(*, actor: Any, events: list[AuditEvent], at: datetime | None, save: Any) -> list[dict[str, Any]]:
    """Chain `events` after the head: each entry holds the hash of the one before it."""
    _require_transaction()
    if not events:
        return []
    common = {**_common(actor), "created_at": at or timezone.now()}
    head = _locked_head()
    entries, last_hash = _chained(common, events, head.seq, head.hash)
    save(entries)
    AuditHead.objects.filter(pk=1).update(seq=head.seq + len(entries), hash=last_hash)
    return entries


@dataclass(frozen=True)
class AuditBatch:
    """Entries numbered and chained by `AuditChain.batch`, to append with `audit_batch_save`."""

    rows: list[tuple[Any, ...]] | CopyText
    after: tuple[int, str]  # the head they follow (seq, hash)
    head: tuple[int, str]  # the head after them


class AuditChain:
    """The entries of many batches of one transaction (an import's chunks), numbered and chained
    where no query may run, so that another thread may hash the next batch while the transaction
    writes this one.

    Made in the transaction's thread, which locks the chain's head until the commit. `batch` is
    pure and called for one batch after another, in order, from one thread at a time;
    `audit_batch_save` writes each batch in the same order. Chained exactly as `audit_record_many`
    chains them.
    """

    def __init__(self, *, actor: Any) -> None:
        self._common = _common(actor)
        head = _locked_head()
        self._head = (head.seq, head.hash)

    def batch(self, events: list[AuditEvent], formatter: CopyFormatter | None = None) -> AuditBatch:
        """The entries of `events` after the last batch's (their time: now); formatted for COPY with a formatter."""
        after = self._head
        entries, last_hash = _chained({**self._common, "created_at": timezone.now()}, events, *after)
        self._head = (after[0] + len(entries), last_hash)
        rows = _entry_rows(entries) if entries else []
        return AuditBatch(formatter.format(rows) if formatter is not None else rows, after, self._head)


def audit_batch_save(batch: AuditBatch) -> None:
    """Append `batch` in the caller's transaction, which made its `AuditChain`.

    The head moves only from where the batch starts: a batch out of order, or an entry appended
    some other way since, raises instead of breaking the chain.
    """
    if batch.after == batch.head:
        return
    (seq, prev_hash), (last_seq, last_hash) = batch.after, batch.head
    if AuditHead.objects.filter(pk=1, seq=seq, hash=prev_hash).update(seq=last_seq, hash=last_hash) != 1:
        raise RuntimeError("the audit trail's head moved since this batch was chained")
    insert_rows(AuditEntry, _ENTRY_FIELDS, batch.rows)


def audit_record_now(**kwargs: Any) -> AuditEntry:
    """Record an event that has no other write (a sign-in, a read of victim identity)."""
    with transaction.atomic():
        return audit_record(**kwargs)

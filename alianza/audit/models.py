"""The append-only, hash-chained audit trail.

Each entry carries the SHA-256 of the previous entry, so altering, inserting or deleting any row
breaks the chain (`alianza audit verify`). Entries hold field *names*, never sensitive values.
Application code can only append; database triggers (see migrations) refuse UPDATE and DELETE.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(RuntimeError):
    pass


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("The audit trail is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit trail is append-only.")


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("user id"), null=True)
    actor_username = models.CharField(_("user"), max_length=150, blank=True)
    institution_id = models.BigIntegerField(_("institution id"), null=True)
    institution_name = models.CharField(_("institution"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)  # the composite index leads with it
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)  # unique: see Meta

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-seq"]
        # Only what the trail's queries use (migration 0003): every append writes each index. As
        # Meta entries, not `db_index`/`unique` on the fields, so that PostgreSQL gets no
        # `varchar_pattern_ops` copy (nothing matches a prefix of an object id or a hash). On
        # PostgreSQL the hash, action and object columns compare bytes (collation "C", 0004),
        # under which the action's plain index answers its prefix too.
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"]),
            models.Index(fields=["object_id"], name="audit_entry_object_id"),
        ]
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_entry_unique_hash")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit trail is append-only.")

    def compute_hash(self) -> str:
        return hash_of({name: getattr(self, name) for name in HASHED_FIELDS})


class AuditHead(models.Model):
    """One row: the sequence number and hash of the newest entry. Appends lock it."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit head")

    def __str__(self) -> str:
        return f"head #{self.seq}"


# The fields an entry's hash covers: everything but the hash itself.
HASHED_FIELDS = (
    "seq", "created_at", "actor_id", "actor_username", "institution_id", "institution_name", "action",
    "object_type", "object_id", "changed_fields", "request_id", "prev_hash",
)  # fmt: skip


def hash_of(values: Mapping[str, Any]) -> str:
    """The hash of an entry with these field values (`created_at` a datetime)."""
    fields = {name: values[name] for name in HASHED_FIELDS}
    fields["created_at"] = values["created_at"].isoformat()
    fields["changed_fields"] = list(values["changed_fields"])
    return entry_hash(fields)


def hash_chain(common: Mapping[str, Any], entries: list[dict[str, Any]], prev_hash: str) -> str:
    """Set `prev_hash` and `hash` on each entry in order, as `hash_of` would; returns the last hash.

    For a batch whose entries share their time, user and request (`common`): the canonical
    JSON of those shared fields is written once, not once per entry. Equal to `hash_of` by
    construction (alianza/audit/tests/test_services.py compares them).
    """
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    shared = {**common, "created_at": common["created_at"].isoformat()}
    # Keys in sorted order, as json.dumps(sort_keys=True) writes them.
    head = "{" + ",".join(f"{encode(k)}:{encode(shared[k])}" for k in ("actor_id", "actor_username"))
    middle = ",".join(f"{encode(k)}:{encode(shared[k])}" for k in ("created_at", "institution_id", "institution_name"))
    request = encode(shared["request_id"])
    fields_cache: dict[tuple[str, ...], str] = {}
    for entry in entries:
        names = tuple(entry["changed_fields"])
        if names not in fields_cache:
            fields_cache[names] = encode(list(names))
        text = (
            f'{{"action":{encode(entry["action"])},{head[1:]},"changed_fields":{fields_cache[names]},{middle},'
            f'"object_id":{encode(entry["object_id"])},"object_type":{encode(entry["object_type"])},'
            f'"prev_hash":{encode(prev_hash)},"request_id":{request},"seq":{encode(entry["seq"])}}}'
        )
        entry["prev_hash"] = prev_hash
        entry["hash"] = prev_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return prev_hash


def entry_hash(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

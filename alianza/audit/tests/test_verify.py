"""The hash chain detects an altered, an inserted and a deleted entry, and the CLI says so."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from alianza.audit.models import AppendOnlyError, AuditEntry, AuditHead, entry_hash
from alianza.audit.services import audit_record, audit_record_now
from alianza.audit.verify import Problem, audit_chain_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(make_user: Any) -> list[AuditEntry]:
    user = make_user()
    return [
        audit_record_now(actor=user, action="case.update", object_type="cases.case", object_id=i,
                         changed_fields=["status", "narrative"])
        for i in range(1, 7)
    ]


class _raw_sql:
    """Write around the application (and, on PostgreSQL, the table's triggers) like an intruder."""

    def __enter__(self) -> Any:
        self.cursor = connection.cursor().__enter__()
        if connection.vendor == "postgresql":
            self.cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        return self.cursor

    def __exit__(self, *exc: Any) -> None:
        if connection.vendor == "postgresql":
            self.cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
        self.cursor.__exit__(*exc)


def test_intact_chain_verifies(chain: list[AuditEntry]) -> None:
    result = audit_chain_verify()
    assert result.ok and result.checked == len(chain)
    call_command("audit", "verify")


def test_entries_link_to_their_predecessor(chain: list[AuditEntry]) -> None:
    assert chain[0].prev_hash == "0" * 64
    for previous, entry in zip(chain, chain[1:], strict=False):
        assert entry.prev_hash == previous.hash
        assert entry.seq == previous.seq + 1
    assert AuditHead.objects.get(pk=1).hash == chain[-1].hash


def test_tampered_row_is_found(chain: list[AuditEntry]) -> None:
    with _raw_sql() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor_username = %s WHERE seq = %s", ["alguien", 3])
    result = audit_chain_verify()
    assert (result.problem, result.seq) == (Problem.ALTERED, 3)
    with pytest.raises(CommandError, match="altered"):
        call_command("audit", "verify")


def test_inserted_row_is_found(chain: list[AuditEntry]) -> None:
    # The intruder makes room after entry 3 and forges a well-formed entry linked to it.
    third = AuditEntry.objects.get(seq=3)
    with _raw_sql() as cursor:
        for seq in range(len(chain), 3, -1):
            cursor.execute("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [seq + 1, seq])
        forged = AuditEntry(seq=4, created_at=third.created_at, actor_id=None, actor_username="",
                            institution_id=None, institution_name="", action="case.delete",
                            object_type="cases.case", object_id="99", changed_fields=[],
                            request_id="forged", prev_hash=third.hash)
        forged.hash = forged.compute_hash()
        cursor.execute(
            "INSERT INTO audit_auditentry (seq, created_at, actor_id, actor_username, institution_id,"
            " institution_name, action, object_type, object_id, changed_fields, request_id, prev_hash, hash)"
            " VALUES (%s, %s, NULL, '', NULL, '', %s, %s, %s, %s, %s, %s, %s)",
            [4, third.created_at, forged.action, forged.object_type, forged.object_id, "[]",
             forged.request_id, forged.prev_hash, forged.hash],
        )
    result = audit_chain_verify()
    assert (result.problem, result.seq) == (Problem.INSERTED, 4)
    with pytest.raises(CommandError, match="inserted"):
        call_command("audit", "verify")


def test_deleted_row_is_found(chain: list[AuditEntry]) -> None:
    with _raw_sql() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [4])
    result = audit_chain_verify()
    assert (result.problem, result.seq) == (Problem.DELETED, 4)
    with pytest.raises(CommandError, match="deleted"):
        call_command("audit", "verify")


def test_deleted_last_row_is_found(chain: list[AuditEntry]) -> None:
    with _raw_sql() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [len(chain)])
    result = audit_chain_verify()
    assert (result.problem, result.seq) == (Problem.DELETED, len(chain))


def test_application_cannot_update_or_delete(chain: list[AuditEntry]) -> None:
    entry = chain[0]
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=1).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database triggers are PostgreSQL-only")
def test_database_refuses_update_and_delete(chain: list[AuditEntry]) -> None:
    for statement in ("UPDATE audit_auditentry SET action = 'x' WHERE seq = 1",
                      "DELETE FROM audit_auditentry WHERE seq = 1"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


@pytest.mark.django_db(transaction=True)
def test_audit_record_requires_a_transaction(make_user: Any) -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=make_user(), action="case.update")


def test_entry_written_with_change_rolls_back_with_it(make_user: Any) -> None:
    user = make_user()
    before = AuditEntry.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit_record(actor=user, action="case.update", object_type="cases.case", object_id=1)
        1 / 0  # noqa: B018 - the change fails after its audit row was written
    assert AuditEntry.objects.count() == before
    assert audit_chain_verify().ok


def test_hash_is_over_canonical_fields() -> None:
    assert entry_hash({"b": 1, "a": [1, 2]}) == entry_hash({"a": [1, 2], "b": 1})
    assert entry_hash({"a": 1}) != entry_hash({"a": 2})

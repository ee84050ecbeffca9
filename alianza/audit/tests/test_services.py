"""A batch appended with audit_record_many is chained exactly as audit_record chains entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from alianza.audit.models import AuditEntry, AuditHead, hash_chain, hash_of
from alianza.audit.services import AuditEvent, audit_record, audit_record_many
from alianza.audit.verify import audit_chain_verify

pytestmark = pytest.mark.django_db


def test_the_batch_hash_is_the_hash_of_each_entry() -> None:
    common = {
        "created_at": dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC), "actor_id": None,
        "actor_username": "ñusta \"q\" \\ ü", "institution_id": 7, "institution_name": "Fundación Sintética – Warmi",
        "request_id": "r-1",
    }
    entries = [
        {**common, "seq": 41 + n, "action": action, "object_type": "people.person", "object_id": str(n),
         "changed_fields": fields}
        for n, (action, fields) in enumerate([("person.create", ["given_names", "documents"]), ("case.create", []),
                                             ("demo.é", ["x\u2028y", "z"]), ("a", ["b"])])
    ]
    last = hash_chain(common, entries, "0" * 64)
    previous = "0" * 64
    for entry in entries:
        assert entry["prev_hash"] == previous and entry["hash"] == hash_of(entry)
        previous = entry["hash"]
    assert last == previous


def test_a_batch_between_single_entries_verifies(make_user: Any) -> None:
    user = make_user()
    with transaction.atomic():
        audit_record(actor=user, action="case.update", object_type="cases.case", object_id=1, changed_fields=["status"])
        assert audit_record_many(actor=user, events=[
            AuditEvent("person.create", "people.person", str(n), ("given_names", "first_surname")) for n in range(50)
        ]) == 50
        audit_record(actor=None, action="case.import", object_type="cases.case", changed_fields=["created"])
    assert AuditEntry.objects.count() == 52 == AuditHead.objects.get().seq
    result = audit_chain_verify()
    assert result.ok and result.checked == 52
    assert AuditEntry.objects.filter(action="person.create", actor_id=user.pk, institution_id=user.institution_id).count() == 50


@pytest.mark.parametrize("formatted", [False, True])
def test_batches_chained_ahead_verify_and_a_moved_head_is_refused(make_user: Any, formatted: bool) -> None:
    from alianza.audit.services import AuditChain, audit_batch_save
    from alianza.core.bulk import CopyFormatter

    formatter = CopyFormatter.for_connection() if formatted else None
    if formatted and formatter is None:
        pytest.skip("COPY text is PostgreSQL's")
    user = make_user()

    def events(start: int) -> list[AuditEvent]:
        return [AuditEvent("person.create", "people.person", str(n), ("given_names",)) for n in range(start, start + 20)]

    with transaction.atomic():
        audit_record(actor=user, action="case.update", object_type="cases.case", object_id=1, changed_fields=["status"])
        chain = AuditChain(actor=user)
        first, second = chain.batch(events(0), formatter), chain.batch(events(20), formatter)  # both before either is written
        audit_batch_save(first)
        audit_batch_save(second)
        audit_record(actor=None, action="case.import", object_type="cases.case", changed_fields=["created"])
    assert AuditEntry.objects.count() == 42 == AuditHead.objects.get().seq
    result = audit_chain_verify()
    assert result.ok and result.checked == 42
    assert AuditEntry.objects.filter(action="person.create", institution_id=user.institution_id).count() == 40

    with pytest.raises(RuntimeError, match="head moved"), transaction.atomic():
        chain = AuditChain(actor=user)
        late = chain.batch(events(40), formatter)
        audit_record(actor=user, action="case.update", object_type="cases.case", object_id=1, changed_fields=["status"])
        audit_batch_save(late)  # chained after an entry that is no longer the last
    assert AuditEntry.objects.count() == 42 and audit_chain_verify().ok

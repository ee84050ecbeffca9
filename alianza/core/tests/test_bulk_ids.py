"""`allocate_ids`: the reserved primary keys are new, distinct, and on PostgreSQL never handed out again."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from alianza.accounts.models import Institution
from alianza.accounts.roles import InstitutionType
from alianza.core.bulk import allocate_ids


@pytest.mark.django_db
def test_reserved_ids_are_new_and_distinct() -> None:
    with transaction.atomic():
        before = Institution.objects.create(name="Before", type=InstitutionType.NGO, country="BOL")
        first = allocate_ids(Institution, 500)
        assert len(set(first)) == 500
        assert min(first) > before.pk
        assert allocate_ids(Institution, 0) == []
        if connection.vendor == "postgresql":  # SQLite reserves them until the rows are written (the write lock)
            second = allocate_ids(Institution, 3)
            after = Institution.objects.create(name="After", type=InstitutionType.NGO, country="BOL")
            assert len(set(first) | set(second) | {after.pk}) == 504
            assert min(second) > max(first) and after.pk > max(second)

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


@pytest.mark.django_db
def test_rows_formatted_ahead_for_copy_read_back_as_rows_sent_one_by_one() -> None:

    from django.utils import timezone

    from alianza.core.bulk import CopyFormatter, db_value, insert_rows
    from alianza.people.models import Person

    formatter = CopyFormatter.for_connection()
    if formatter is None:
        pytest.skip("COPY is PostgreSQL's")
    institution = Institution.objects.create(name="Sintética", type=InstitutionType.NGO, country="BOL")
    fields = ("id", "given_names", "first_surname", "second_surname", "aliases", "sex", "gender", "birth_date",
              "citizenships", "languages", "indigenous_people", "has_disability", "disability_details", "education",
              "names_text", "owner_institution", "version", "source_record_id", "created_at", "updated_at")
    now = db_value(timezone.now())
    odd = ["Ñusta\tdos", "línea\nnueva", "barra \\N \\ final\\", "", '"comillas" y \u2028', "Qʼara"]
    with transaction.atomic():
        ids = allocate_ids(Person, 2 * len(odd))

        def rows(first: int) -> list[tuple[object, ...]]:
            return [
                (ids[first + n], text, text.upper(), "", db_value([text, "alias"]), "F" if n % 2 else "", "",
                 f"{1990 + n}-01" if n % 3 else "", db_value(["BOL"]), db_value([]), text,
                 None if n % 2 else bool(n % 4), text, "", text.lower(), institution.pk, 1, f"S-{n}", now, now)
                for n, text in enumerate(odd)
            ]

        insert_rows(Person, fields, rows(0))
        insert_rows(Person, fields, formatter.format(rows(len(odd))))
        names = [f for f in fields if f != "id"]
        stored = {p["id"]: p for p in Person.objects.filter(pk__in=ids).values("id", *names)}
        assert len(stored) == 2 * len(odd)
        for n in range(len(odd)):
            one_by_one, ahead = stored[ids[n]], stored[ids[len(odd) + n]]
            assert {k: v for k, v in ahead.items() if k != "id"} == {k: v for k, v in one_by_one.items() if k != "id"}
        assert stored[ids[len(odd) + 2]]["given_names"] == "barra \\N \\ final\\"
        assert stored[ids[len(odd) + 1]]["aliases"] == ["línea\nnueva", "alias"]
        transaction.set_rollback(True)

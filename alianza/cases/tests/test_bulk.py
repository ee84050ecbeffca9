"""The bulk writer (imports, the demo world) writes exactly what the single-record services write.

The same sample goes once through `case_create`, `route_event_create` and `participant_add`, and
once through `alianza.cases.bulk` (as the demo world and an import send it); every stored value,
denormalised column, search token and term link must match. Then the guarantees of the import
on the bulk path: the report, all or nothing, valid rows only, idempotence, the audit chain.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from alianza.accounts.roles import Role
from alianza.audit.models import AuditEntry
from alianza.audit.verify import audit_chain_verify
from alianza.cases import demo, imports
from alianza.cases.bulk import cases_bulk_create
from alianza.cases.models import Case, CaseSearchToken, CaseSequence
from alianza.cases.services import ReferenceLookup, case_create, route_event_create
from alianza.people.models import Participation, Person
from alianza.people.services import participant_add
from alianza.prosecution.models import Proceeding

pytestmark = pytest.mark.django_db

CASE_FIELDS = (
    "reference", "crime_type", "legal_article", "status", "closure_reason", "owner_institution_id", "reported_on",
    "first_incident_on", "department", "municipality", "source", "narrative", "sensitivity", "exploitation_countries",
    "filter_keys",
    "search_text", "names_text", "source_record_id", "created_by_id",
)  # fmt: skip
PERSON_FIELDS = (
    "given_names", "first_surname", "second_surname", "aliases", "sex", "gender", "birth_date", "citizenships",
    "languages", "indigenous_people", "has_disability", "disability_details", "education", "owner_institution_id",
    "names_text", "created_by_id",
)  # fmt: skip
ROLE_FIELDS = (
    "role", "trafficking_status", "status_decided_by", "age_when_trafficked", "relationship_to_trafficker",
    "sexual_exploitation_types", "recruitment_websites", "exploitation_websites", "roles_in_process", "last_seen_on",
    "last_seen_place", "last_seen_country",
)  # fmt: skip
ROUTE_FIELDS = ("position", "event_type", "country", "department", "city", "date", "transport_mode", "crossing", "description")


def snapshot() -> dict[str, Any]:
    """Everything stored about each case, keyed by its source record id (ids and times left out)."""
    out = {}
    cases = Case.objects.prefetch_related("exploitation_forms", "route_events__border_crossing").order_by("pk")
    for case in cases:
        participants = []
        for p in (
            Participation.objects.filter(case=case).order_by("pk")
            .select_related("person", "forced_labour_industry")
            .prefetch_related("recruitment_methods", "means_of_control", "exploitation_forms", "person__documents", "person__contacts")
        ):
            participants.append({
                "person": {name: getattr(p.person, name) for name in PERSON_FIELDS},
                "documents": sorted((d.document_type, d.issuing_country, d.number_as_entered, d.number_normalized,
                                     d.complement, d.extension) for d in p.person.documents.all()),
                "contacts": sorted((c.kind, c.value, c.value_normalized) for c in p.person.contacts.all()),
                "role": {name: getattr(p, name) for name in ROLE_FIELDS},
                "industry": p.forced_labour_industry.code if p.forced_labour_industry else None,
                "terms": {name: sorted(t.code for t in getattr(p, name).all())
                          for name in ("recruitment_methods", "means_of_control", "exploitation_forms")},
            })
        out[case.source_record_id] = {
            "case": {name: getattr(case, name) for name in CASE_FIELDS},
            "forms": sorted(t.code for t in case.exploitation_forms.all()),
            "tokens": sorted(CaseSearchToken.objects.filter(case=case).values_list("token", "is_name")),
            "route": [tuple(getattr(e, n) for n in ROUTE_FIELDS) + (e.border_crossing.code if e.border_crossing else "",)
                      for e in case.route_events.all()],
            "participants": participants,
        }
    return out


def start_over() -> None:
    """Forget the cases written so far and their references, so the other path issues the same ones."""
    Participation.objects.all().delete()
    Person.objects.all().delete()
    Case.objects.all().delete()
    CaseSequence.objects.all().delete()


def through_services(user: Any, specs: list[Any]) -> None:
    for spec in specs:
        case = case_create(acting_user=user, data=spec.data, source_record_id=spec.record_id)
        for event in spec.route:
            route_event_create(acting_user=user, case_id=case.pk, data=event)
        for participant in spec.participants:
            participant_add(
                acting_user=user, case_id=case.pk, data=participant.role,
                person=demo._person_input(participant.spec, full_birth_date=participant.full_birth_date),
            )


def test_the_demo_world_is_stored_as_the_services_store_it(make_user: Callable[..., Any], reference: None) -> None:
    user = make_user(Role.CASE_WORKER)
    user.is_verified = lambda: True
    specs = list(demo._world(random.Random(11), n_cases=40, owners=[(user.institution, 1)]))
    assert len(specs) >= 30
    assert any(len(s.participants) > 2 for s in specs) and any(s.data.exploitation_forms for s in specs)
    assert any(any(p.spec.document for p in s.participants) for s in specs)
    through_services(user, specs)
    expected = snapshot()
    start_over()
    lookup = ReferenceLookup.preloaded()
    with transaction.atomic():
        cases_bulk_create(acting_user=user, bundles=[demo._bundle(spec, lookup) for spec in specs])
    stored = snapshot()
    for record_id in expected:
        # The services record a person without a source record id; the bulk writer keeps the case's.
        assert stored[record_id] == expected[record_id], record_id
    assert list(expected) == list(stored)
    assert set(Person.objects.values_list("source_record_id", flat=True)) == {s.record_id for s in specs}
    assert audit_chain_verify().ok
    created = set(AuditEntry.objects.filter(action="case.create").values_list("object_id", flat=True))
    assert created >= {str(pk) for pk in Case.objects.values_list("pk", flat=True)}


def test_demo_seed_writes_proceedings_and_about_two_and_a_half_persons_a_case(db: Any) -> None:
    from alianza.accounts.demo import demo_accounts_seed

    demo_accounts_seed()
    created = demo.demo_cases_seed(seed=5, n_cases=2000)
    persons = Person.objects.count()
    assert 2.35 <= persons / created <= 2.65
    suspects = Participation.objects.filter(role="suspect")
    assert Proceeding.objects.count() == suspects.count() > 0
    assert Participation.objects.filter(role="complainant").exists()
    assert CaseSearchToken.objects.filter(is_name=True, token="quispe").exists()
    assert audit_chain_verify().ok


# --- the import on the bulk path -------------------------------------------------------------


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def agency_rows(n: int = 100) -> list[dict[str, str]]:
    """A hundred rows of an agency's file; rows 17, 42 and 88 are wrong in three different columns."""
    rows = []
    for i in range(1, n + 1):
        rows.append({
            "Nro caso": f"FGE-{i:04d}", "Delito": "Trata" if i % 4 else "tráfico de personas",
            "Fecha denuncia": "2024-02-30" if i == 17 else f"2023-{1 + i % 12:02d}-{1 + i % 27:02d}",
            "fecha hecho": "2022", "Departamento": "BO-C", "Fuente": "complaint",
            "Finalidad": "Trabajo forzoso" if i % 4 else "", "Nombres victima": "María José",
            "Apellido paterno victima": "Quispé" if i % 2 else "Ñáñez", "Apellido materno victima": "de la Cruz",
            "Sexo victima": "F", "fecha nacimiento victima": "2006-05-04",
            "CI victima": "12" if i == 42 else f"{5000000 + i} CB",
            "Nombres imputado": "Hugo", "Apellido paterno imputado": "Tarqui", "Sexo imputado": "M",
            "Pais destino": "Atlantis" if i == 88 else "Argentina", "ciudad destino": "Mendoza",
        })
    return rows


def _import(path: Path, user: Any, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", str(path), "--user", user.username, *args, stdout=out, stderr=err)
    return out.getvalue()


def test_bulk_import_reports_each_bad_row_and_imports_nothing_then_the_valid_ones_once(
    tmp_path: Path, make_user: Callable[..., Any], reference: None
) -> None:
    from django.core.management import CommandError

    user = make_user(Role.PROSECUTOR)
    path = write_rows(tmp_path / "fge.csv", agency_rows())
    report = tmp_path / "report.csv"
    with pytest.raises(CommandError, match="Nothing was imported"):
        _import(path, user, "--report", str(report))
    problems = list(csv.DictReader(report.open(encoding="utf-8")))
    assert {(int(p["row"]), p["field"]) for p in problems} == {
        (17, "reported_on"), (42, "victim_document_number"), (88, "destination_country"),
    }
    assert not Case.objects.exists() and not Person.objects.exists() and not CaseSearchToken.objects.exists()
    entries = AuditEntry.objects.count()

    assert "97 imported" in _import(path, user, "--valid-only")
    assert Case.objects.count() == 97 and Person.objects.count() == 194 and Participation.objects.count() == 194
    case = Case.objects.get(source_record_id="FGE-0001")
    assert case.exploitation_countries == "ARG" and case.names_text == "maria jose quispe de la cruz | hugo tarqui"
    assert list(case.exploitation_forms.values_list("code", flat=True)) == ["forced_labour"]
    assert case.reference.startswith("BOL-2023-")
    victim = Participation.objects.get(case=case, role="victim")
    assert victim.person.first_surname == "Quispé" and victim.age_when_trafficked == 16  # born 2006, incident 2022
    # One entry per case and per person, and one for the import, chained.
    assert AuditEntry.objects.count() - entries == 97 + 194 + 1
    assert audit_chain_verify().ok
    assert AuditEntry.objects.filter(action="person.create", object_id=str(victim.person_id)).exists()

    assert "0 imported, 97 already imported" in _import(path, user, "--valid-only")
    assert Case.objects.count() == 97 and Person.objects.count() == 194

    from alianza.cases.selectors import CaseFilter, case_list

    user.is_verified = lambda: True
    assert case_list(acting_user=user, filters=CaseFilter(q="nanez")).count() == 48
    assert case_list(acting_user=user, filters=CaseFilter(q="quispe")).count() == 49


def test_imported_rows_match_the_services(tmp_path: Path, make_user: Callable[..., Any], reference: None) -> None:
    """An import row stores what case_create + route_event_create + participant_add store."""
    from alianza.people.services import ParticipationInput

    user = make_user(Role.CASE_WORKER)
    user.is_verified = lambda: True
    rows = [r for r in agency_rows(12) if r["Nro caso"] not in ("FGE-0017", "FGE-0042", "FGE-0088")]
    imports.cases_import(acting_user=user, rows=rows)
    stored = snapshot()
    start_over()
    lookup, terms = ReferenceLookup.preloaded(), imports._term_index()
    for source in rows:
        row = {target: source.get(header, "") for header, target in imports.column_mapping(source.keys()).items()}
        problems = imports.Problems()
        bundle = imports._clean_row(row, institution_id=user.institution_id, lookup=lookup, terms=terms, problems=problems)
        assert bundle is not None and not problems.by_field
        spec_case = case_create(
            acting_user=user, source_record_id=bundle.source_record_id,
            data=imports.CaseInput(**bundle.values, exploitation_forms=tuple(t.code for t in bundle.exploitation_forms)),
        )
        for event in bundle.route:
            route_event_create(acting_user=user, case_id=spec_case.pk, data=imports.RouteEventInput(
                event_type=event["event_type"], country=event["country"], city=event["city"]))
        for prefix, role in (("victim_", "victim"), ("suspect_", "suspect")):
            person = imports._person_input(row, prefix)
            if person is not None:
                participant_add(acting_user=user, case_id=spec_case.pk, person=person, data=ParticipationInput(role=role))
    assert snapshot() == stored

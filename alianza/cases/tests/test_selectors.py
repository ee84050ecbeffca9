from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import InstitutionFactory
from alianza.audit.models import AuditEntry
from alianza.cases.choices import CaseSource, CrimeType, RouteEventType, Sensitivity
from alianza.cases.selectors import CaseFilter, case_get, case_list
from alianza.cases.services import (
    CaseInput,
    RouteEventInput,
    case_create,
    case_share_set,
    route_event_create,
)
from alianza.core.errors import NotFound
from alianza.people.choices import ParticipationRole
from alianza.people.services import (
    ParticipationInput,
    PersonInput,
    participation_create,
    person_create,
)

pytestmark = pytest.mark.django_db


def verified(user: Any) -> Any:
    user.is_verified = lambda: True  # as django-otp marks a user who passed the second factor
    return user


@pytest.fixture
def world(make_user: Callable[..., Any], reference: None) -> dict[str, Any]:
    """One NGO's trafficking case with a victim and a suspect; a restricted case; another NGO's case."""
    worker = make_user(Role.CASE_WORKER)
    case = case_create(
        acting_user=worker,
        data=CaseInput(
            crime_type=CrimeType.TRAFFICKING, reported_on=dt.date(2024, 6, 1), source=CaseSource.COMPLAINT,
            department="BO-L", narrative="Captada con una oferta de trabajo en un taller textil.",
            exploitation_forms=("forced_labour",),
        ),
    )
    victim = person_create(acting_user=worker, data=PersonInput(given_names="Rosa", first_surname="Quispe", second_surname="Núñez"))
    suspect = person_create(acting_user=worker, data=PersonInput(given_names="Ernesto", first_surname="Ticona"))
    participation_create(acting_user=worker, case_id=case.pk, person_id=victim.pk, data=ParticipationInput(role=ParticipationRole.VICTIM))
    participation_create(acting_user=worker, case_id=case.pk, person_id=suspect.pk, data=ParticipationInput(role=ParticipationRole.SUSPECT))
    route_event_create(acting_user=worker, case_id=case.pk, data=RouteEventInput(event_type=RouteEventType.EXPLOITATION, country="ARG"))
    restricted = case_create(
        acting_user=worker,
        data=CaseInput(crime_type=CrimeType.SMUGGLING, reported_on=dt.date(2023, 1, 5), source=CaseSource.HOTLINE, sensitivity=Sensitivity.RESTRICTED),
    )
    other_ngo = InstitutionFactory()
    other_worker = make_user(Role.CASE_WORKER, institution_=other_ngo)
    foreign = case_create(
        acting_user=other_worker,
        data=CaseInput(crime_type=CrimeType.SMUGGLING, reported_on=dt.date(2022, 2, 2), source=CaseSource.COMPLAINT),
    )
    return {"worker": worker, "case": case, "restricted": restricted, "foreign": foreign, "other_worker": other_worker}


def refs(user: Any, **filters: Any) -> set[str]:
    return set(case_list(acting_user=user, filters=CaseFilter(**filters)).values_list("reference", flat=True))


def test_each_user_sees_own_shared_and_national_cases(world: dict[str, Any], make_user: Callable[..., Any]) -> None:
    case, restricted, foreign = world["case"], world["restricted"], world["foreign"]
    assert refs(world["worker"]) == {case.reference, restricted.reference}
    assert refs(world["other_worker"]) == {foreign.reference}
    analyst = verified(make_user(Role.ANALYST, institution_=InstitutionFactory()))
    assert refs(analyst) == {case.reference, foreign.reference}  # never the restricted case
    case_share_set(acting_user=world["worker"], case_id=restricted.pk, institution_id=world["other_worker"].institution_id, categories=["case_summary"])
    assert refs(world["other_worker"]) == {foreign.reference, restricted.reference}
    assert refs(verified(make_user(Role.AUDITOR))) == set()


def test_search_ignores_accents_and_case_but_names_only_where_identities_are_visible(
    world: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    worker, case = world["worker"], world["case"]
    assert refs(worker, q="NUNEZ") == {case.reference}
    assert refs(worker, q="rosa quispe") == {case.reference}
    assert refs(worker, q="taller TEXTIL") == {case.reference}
    assert refs(worker, q=case.reference) == {case.reference}
    assert refs(worker, q="mamani") == set()
    analyst = verified(make_user(Role.ANALYST, institution_=InstitutionFactory()))
    assert refs(analyst, q="Núñez") == set()  # a name search must not reveal who is in a case
    assert refs(analyst, q="textil") == {case.reference}


def test_filters(world: dict[str, Any]) -> None:
    worker, case, restricted = world["worker"], world["case"], world["restricted"]
    assert refs(worker, crime_type=CrimeType.SMUGGLING) == {restricted.reference}
    assert refs(worker, year=2024) == {case.reference}
    assert refs(worker, department="BO-L") == {case.reference}
    assert refs(worker, exploitation_form="forced_labour") == {case.reference}
    assert refs(worker, exploitation_country="arg") == {case.reference}
    assert refs(worker, institution=world["other_worker"].institution_id) == set()
    ordered = list(case_list(acting_user=worker, filters=CaseFilter(sort="reported_on")).values_list("reference", flat=True))
    assert ordered == [restricted.reference, case.reference]
    row = case_list(acting_user=worker, filters=CaseFilter(q="textil")).get()
    assert (row.victim_count, row.suspect_count) == (1, 1)
    empty = case_list(acting_user=worker, filters=CaseFilter(crime_type=CrimeType.SMUGGLING)).get()
    assert (empty.victim_count, empty.suspect_count) == (0, 0)


def test_victim_identity_is_masked_for_the_analyst_and_audited_for_the_case_team(
    world: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    case = world["case"]
    analyst = verified(make_user(Role.ANALYST, institution_=InstitutionFactory()))
    seen = case_get(acting_user=analyst, case_id=case.pk)
    assert [p.label for p in seen.participants] == ["Suspect 1", "Victim 1"]
    assert all(p.person is None for p in seen.participants)
    assert seen.route and not seen.editable
    assert not AuditEntry.objects.filter(action="victim_identity.view").exists()

    detail = case_get(acting_user=world["worker"], case_id=case.pk)
    assert {p.label for p in detail.participants} == {"Rosa Quispe Núñez", "Ernesto Ticona"}
    assert detail.editable
    assert AuditEntry.objects.filter(action="victim_identity.view", object_id=str(case.pk), actor_id=world["worker"].pk).count() == 1
    assert [e.action for e in detail.history][-1] == "case.create"

    with pytest.raises(NotFound):
        case_get(acting_user=world["other_worker"], case_id=case.pk)


def test_a_child_victims_identity_is_only_for_the_case_worker(
    world: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    worker = world["worker"]
    child = person_create(
        acting_user=worker, data=PersonInput(given_names="Wara", first_surname="Mamani", birth_date="2015")
    )
    participation_create(
        acting_user=worker, case_id=world["case"].pk, person_id=child.pk,
        data=ParticipationInput(role=ParticipationRole.VICTIM),
    )
    names = {p.label for p in case_get(acting_user=worker, case_id=world["case"].pk).participants}
    assert "Wara Mamani" in names and "Rosa Quispe Núñez" in names
    # An investigator of the owning institution sees the adult victim, never the child.
    investigator = verified(make_user(Role.INVESTIGATOR, institution_=worker.institution))
    seen = {p.label for p in case_get(acting_user=investigator, case_id=world["case"].pk).participants}
    assert "Rosa Quispe Núñez" in seen and "Wara Mamani" not in seen and "Victim 2" in seen


# --- the list page: the same cases as case_list, in parts, with a bounded count ----------------


@pytest.fixture
def shared_world(world: dict[str, Any], make_user: Callable[..., Any]) -> dict[str, Any]:
    """Cases of three institutions, shared in part, restricted in part, with names in them."""
    from alianza.cases import selectors
    from alianza.cases.models import CaseShare

    worker, other = world["worker"], world["other_worker"]
    third = verified(make_user(Role.CASE_WORKER, institution_=InstitutionFactory()))
    made = []
    for n, (owner, sensitivity) in enumerate(
        [(worker, Sensitivity.NORMAL), (other, Sensitivity.NORMAL), (other, Sensitivity.RESTRICTED),
         (third, Sensitivity.NORMAL), (third, Sensitivity.HIGH), (other, Sensitivity.NORMAL)]
    ):
        case = case_create(
            acting_user=owner,
            data=CaseInput(crime_type=CrimeType.TRAFFICKING, reported_on=dt.date(2020 + n % 4, 1 + n, 3), source=CaseSource.COMPLAINT,
                           narrative=f"Relato {n} de un taller textil.", sensitivity=sensitivity, exploitation_forms=("forced_labour",)),
        )
        person = person_create(acting_user=owner, data=PersonInput(given_names="Rosa", first_surname="Quispe" if n % 2 else "Mamani"))
        participation_create(acting_user=owner, case_id=case.pk, person_id=person.pk, data=ParticipationInput(role=ParticipationRole.VICTIM))
        route_event_create(acting_user=owner, case_id=case.pk, data=RouteEventInput(event_type=RouteEventType.EXPLOITATION, country="ARG" if n % 3 else "CHL"))
        made.append(case)
    # Shared with the first NGO: one case with victims' identities, one without, one restricted with identities.
    case_share_set(acting_user=other, case_id=made[1].pk, institution_id=worker.institution_id, categories=["case_summary", "victim_identity"])
    case_share_set(acting_user=third, case_id=made[3].pk, institution_id=worker.institution_id, categories=["case_summary"])
    case_share_set(acting_user=other, case_id=made[2].pk, institution_id=worker.institution_id, categories=["route", "victim_identity"])
    # Shared with the third institution, which has no share of victims' identities at all: its
    # names are not searched there (the shared part then reads no name tokens).
    case_share_set(acting_user=other, case_id=made[5].pk, institution_id=third.institution_id, categories=["case_summary"])
    # A share with the owner itself adds nothing, and must not make the case appear twice.
    CaseShare.objects.create(case=made[0], institution_id=worker.institution_id, category="case_summary")
    assert selectors.COUNT_LIMIT >= 100
    return {**world, "third": third, "made": made}


PAGE_FILTERS = [
    {}, {"q": "quispe"}, {"q": "rosa quispe"}, {"q": "mamani"}, {"q": "textil"}, {"q": "relato 3"},
    # A name and a word of the narrative: a case shared without victims' identities must not match.
    {"q": "rosa relato"}, {"q": "taller mamani"},
    {"exploitation_form": "forced_labour"}, {"exploitation_country": "arg"}, {"exploitation_form": "sexual_exploitation"},
    {"q": "quispe", "exploitation_country": "ARG"}, {"year": 2021}, {"sort": "reference"}, {"sort": "reported_on"},
    {"crime_type": CrimeType.SMUGGLING}, {"institution": None},
]


@pytest.mark.parametrize("few_matches", [10_000, 0], ids=["searched-by-ids", "searched-by-probes"])
def test_the_list_page_shows_exactly_what_case_list_selects(
    shared_world: dict[str, Any], make_user: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, few_matches: int
) -> None:
    from alianza.cases import selectors
    from alianza.cases.selectors import case_page

    monkeypatch.setattr(selectors, "FEW_MATCHES", few_matches)  # both ways a search is answered

    users = [
        shared_world["worker"], shared_world["other_worker"], shared_world["third"],
        verified(make_user(Role.ANALYST, institution_=InstitutionFactory())),
        verified(make_user(Role.COORDINATOR, institution_=InstitutionFactory())),
        verified(make_user(Role.INVESTIGATOR, institution_=shared_world["worker"].institution)),
        verified(make_user(Role.ANALYST, institution_=shared_world["worker"].institution)),
        verified(make_user(Role.AUDITOR)),
    ]
    checked = 0
    for user in users:
        for fields in PAGE_FILTERS:
            filters = CaseFilter(**fields)
            expected = list(case_list(acting_user=user, filters=filters).values_list("pk", flat=True))
            seen: list[int] = []
            number = 1
            while True:
                page = case_page(acting_user=user, filters=filters, number=number, page_size=2)
                assert page.count == len(expected) and page.count_is_exact
                seen += [case.pk for case in page]
                if not page.has_next:
                    break
                number += 1
            assert seen == expected, (user.role, fields)
            checked += len(expected)
    assert checked > 100  # the filters select something for most users


def test_a_large_total_is_shown_as_more_than_the_limit(
    shared_world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, make_user: Callable[..., Any]
) -> None:
    from django.test import Client

    from alianza.cases import selectors
    from conftest import sign_in

    analyst = make_user(Role.ANALYST, institution_=InstitutionFactory())
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 3)
    page = selectors.case_page(acting_user=verified(analyst), filters=CaseFilter(), page_size=2)
    assert (page.count, page.count_is_exact, page.num_pages, page.has_next) == (3, False, None, True)
    html = sign_in(Client(), analyst).get("/cases/?page=2").content.decode()
    assert "More than 3 cases" in html and "Page 2" in html and "Page 2 of" not in html
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 10_000)
    html = sign_in(Client(), analyst).get("/cases/").content.decode()
    total = case_list(acting_user=verified(analyst), filters=CaseFilter()).count()
    assert 3 < total < 25 and f"{total} cases" in html and "Page 1" not in html  # one page: no pagination


def test_the_search_token_indexes_survive_the_migrations(db: Any) -> None:
    """They are created with raw SQL (pattern ops on PostgreSQL), which a table rebuild on SQLite
    drops; one case's tokens are read through the key (case, token, is_name), and no id is kept."""
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "cases_casesearchtoken")
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "cases_casesearchtoken")}
        if connection.vendor == "sqlite":  # its introspection lists a key's columns in the table's order
            cursor.execute("SELECT name FROM pragma_table_info('cases_casesearchtoken') WHERE pk > 0 ORDER BY pk")
            keys = [[name for (name,) in cursor.fetchall()]]
        else:
            keys = [c["columns"] for c in constraints.values() if c["primary_key"]]
            # Byte order, so that the key answers a case's tokens starting with a word as a range.
            cursor.execute(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_name = 'cases_casesearchtoken' AND column_name = 'token'"
            )
            assert cursor.fetchone() == ("C",)
    prefix = "cases_token_prefix" if connection.vendor == "postgresql" else "cases_token_lookup"
    assert {prefix, "cases_token_owner"} <= set(constraints)
    assert keys == [["case_id", "token", "is_name"]]
    assert columns == {"case_id", "token", "is_name", "owner_institution_id"}

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

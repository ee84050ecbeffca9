from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import InstitutionFactory
from alianza.audit.models import AuditEntry
from alianza.cases.choices import CaseSource, CrimeType
from alianza.cases.services import CaseInput, case_create
from alianza.core.errors import NotFound
from alianza.people.choices import ParticipationRole
from alianza.people.selectors import person_get, person_list
from alianza.people.services import (
    ParticipationInput,
    PersonInput,
    participation_create,
    person_create,
)

pytestmark = pytest.mark.django_db


def test_person_page_lists_visible_cases_and_masks_for_the_analyst(make_user: Callable[..., Any], reference: None) -> None:
    worker = make_user(Role.CASE_WORKER)
    person = person_create(acting_user=worker, data=PersonInput(given_names="Juana", first_surname="Condori"))
    cases = []
    for year in (2021, 2024):
        case = case_create(
            acting_user=worker,
            data=CaseInput(crime_type=CrimeType.TRAFFICKING, reported_on=dt.date(year, 1, 2), source=CaseSource.COMPLAINT),
        )
        participation_create(acting_user=worker, case_id=case.pk, person_id=person.pk, data=ParticipationInput(role=ParticipationRole.VICTIM))
        cases.append(case)
    detail = person_get(acting_user=worker, person_id=person.pk)
    assert detail.identity_visible and detail.label == "Juana Condori"
    assert [c.case.reference for c in detail.cases] == [cases[1].reference, cases[0].reference]
    assert AuditEntry.objects.filter(action="victim_identity.view", object_type="people.person").count() == 1

    analyst = make_user(Role.ANALYST, institution_=InstitutionFactory())
    analyst.is_verified = lambda: True
    masked = person_get(acting_user=analyst, person_id=person.pk)
    assert not masked.identity_visible and masked.label == "Victim 1" and len(masked.cases) == 2
    assert person_list(acting_user=analyst, q="condori").count() == 0
    assert list(person_list(acting_user=worker, q="CONDORÍ")) == [person]

    stranger = make_user(Role.CASE_WORKER, institution_=InstitutionFactory())
    with pytest.raises(NotFound):
        person_get(acting_user=stranger, person_id=person.pk)


def test_a_child_victims_person_page_names_them_only_to_the_case_worker(
    make_user: Callable[..., Any], reference: None
) -> None:
    worker = make_user(Role.CASE_WORKER)
    child = person_create(acting_user=worker, data=PersonInput(given_names="Wara", first_surname="Mamani", birth_date="2014-03"))
    case = case_create(
        acting_user=worker,
        data=CaseInput(crime_type=CrimeType.TRAFFICKING, reported_on=dt.date(2025, 1, 2), source=CaseSource.COMPLAINT),
    )
    participation_create(acting_user=worker, case_id=case.pk, person_id=child.pk, data=ParticipationInput(role=ParticipationRole.VICTIM))
    assert person_get(acting_user=worker, person_id=child.pk).label == "Wara Mamani"
    prosecutor = make_user(Role.PROSECUTOR, institution_=worker.institution)
    prosecutor.is_verified = lambda: True
    seen = person_get(acting_user=prosecutor, person_id=child.pk)
    assert not seen.identity_visible and seen.label == "Victim 1"
    # Nor does a name search find them for the prosecutor.
    assert list(person_list(acting_user=worker, q="wara")) == [child]
    assert list(person_list(acting_user=prosecutor, q="wara")) == []

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import InstitutionFactory
from alianza.cases.tests.test_views import _case_with_people
from alianza.people.choices import ParticipationRole
from alianza.people.models import Person
from alianza.people.services import (
    ContactInput,
    DocumentInput,
    ParticipationInput,
    PersonInput,
    participant_add,
)
from conftest import sign_in

pytestmark = pytest.mark.django_db


def english(user: Any) -> Client:
    return sign_in(Client(headers={"Accept-Language": "en"}), user)


def test_person_edit_keeps_other_documents_and_refuses_stale_versions(make_user: Callable[..., Any], reference: None) -> None:
    worker = make_user(Role.CASE_WORKER)
    case = _case_with_people(worker, 0)
    participant_add(
        acting_user=worker, case_id=case.pk, data=ParticipationInput(role=ParticipationRole.VICTIM),
        person=PersonInput(
            given_names="Luz", first_surname="Apaza",
            documents=(DocumentInput(number="4455667 LP"), DocumentInput(number="AB123456", document_type="PASSPORT")),
            contacts=(ContactInput(kind="phone", value="71234567"), ContactInput(kind="email", value="luz@example.org")),
        ),
    )
    person = Person.objects.get()
    client = english(worker)
    page = client.get(f"/people/{person.pk}/edit/")
    assert page.status_code == 200
    form = {**{k: v for k, v in page.context["form"].initial.items() if v is not None}, "second_surname": "Ticona"}
    assert client.post(f"/people/{person.pk}/edit/", form).status_code == 302
    person.refresh_from_db()
    assert person.second_surname == "Ticona" and person.documents.count() == 2 and person.contacts.count() == 2
    stale = client.post(f"/people/{person.pk}/edit/", {**form, "second_surname": "Yujra"})
    assert stale.status_code == 409 and "Someone else saved this person" in stale.content.decode()
    analyst = english(make_user(Role.ANALYST, institution_=InstitutionFactory()))
    assert analyst.get(f"/people/{person.pk}/edit/").status_code == 403


def test_prosecutor_records_a_proceeding_stage(make_user: Callable[..., Any], reference: None) -> None:
    prosecutor = make_user(Role.PROSECUTOR)
    case = _case_with_people(prosecutor, 0)
    suspect = participant_add(
        acting_user=prosecutor, case_id=case.pk, data=ParticipationInput(role=ParticipationRole.SUSPECT),
        person=PersonInput(given_names="Hugo", first_surname="Calle"),
    )
    client = english(prosecutor)
    assert "Proceeding stage" in client.get(f"/cases/{case.pk}/").content.decode()
    response = client.post(f"/cases/{case.pk}/participants/{suspect.pk}/proceeding/", {"stage": "charged", "on": "2024-05-06"})
    assert response.status_code == 302
    suspect.refresh_from_db()
    assert suspect.proceeding.stage == "charged" and str(suspect.proceeding.charged_on) == "2024-05-06"
    assert "Charged" in client.get(f"/cases/{case.pk}/").content.decode()

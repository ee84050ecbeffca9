from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import InstitutionFactory
from alianza.cases.choices import CaseSource, CrimeType, RouteEventType
from alianza.cases.models import Case
from alianza.cases.services import CaseInput, RouteEventInput, case_create, route_event_create
from alianza.people.choices import ParticipationRole
from alianza.people.services import ParticipationInput, PersonInput, participant_add
from conftest import sign_in

pytestmark = pytest.mark.django_db


def english_client() -> Client:
    return Client(headers={"Accept-Language": "en"})


def _case_with_people(worker: Any, n: int) -> Case:
    case = case_create(
        acting_user=worker,
        data=CaseInput(crime_type=CrimeType.TRAFFICKING, reported_on=dt.date(2024, 1, 1 + n % 27), source=CaseSource.COMPLAINT,
                       exploitation_forms=("sexual_exploitation", "forced_begging")),
    )
    for i in range(n):
        participant_add(
            acting_user=worker, case_id=case.pk,
            person=PersonInput(given_names="Ana", first_surname=f"Mamani{chr(97 + i % 26)}", second_surname="Sintética"),
            data=ParticipationInput(role=ParticipationRole.VICTIM, exploitation_forms=("sexual_exploitation",),
                                    means_of_control=("debt_bondage",)),
        )
        route_event_create(acting_user=worker, case_id=case.pk, data=RouteEventInput(event_type=RouteEventType.TRANSIT, country="ARG", border_crossing="villazon"))
    return case


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_list_and_detail_query_counts_do_not_grow_with_rows(make_user: Callable[..., Any], reference: None) -> None:
    worker = make_user(Role.CASE_WORKER)
    client = sign_in(english_client(), worker)
    small = _case_with_people(worker, 1)
    client.get("/cases/")  # the first request also writes the session
    list_few = _queries(client, "/cases/?q=mamani")
    detail_few = _queries(client, f"/cases/{small.pk}/")
    big = _case_with_people(worker, 6)
    for _ in range(5):
        _case_with_people(worker, 2)
    assert _queries(client, "/cases/?q=mamani") == list_few
    assert _queries(client, f"/cases/{big.pk}/") == detail_few


def test_case_worker_registers_a_case_through_the_forms(make_user: Callable[..., Any], reference: None) -> None:
    client = sign_in(english_client(), make_user(Role.CASE_WORKER))
    response = client.post("/cases/new/", {
        "crime_type": "trafficking", "status": "Active", "reported_on": "2024-07-01", "source": "hotline",
        "department": "BO-L", "sensitivity": "normal", "exploitation_forms": ["sexual_exploitation"],
    })
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    response = client.post(f"/cases/{case.pk}/participants/new/", {
        "role": "victim", "given_names": "Rosa", "first_surname": "Nuñez", "sex": "F", "birth_date": "2008",
        "document_type": "CI", "document_number": "7654321 LP", "trafficking_status": "PossibleVictimOfTrafficking",
        "version": case.version,
    })
    assert response.status_code == 302, response.content
    page = client.get("/cases/?q=nunez")
    assert case.reference in page.content.decode()
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Rosa Nuñez" in detail and "7654321 LP" in detail


def test_form_shows_each_problem_next_to_its_field(make_user: Callable[..., Any], reference: None) -> None:
    client = sign_in(english_client(), make_user(Role.CASE_WORKER))
    response = client.post("/cases/new/", {
        "crime_type": "trafficking", "legal_article": "CP-321bis", "status": "Closed", "reported_on": "2024-07-01",
        "source": "hotline", "sensitivity": "normal", "first_incident_on": "32/13/2020",
    })
    assert response.status_code == 200 and not Case.objects.exists()
    form = response.context["form"]
    assert set(form.errors) == {"legal_article", "closure_reason", "first_incident_on"}
    assert 'aria-describedby="id_legal_article_error' in response.content.decode() or "id_legal_article_error" in response.content.decode()


def test_second_save_with_a_stale_version_is_refused(make_user: Callable[..., Any], reference: None) -> None:
    ana, beto = make_user(Role.CASE_WORKER), make_user(Role.CASE_WORKER)
    case = _case_with_people(ana, 0)
    form = {"crime_type": "trafficking", "status": "Active", "reported_on": "2024-01-01", "source": "complaint",
            "sensitivity": "normal", "version": case.version}
    first = sign_in(english_client(), ana).post(f"/cases/{case.pk}/edit/", {**form, "municipality": "El Alto"})
    second = sign_in(english_client(), beto).post(f"/cases/{case.pk}/edit/", {**form, "municipality": "Viacha"})
    assert first.status_code == 302
    assert second.status_code == 409
    assert "Someone else saved this case" in second.content.decode()
    case.refresh_from_db()
    assert case.municipality == "El Alto"


def test_analyst_sees_the_case_with_the_victim_masked(make_user: Callable[..., Any], reference: None) -> None:
    worker = make_user(Role.CASE_WORKER)
    case = _case_with_people(worker, 1)
    analyst = make_user(Role.ANALYST, institution_=InstitutionFactory())
    client = sign_in(english_client(), analyst)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Victim 1" in page and "Mamania" not in page
    assert "/people/" not in page
    assert case.reference not in client.get("/cases/?q=mamania").content.decode()
    assert client.get(f"/cases/{case.pk}/edit/").status_code == 403
    person_id = case.participations.get().person_id
    person_page = client.get(f"/people/{person_id}/").content.decode()
    assert "Mamania" not in person_page and case.reference in person_page


def test_other_institution_gets_not_found(make_user: Callable[..., Any], reference: None) -> None:
    case = _case_with_people(make_user(Role.CASE_WORKER), 0)
    outsider = sign_in(english_client(), make_user(Role.CASE_WORKER, institution_=InstitutionFactory()))
    assert outsider.get(f"/cases/{case.pk}/").status_code == 404
    assert case.reference not in outsider.get("/cases/").content.decode()


def test_edit_a_victims_role_fields(make_user: Callable[..., Any], reference: None) -> None:
    worker = make_user(Role.CASE_WORKER)
    case = _case_with_people(worker, 1)
    case.refresh_from_db()
    participation = case.participations.get()
    client = sign_in(english_client(), worker)
    page = client.get(f"/cases/{case.pk}/participants/{participation.pk}/edit/")
    assert page.status_code == 200
    form = {**page.context["form"].initial, "means_of_control": ["debt_bondage", "confinement"],
            "forced_labour_industry": "B", "trafficking_status": "ActualVictimOfTrafficking"}
    response = client.post(f"/cases/{case.pk}/participants/{participation.pk}/edit/", form)
    assert response.status_code == 302
    participation.refresh_from_db()
    assert set(participation.means_of_control.values_list("code", flat=True)) == {"debt_bondage", "confinement"}
    assert participation.forced_labour_industry.code == "B"
    stale = client.post(f"/cases/{case.pk}/participants/{participation.pk}/edit/", form)
    assert stale.status_code == 409

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import InstitutionFactory
from alianza.cases.models import Case
from conftest import sign_in

pytestmark = pytest.mark.django_db


def call(client: Client, method: str, url: str, body: Any = None) -> Any:
    response = client.generic(
        method, f"/api/v1{url}", data=json.dumps(body) if body is not None else "",
        content_type="application/json", headers={"Accept-Language": "en"},
    )
    return response.status_code, (response.json() if response.content else None)


CASE = {"crime_type": "trafficking", "reported_on": "2024-02-03", "source": "rescue_operation", "department": "BO-S",
        "narrative": "Rescate en un local nocturno.", "exploitation_forms": ["sexual_exploitation"]}


def test_case_crud_with_optimistic_locking(make_user: Callable[..., Any], reference: None) -> None:
    ana = sign_in(Client(), make_user(Role.INVESTIGATOR))
    beto = sign_in(Client(), make_user(Role.INVESTIGATOR))
    status, case = call(ana, "POST", "/cases", CASE)
    assert status == 201, case
    assert case["reference"].endswith("-2024-000001") and case["legal_article"] == "CP-281bis"
    status, updated = call(ana, "PUT", f"/cases/{case['id']}", {**CASE, "municipality": "Montero", "version": case["version"]})
    assert status == 200 and updated["version"] == case["version"] + 1
    status, error = call(beto, "PUT", f"/cases/{case['id']}", {**CASE, "municipality": "Warnes", "version": case["version"]})
    assert status == 409 and error["error"]["code"] == "conflict"
    assert call(ana, "GET", f"/cases/{case['id']}")[1]["municipality"] == "Montero"
    status, error = call(ana, "POST", "/cases", {**CASE, "legal_article": "CP-321bis"})
    assert status == 422 and "legal_article" in error["error"]["details"]["fields"]
    status, error = call(ana, "POST", "/cases", {**CASE, "unknown": 1})
    assert status == 422
    assert call(ana, "DELETE", f"/cases/{case['id']}?version={case['version']}")[0] == 409
    assert call(ana, "DELETE", f"/cases/{case['id']}?version={updated['version']}")[0] == 204
    assert not Case.objects.exists()


def test_list_filters_and_paginates(make_user: Callable[..., Any], reference: None) -> None:
    client = sign_in(Client(), make_user(Role.CASE_WORKER))
    for year in (2019, 2020, 2020, 2021):
        call(client, "POST", "/cases", {**CASE, "reported_on": f"{year}-05-05"})
    call(client, "POST", "/cases", {**CASE, "crime_type": "smuggling", "exploitation_forms": []})
    status, page = call(client, "GET", "/cases?year=2020&limit=1")
    assert status == 200 and page["count"] == 2 and len(page["items"]) == 1
    assert call(client, "GET", "/cases?crime_type=smuggling")[1]["count"] == 1
    assert call(client, "GET", "/cases?q=NOCTURNO&department=BO-S")[1]["count"] == 5
    assert call(client, "GET", "/cases?crime_type=genocide")[0] == 422


def test_people_and_routes_with_masking(make_user: Callable[..., Any], reference: None) -> None:
    worker = sign_in(Client(), make_user(Role.CASE_WORKER))
    _, case = call(worker, "POST", "/cases", CASE)
    status, person = call(worker, "POST", "/persons", {
        "given_names": "juana", "first_surname": "CHOQUE", "citizenships": ["Bolivia"],
        "documents": [{"number": "12.345.678", "document_type": "DNI", "issuing_country": "ARG"}],
    })
    assert status == 201 and person["first_surname"] == "Choque"
    assert person["documents"][0]["number_normalized"] == "12345678"
    status, error = call(worker, "POST", "/persons", {"first_surname": "Choque", "documents": [{"number": "111.111.111-11", "document_type": "CPF"}]})
    assert status == 422 and "documents.0.document_number" in error["error"]["details"]["fields"]
    status, participation = call(worker, "POST", f"/cases/{case['id']}/participations", {
        "person_id": person["id"], "role": "victim", "means_of_control": ["debt_bondage"],
    })
    assert status == 201 and participation["label"] == "Juana Choque"
    status, event = call(worker, "POST", f"/cases/{case['id']}/route-events", {"event_type": "Transit", "country": "BOL", "border_crossing": "yacuiba", "crossing": "irregular"})
    assert status == 201 and event["position"] == 1
    assert call(worker, "GET", "/persons?q=choque")[1]["count"] == 1

    analyst = sign_in(Client(), make_user(Role.ANALYST, institution_=InstitutionFactory()))
    status, people = call(analyst, "GET", f"/cases/{case['id']}/participations")
    assert status == 200 and people[0]["label"] == "Victim 1" and people[0]["person_id"] is None
    status, masked = call(analyst, "GET", f"/persons/{person['id']}")
    assert status == 200 and masked["identity_visible"] is False and masked["first_surname"] is None
    assert call(analyst, "GET", "/persons?q=choque")[1]["count"] == 0
    assert call(analyst, "GET", f"/cases/{case['id']}/route-events")[1][0]["border_crossing"] == "yacuiba"
    assert call(analyst, "POST", f"/cases/{case['id']}/route-events", {"event_type": "Transit", "country": "BOL"})[0] == 403

    outsider = sign_in(Client(), make_user(Role.CASE_WORKER, institution_=InstitutionFactory()))
    assert call(outsider, "GET", f"/cases/{case['id']}")[0] == 404
    assert call(outsider, "GET", f"/persons/{person['id']}")[0] == 404
    assert call(worker, "DELETE", f"/route-events/{event['id']}")[0] == 204
    assert call(worker, "DELETE", f"/participations/{participation['id']}")[0] == 204


def test_only_responses_that_show_a_victim_audit_a_reveal(make_user: Callable[..., Any], reference: None) -> None:
    from alianza.audit.models import AuditEntry

    worker = sign_in(Client(), make_user(Role.CASE_WORKER))
    _, case = call(worker, "POST", "/cases", CASE)
    _, person = call(worker, "POST", "/persons", {"given_names": "Rosa", "first_surname": "Tola"})
    call(worker, "POST", f"/cases/{case['id']}/participations", {"person_id": person["id"], "role": "victim"})
    reveals = AuditEntry.objects.filter(action="victim_identity.view")
    before = reveals.count()
    call(worker, "GET", f"/cases/{case['id']}")
    call(worker, "GET", f"/cases/{case['id']}/route-events")
    assert reveals.count() == before
    call(worker, "GET", f"/cases/{case['id']}/participations")
    assert reveals.count() == before + 1

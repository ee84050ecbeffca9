from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import InstitutionFactory
from alianza.audit.models import AuditEntry
from alianza.cases.exports import export_csv, export_htcds
from alianza.cases.imports import cases_import, read_htcds_json
from alianza.cases.models import Case
from alianza.cases.selectors import CaseFilter
from alianza.cases.services import RouteEventInput, route_event_create
from alianza.cases.tests.test_views import _case_with_people
from conftest import sign_in

pytestmark = pytest.mark.django_db


def verified(user: Any) -> Any:
    user.is_verified = lambda: True
    return user


def with_destination(worker: Any, case: Case) -> Case:
    route_event_create(acting_user=worker, case_id=case.pk, data=RouteEventInput(event_type="Exploitation", country="ARG", city="Mendoza"))
    return case


def test_exports_hold_exactly_what_the_user_may_see(make_user: Callable[..., Any], reference: None) -> None:
    worker = verified(make_user(Role.CASE_WORKER))
    case = with_destination(worker, _case_with_people(worker, 2))
    _case_with_people(verified(make_user(Role.CASE_WORKER, institution_=InstitutionFactory())), 1)  # not visible

    rows = list(csv.DictReader(io.StringIO(export_csv(acting_user=worker, filters=CaseFilter()).decode("utf-8-sig"))))
    assert [r["reference"] for r in rows] == [case.reference]
    assert rows[0]["victim_first_surname"].startswith("Mamani") and rows[0]["destination_country"] == "ARG"

    coordinator = verified(make_user(Role.COORDINATOR, institution_=InstitutionFactory()))
    rows = list(csv.DictReader(io.StringIO(export_csv(acting_user=coordinator, filters=CaseFilter()).decode("utf-8-sig"))))
    assert len(rows) == 2 and all(r["victim_first_surname"] == "" and r["victim_document_number"] == "" for r in rows)
    assert {r["victim_sex"] for r in rows} == {""}  # the factory's people have no sex recorded
    document = json.loads(export_htcds(acting_user=coordinator, filters=CaseFilter(q=case.reference)))
    victim = document["cases"][0]["victims"][0]
    assert victim["alz_Masked"] is True and "prs_SecondName" not in victim
    assert victim["vic_TypeOfExploitation"] == ["SexualExploitation"]
    assert AuditEntry.objects.filter(action="case.export.htcds", actor_id=coordinator.pk).exists()

    analyst = verified(make_user(Role.ANALYST))
    with pytest.raises(Exception, match="exports"):
        export_csv(acting_user=analyst, filters=CaseFilter())


def test_htcds_export_imports_on_another_node(make_user: Callable[..., Any], reference: None) -> None:
    worker = verified(make_user(Role.INVESTIGATOR))
    case = with_destination(worker, _case_with_people(worker, 1))
    exported = export_htcds(acting_user=worker, filters=CaseFilter())
    other = verified(make_user(Role.INVESTIGATOR, institution_=InstitutionFactory()))
    report = cases_import(acting_user=other, rows=read_htcds_json(exported))
    assert report.created == 1 and report.problems == []
    copy = Case.objects.exclude(pk=case.pk).get()
    case.refresh_from_db()
    assert copy.names_text == case.names_text and copy.exploitation_countries == "ARG"
    assert set(copy.exploitation_forms.values_list("code", flat=True)) == {"sexual_exploitation", "forced_begging"}


def test_export_download_from_the_list(make_user: Callable[..., Any], reference: None) -> None:
    worker = make_user(Role.CASE_WORKER)
    _case_with_people(worker, 1)
    client = sign_in(Client(), worker)
    response = client.get("/cases/export/?format=xlsx&crime_type=trafficking")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2
    assert client.get("/cases/export/?format=pdf").status_code == 404
    assert sign_in(Client(), make_user(Role.ANALYST)).get("/cases/export/?format=csv").status_code == 403

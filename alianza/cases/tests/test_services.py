from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings

from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import InstitutionFactory
from alianza.audit.models import AuditEntry
from alianza.cases.choices import CaseSource, CaseStatus, CrimeType, LegalArticle, RouteEventType
from alianza.cases.models import Case
from alianza.cases.services import (
    CaseInput,
    RouteEventInput,
    case_create,
    case_delete,
    case_share_set,
    case_update,
    route_event_create,
    route_event_delete,
    route_reorder,
)
from alianza.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def trafficking(**changes: Any) -> CaseInput:
    values: dict[str, Any] = {
        "crime_type": CrimeType.TRAFFICKING,
        "reported_on": dt.date(2024, 5, 2),
        "source": CaseSource.COMPLAINT,
        "narrative": "Oferta de empleo falsa en una feria de El Alto.",
        "exploitation_forms": ("sexual_exploitation",),
    }
    values.update(changes)
    return CaseInput(**values)


@override_settings(ALIANZA_NODE_COUNTRY="BOL")
def test_case_create_issues_sequential_references_and_audits(make_user: Callable[..., Any], reference: None) -> None:
    worker = make_user(Role.CASE_WORKER)
    first = case_create(acting_user=worker, data=trafficking())
    second = case_create(acting_user=worker, data=trafficking())
    other_year = case_create(acting_user=worker, data=trafficking(reported_on=dt.date(2023, 1, 9)))
    assert (first.reference, second.reference) == ("BOL-2024-000001", "BOL-2024-000002")
    assert other_year.reference == "BOL-2023-000001"
    assert first.legal_article == LegalArticle.TRAFFICKING_281_BIS
    assert first.owner_institution == worker.institution
    assert list(first.exploitation_forms.values_list("code", flat=True)) == ["sexual_exploitation"]
    entry = AuditEntry.objects.get(action="case.create", object_id=str(first.pk))
    assert "narrative" in entry.changed_fields
    assert "El Alto" not in str(entry.changed_fields)  # names only, never values


def test_trafficking_and_smuggling_articles_are_never_confused(make_user: Callable[..., Any], reference: None) -> None:
    worker = make_user(Role.INVESTIGATOR)
    with pytest.raises(ValidationFailed) as error:
        case_create(acting_user=worker, data=trafficking(legal_article=LegalArticle.SMUGGLING_321_BIS))
    assert "legal_article" in error.value.extra["fields"]
    smuggling = case_create(acting_user=worker, data=trafficking(crime_type=CrimeType.SMUGGLING, exploitation_forms=()))
    assert smuggling.legal_article == LegalArticle.SMUGGLING_321_BIS
    with pytest.raises(ValidationFailed):
        case_create(acting_user=worker, data=trafficking(crime_type=CrimeType.RELATED))  # needs its article
    assert Case.objects.count() == 1


def test_closing_needs_a_reason(make_user: Callable[..., Any], reference: None) -> None:
    worker = make_user(Role.CASE_WORKER)
    with pytest.raises(ValidationFailed) as error:
        case_create(acting_user=worker, data=trafficking(status=CaseStatus.CLOSED))
    assert list(error.value.extra["fields"]) == ["closure_reason"]


def test_roles_without_case_create_cannot_register(make_user: Callable[..., Any], reference: None) -> None:
    for role in (Role.ANALYST, Role.COORDINATOR, Role.AUDITOR, Role.ADMINISTRATOR):
        user = make_user(role)
        user.is_verified = lambda: True
        with pytest.raises(PermissionDenied):
            case_create(acting_user=user, data=trafficking())
    assert not Case.objects.exists()


def test_stale_version_is_refused_and_nothing_is_overwritten(make_user: Callable[..., Any], reference: None) -> None:
    ana, beto = make_user(Role.CASE_WORKER), make_user(Role.CASE_WORKER)
    case = case_create(acting_user=ana, data=trafficking())
    version = case.version
    case_update(acting_user=ana, case_id=case.pk, expected_version=version, data=trafficking(municipality="El Alto"))
    with pytest.raises(Conflict) as error:
        case_update(acting_user=beto, case_id=case.pk, expected_version=version, data=trafficking(municipality="Viacha"))
    assert "Someone else saved this case" in error.value.message
    case.refresh_from_db()
    assert case.municipality == "El Alto" and case.version == version + 1
    assert error.value.extra == {"current_version": version + 1}


def test_other_institutions_cannot_see_or_change_a_case_until_it_is_shared(
    make_user: Callable[..., Any], reference: None
) -> None:
    owner = make_user(Role.CASE_WORKER)
    outsider = make_user(Role.INVESTIGATOR, institution_=InstitutionFactory())
    case = case_create(acting_user=owner, data=trafficking())
    with pytest.raises(NotFound):
        case_update(acting_user=outsider, case_id=case.pk, expected_version=case.version, data=trafficking())
    case_share_set(acting_user=owner, case_id=case.pk, institution_id=outsider.institution_id, categories=["case_summary"])
    with pytest.raises(PermissionDenied):
        case_update(acting_user=outsider, case_id=case.pk, expected_version=case.version, data=trafficking())
    case_share_set(
        acting_user=owner, case_id=case.pk, institution_id=outsider.institution_id,
        categories=["statistics", "case_summary", "route", "suspect_identity", "victim_identity"],
    )
    case_update(acting_user=outsider, case_id=case.pk, expected_version=case.version, data=trafficking(municipality="Sucre"))


def test_route_keeps_its_order_and_the_countries_of_exploitation(make_user: Callable[..., Any], reference: None) -> None:
    worker = make_user(Role.INVESTIGATOR)
    case = case_create(acting_user=worker, data=trafficking())
    recruitment = route_event_create(
        acting_user=worker, case_id=case.pk,
        data=RouteEventInput(event_type=RouteEventType.RECRUITMENT, country="Bolivia", department="BO-L", city="El Alto", date="2024-02"),
    )
    crossing = route_event_create(
        acting_user=worker, case_id=case.pk,
        data=RouteEventInput(event_type=RouteEventType.TRANSIT, country="BOL", border_crossing="villazon", crossing="irregular", transport_mode="bus"),
    )
    route_event_create(
        acting_user=worker, case_id=case.pk,
        data=RouteEventInput(event_type=RouteEventType.EXPLOITATION, country="Argentina", city="Buenos Aires"),
    )
    case.refresh_from_db()
    assert [e.position for e in case.route_events.all()] == [1, 2, 3]
    assert case.exploitation_countries == "ARG"
    assert recruitment.date == "2024-02" and crossing.border_crossing is not None
    with pytest.raises(ValidationFailed) as error:
        route_event_create(
            acting_user=worker, case_id=case.pk,
            data=RouteEventInput(event_type=RouteEventType.TRANSIT, country="Atlantis", date="31/02/2024"),
        )
    assert set(error.value.extra["fields"]) == {"country", "date"}
    route_reorder(acting_user=worker, case_id=case.pk, event_ids=[crossing.pk, recruitment.pk, case.route_events.last().pk])
    assert list(case.route_events.values_list("pk", flat=True))[:2] == [crossing.pk, recruitment.pk]
    route_event_delete(acting_user=worker, event_id=case.route_events.last().pk)
    case.refresh_from_db()
    assert case.exploitation_countries == ""


def test_case_delete_needs_the_current_version(make_user: Callable[..., Any], reference: None) -> None:
    worker = make_user(Role.CASE_WORKER)
    case = case_create(acting_user=worker, data=trafficking())
    with pytest.raises(Conflict):
        case_delete(acting_user=worker, case_id=case.pk, expected_version=case.version + 1)
    case_delete(acting_user=worker, case_id=case.pk, expected_version=case.version)
    assert not Case.objects.exists()
    assert AuditEntry.objects.filter(action="case.delete", object_id=str(case.pk)).exists()

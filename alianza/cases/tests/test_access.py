"""CaseAccess: the cases shared with each institution, kept by triggers from shares and cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import InstitutionFactory
from alianza.cases import access
from alianza.cases.choices import CaseSource, CrimeType, RouteEventType
from alianza.cases.models import Case, CaseAccess, CaseSearchToken, CaseShare
from alianza.cases.services import (
    CaseInput,
    RouteEventInput,
    case_create,
    case_delete,
    case_share_set,
    case_update,
    route_event_create,
)

pytestmark = pytest.mark.django_db


def expected_rows() -> set[tuple[Any, ...]]:
    """CaseAccess as it should be, computed from the shares and cases in Python."""
    masks: dict[tuple[int, int], int] = {}
    for case_id, institution_id, category in CaseShare.objects.values_list("case_id", "institution_id", "category"):
        masks[(case_id, institution_id)] = masks.get((case_id, institution_id), 0) | access.CATEGORY_BITS[category]
    cases = {c.pk: c for c in Case.objects.filter(pk__in={k[0] for k in masks})}
    return {
        (case_id, institution_id, mask, *(getattr(cases[case_id], column) for column in access.COPIED))
        for (case_id, institution_id), mask in masks.items()
    }


def actual_rows() -> set[tuple[Any, ...]]:
    return set(CaseAccess.objects.values_list("case_id", "institution_id", "mask", *access.COPIED))


def test_the_triggers_keep_one_row_per_case_and_institution_it_is_shared_with(make_user: Any, reference: None) -> None:
    owner = make_user(Role.CASE_WORKER)
    other, third = InstitutionFactory(), InstitutionFactory()
    case = case_create(acting_user=owner, data=CaseInput(
        crime_type=CrimeType.TRAFFICKING, reported_on=dt.date(2024, 6, 1), source=CaseSource.COMPLAINT, department="BO-L",
    ))
    assert actual_rows() == set()
    case_share_set(acting_user=owner, case_id=case.pk, institution_id=other.pk, categories=["case_summary", "victim_identity"])
    case_share_set(acting_user=owner, case_id=case.pk, institution_id=third.pk, categories=["statistics"])
    assert actual_rows() == expected_rows() and len(actual_rows()) == 2
    assert CaseAccess.objects.get(institution=other).mask == access.mask_of(["case_summary", "victim_identity"])

    # A change of a copied column of the case reaches its rows: fields, and the filter keys a route sets.
    case.refresh_from_db()
    case = case_update(acting_user=owner, case_id=case.pk, expected_version=case.version, data=CaseInput(
        crime_type=CrimeType.SMUGGLING, reported_on=dt.date(2023, 2, 1), source=CaseSource.COMPLAINT, department="BO-C",
    ))
    route_event_create(acting_user=owner, case_id=case.pk, data=RouteEventInput(event_type=RouteEventType.EXPLOITATION, country="ARG"))
    assert actual_rows() == expected_rows()
    assert CaseAccess.objects.get(institution=other).filter_keys == Case.objects.get(pk=case.pk).filter_keys != ""

    # Fewer categories, then none: the mask follows, and the row goes with the last share.
    case_share_set(acting_user=owner, case_id=case.pk, institution_id=other.pk, categories=["case_summary"])
    assert actual_rows() == expected_rows()
    case_share_set(acting_user=owner, case_id=case.pk, institution_id=third.pk, categories=[])
    assert actual_rows() == expected_rows() and len(actual_rows()) == 1
    # Any writer, not only the services: a raw update and a deleted case.
    Case.objects.filter(pk=case.pk).update(status="closed_convicted")
    assert actual_rows() == expected_rows()
    case.refresh_from_db()
    case_delete(acting_user=owner, case_id=case.pk, expected_version=case.version)
    assert actual_rows() == set() and not CaseSearchToken.objects.filter(case_id=case.pk).exists()


def test_ensure_puts_missing_triggers_back_and_rebuilds_the_rows(make_user: Any, reference: None) -> None:
    owner = make_user(Role.CASE_WORKER)
    case = case_create(acting_user=owner, data=CaseInput(
        crime_type=CrimeType.TRAFFICKING, reported_on=dt.date(2024, 6, 1), source=CaseSource.COMPLAINT,
    ))
    assert set(access.trigger_statements(connection.vendor)) <= access.installed(connection)
    assert access.ensure(connection) is False  # all there
    name, (_event, table, _condition, _statements) = next(iter(access._bodies().items()))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {name} ON {table}" if connection.vendor == "postgresql" else f"DROP TRIGGER {name}")
    CaseShare.objects.create(case=case, institution=InstitutionFactory(), category="route")  # unseen: the trigger is gone
    assert actual_rows() != expected_rows()
    assert access.ensure(connection) is True
    assert actual_rows() == expected_rows() and len(actual_rows()) == 1

"""Schemathesis fuzzes every API operation from its OpenAPI document: no 5xx, and every response
matches the documented schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from alianza.accounts.roles import Role
from alianza.accounts.services import api_token_create
from alianza.config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def keep_test_connection() -> Any:
    """Like Django's test client: the WSGI handler must not close the test's open transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=[Role.AUDITOR, Role.INVESTIGATOR])
def token(request: Any, make_user: Any) -> str:
    user = make_user(request.param)
    user.is_verified = lambda: True
    return api_token_create(acting_user=user, name="fuzz").secret


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any, token: str) -> None:
    # Every check but positive-data acceptance: a schema-valid body may still break a business
    # rule (an expiry date in the past), which is a documented 422, not a failure.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )

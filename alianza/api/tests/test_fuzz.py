"""Schemathesis fuzzes every API operation from its OpenAPI document: no 5xx, and every response
matches the documented schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from alianza.accounts import authz
from alianza.accounts.roles import Role
from alianza.accounts.services import api_token_create
from alianza.agreements import keys
from alianza.config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Packages and receipts travel as compact JWE/JWS text.
schemathesis.serializer.alias("application/jose", "text/plain")


@pytest.fixture(autouse=True)
def keep_test_connection() -> Any:
    """Like Django's test client: the WSGI handler must not close the test's open transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def node_keys(tmp_path: Path, settings: Any) -> Iterator[None]:
    """The exchange endpoints need this node's keys, as after `alianza keys init`."""
    settings.ALIANZA_KEYS_DIR = str(tmp_path / "keys")
    keys.forget_cached_keys()
    keys.node_keys_init()
    yield
    keys.forget_cached_keys()


@pytest.fixture
def tokens(make_user: Any) -> dict[str, str]:
    issued = {}
    for role in Role.values:
        user = make_user(role)
        user.is_verified = lambda: True
        issued[role] = api_token_create(acting_user=user, name="fuzz").secret
    return issued


def _token_for(case: Any, tokens: dict[str, str]) -> str:
    """A role the operation's rule admits, so the fuzzer reaches the operation's own logic."""
    rule = authz.api_rule(case.operation.definition.raw.get("operationId", ""))
    for role in (Role.INVESTIGATOR, Role.CASE_WORKER, *Role.values):
        user = type("U", (), {"is_authenticated": True, "is_active": True, "role": role,
                              "institution_id": 1, "is_verified": lambda self: True})()
        if rule is not None and rule.allows(user):
            return tokens[role]
    return tokens[Role.INVESTIGATOR]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any, tokens: dict[str, str]) -> None:
    token = _token_for(case, tokens)
    # Every check but positive-data acceptance: a schema-valid body may still break a business
    # rule (an expiry date in the past), which is a documented 422, not a failure.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )

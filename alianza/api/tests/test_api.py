"""The API's contract: token and session auth, one JSON error format, and no partial writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings

from alianza.accounts.models import ApiToken
from alianza.accounts.roles import Role
from alianza.accounts.services import api_token_authenticate, api_token_create
from alianza.audit.models import AuditEntry
from conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client(make_user: Any) -> tuple[Client, Any]:
    user = make_user(Role.CASE_WORKER)
    return sign_in(Client(), user), user


def _assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_openapi_document_and_docs_are_served() -> None:
    client = Client()
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Alianza API"
    assert "/api/v1/me" in schema["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    # The platform must work offline: the interactive docs load nothing from a CDN.
    assert b"cdn" not in docs.content and b"https://" not in docs.content


def test_bearer_token_authenticates_and_revocation_stops_it(make_user: Any) -> None:
    user = make_user(Role.INVESTIGATOR)
    user.is_verified = lambda: True
    issued = api_token_create(acting_user=user, name="script")
    client = Client(headers={"Authorization": f"Bearer {issued.secret}"})
    me = client.get("/api/v1/me").json()
    assert me["username"] == user.username and me["role"] == "investigator"
    assert "case.create" in me["permissions"]
    # Only a digest is stored, never the secret.
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.secret not in (stored.digest, stored.prefix)
    assert client.post(f"/api/v1/tokens/{issued.token.pk}/revoke").status_code == 200
    _assert_error(client.get("/api/v1/me"), 401, "not_authenticated")


def test_wrong_token_is_refused() -> None:
    client = Client(headers={"Authorization": "Bearer alz_deadbeef_not-a-real-token"})
    _assert_error(client.get("/api/v1/me"), 401, "not_authenticated")


def test_token_create_returns_secret_once(api_client: tuple[Client, Any]) -> None:
    client, _ = api_client
    response = client.post("/api/v1/tokens", {"name": "etl"}, content_type="application/json")
    assert response.status_code == 201
    secret = response.json()["secret"]
    listed = client.get("/api/v1/tokens").json()
    assert len(listed) == 1 and secret not in str(listed)


def test_malformed_json_is_400_and_writes_nothing(api_client: tuple[Client, Any]) -> None:
    client, _ = api_client
    before = (ApiToken.objects.count(), AuditEntry.objects.count())
    response = client.post("/api/v1/tokens", data='{"name": "x",', content_type="application/json")
    _assert_error(response, 400, "malformed_json")
    assert (ApiToken.objects.count(), AuditEntry.objects.count()) == before


def test_wrong_type_is_422_with_field(api_client: tuple[Client, Any]) -> None:
    client, _ = api_client
    response = client.post("/api/v1/tokens", {"name": ["a"]}, content_type="application/json")
    error = _assert_error(response, 422, "validation_failed")
    assert any(detail["field"] == "name" for detail in error["details"])
    assert ApiToken.objects.count() == 0


def test_unknown_field_is_422(api_client: tuple[Client, Any]) -> None:
    client, _ = api_client
    response = client.post("/api/v1/tokens", {"name": "a", "is_admin": True}, content_type="application/json")
    error = _assert_error(response, 422, "validation_failed")
    assert any(detail["field"] == "is_admin" for detail in error["details"])
    assert ApiToken.objects.count() == 0


@override_settings(API_MAX_BODY_BYTES=1024)
def test_oversize_payload_is_413(api_client: tuple[Client, Any]) -> None:
    client, _ = api_client
    response = client.post("/api/v1/tokens", {"name": "a" * 5000}, content_type="application/json")
    error = _assert_error(response, 413, "payload_too_large")
    assert "1024" in error["message"]
    assert ApiToken.objects.count() == 0


def test_application_error_is_mapped(api_client: tuple[Client, Any]) -> None:
    client, _ = api_client
    _assert_error(client.post("/api/v1/tokens/999999/revoke"), 404, "not_found")


def test_session_writes_need_csrf(make_user: Any) -> None:
    client = sign_in(Client(enforce_csrf_checks=True), make_user(Role.CASE_WORKER))
    response = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code in (401, 403)
    assert ApiToken.objects.count() == 0


def test_unknown_api_path_is_json_404() -> None:
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404


def test_every_issued_token_authenticates(make_user: Any) -> None:
    # The random part of a token may contain "_" (URL-safe base64); parsing must not trip on it.
    user = make_user(Role.ANALYST)
    user.is_verified = lambda: True
    for i in range(40):
        issued = api_token_create(acting_user=user, name=f"t{i}")
        assert api_token_authenticate(secret=issued.secret) == user


def test_numbers_beyond_the_database_are_422(api_client: tuple[Client, Any]) -> None:
    client, _ = api_client
    huge = str(2**70)
    _assert_error(client.get(f"/api/v1/audit/entries?offset=1&object_id=1&limit={huge}"), 422, "validation_failed")
    _assert_error(client.post(f"/api/v1/tokens/{huge}/revoke"), 422, "validation_failed")
    # Unicode digits such as "¹" are not numbers to the database; they fail validation, not int().
    _assert_error(client.post("/api/v1/tokens/%C2%B9/revoke"), 422, "validation_failed")
    response = client.post("/api/v1/tokens", data=f'{{"name": "x", "expires_at": null, "n": {huge}}}',
                           content_type="application/json")
    _assert_error(response, 422, "validation_failed")
    assert ApiToken.objects.count() == 0


def test_text_the_database_cannot_store_is_422(api_client: tuple[Client, Any]) -> None:
    client, _ = api_client
    _assert_error(client.get("/api/v1/audit/entries?actor=a%00b"), 422, "validation_failed")
    for body in ('{"name": "a\\u0000b"}', '{"name": "a\\udbd2b"}'):
        _assert_error(client.post("/api/v1/tokens", data=body, content_type="application/json"), 422, "validation_failed")
    assert ApiToken.objects.count() == 0

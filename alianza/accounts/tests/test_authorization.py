"""Every URL pattern and every API operation, checked against every role and against no user.

A route without a rule fails here, so nobody can add an endpoint without deciding who may use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from alianza.accounts import authz
from alianza.accounts.roles import Role
from alianza.api.v1 import api
from conftest import sign_in

ROLES: list[str | None] = [None, *Role.values]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), full_ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or ""
            view_name = f"{namespace}:{name}" if namespace else name
            yield view_name, prefix + str(pattern.pattern)


def _concrete_path(route: str) -> str:
    """Fill path converters and regex groups with plausible values."""
    path = re.sub(r"<int:[^>]+>", "1", route)
    path = re.sub(r"<(?:str|slug|path):[^>]+>|<[^>:]+>", "x", path)
    path = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path.lstrip("/")


ALL_ROUTES = sorted(set(_walk(get_resolver().url_patterns)))
WEB_ROUTES = [(name, route) for name, route in ALL_ROUTES if not name.startswith(authz.API_NAMESPACE + ":")]


def test_every_web_route_has_a_rule() -> None:
    missing = [name or route for name, route in WEB_ROUTES if not name or authz.route_rule(name) is None]
    assert missing == [], f"routes without an authorization rule: {missing}"


def _openapi_operations() -> list[tuple[str, str, str]]:
    schema = api.get_openapi_schema()
    ops = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            ops.append((op["operationId"], method.upper(), path))
    return sorted(ops)


def test_every_api_operation_has_a_rule() -> None:
    missing = [op for op, _, _ in _openapi_operations() if authz.api_rule(op) is None]
    assert missing == [], f"API operations without an authorization rule: {missing}"


def test_api_rules_have_no_stale_entries() -> None:
    known = {op for op, _, _ in _openapi_operations()} | {"openapi_json", "openapi_view"}
    assert set(authz.API_RULES) - known == set()


def _client(role: str | None, make_user: Any) -> tuple[Client, Any]:
    client = Client()
    if role is None:
        return client, None
    user = make_user(role)
    sign_in(client, user)
    user.is_verified = lambda: True  # as django-otp marks it on the signed-in request
    return client, user


def _refused(response: Any, name: str = "") -> bool:
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("Location", "")
    to_mfa = "/mfa/" in location and not name.startswith("accounts:mfa_")
    return response.status_code == 302 and ("/accounts/login/" in location or to_mfa)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_web_routes_against_role(role: str | None, make_user: Any) -> None:
    client, user = _client(role, make_user)
    checked = 0
    for name, route in WEB_ROUTES:
        if name in ("accounts:logout",):
            continue  # signs the client out; covered in test_views
        rule = authz.route_rule(name)
        assert rule is not None
        allowed = rule.allows(user) if user is not None else rule.access == authz.Access.PUBLIC
        response = client.get(_concrete_path(route))
        if allowed:
            assert not _refused(response, name), f"{role} refused at {name} ({response.status_code})"
        else:
            assert _refused(response, name), f"{role} let through at {name} ({response.status_code})"
        checked += 1
    assert checked >= len(WEB_ROUTES) - 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_api_operations_against_role(role: str | None, make_user: Any) -> None:
    client, user = _client(role, make_user)
    for operation_id, method, path in _openapi_operations():
        rule = authz.api_rule(operation_id)
        assert rule is not None
        allowed = rule.allows(user) if user is not None else rule.access == authz.Access.PUBLIC
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = client.generic(method, url, data="{}", content_type="application/json")
        if allowed:
            assert response.status_code not in (401, 403), f"{role} refused at {operation_id}"
        else:
            assert response.status_code in (401, 403), f"{role} let through at {operation_id}"
            assert response.json()["error"]["code"] in {"not_authenticated", "permission_denied", "mfa_required"}


@pytest.mark.django_db
def test_privileged_role_without_second_factor_is_refused(make_user: Any) -> None:
    coordinator = make_user(Role.COORDINATOR)
    client = sign_in(Client(), coordinator, with_mfa=False)
    response = client.get("/")
    assert response.status_code == 302 and "/mfa/" in response["Location"]
    api_response = client.get("/api/v1/me")
    assert api_response.status_code == 403
    assert api_response.json()["error"]["code"] == "mfa_required"


def test_case_categories_follow_owner_share_role_and_sensitivity() -> None:
    class U:
        is_authenticated = True
        is_active = True

        def __init__(self, role: str, institution_id: int) -> None:
            self.role, self.institution_id = role, institution_id

        def is_verified(self) -> bool:
            return True

    owner, other = 1, 2
    worker = U(Role.CASE_WORKER, owner)
    assert authz.Category.VICTIM_IDENTITY in authz.case_categories(worker, owner_institution_id=owner)
    outsider = U(Role.CASE_WORKER, other)
    assert authz.case_categories(outsider, owner_institution_id=owner) == frozenset()
    shared = authz.case_categories(
        outsider, owner_institution_id=owner, shares={other: frozenset({authz.Category.CASE_SUMMARY})}
    )
    assert shared == frozenset({authz.Category.CASE_SUMMARY})
    analyst = U(Role.ANALYST, other)
    seen = authz.case_categories(analyst, owner_institution_id=owner)
    assert authz.Category.CASE_SUMMARY in seen and not (seen & authz.IDENTITY_CATEGORIES)
    assert authz.case_categories(analyst, owner_institution_id=owner, restricted=True) == frozenset()
    coordinator = U(Role.COORDINATOR, other)
    assert authz.Category.VICTIM_IDENTITY not in authz.case_categories(coordinator, owner_institution_id=owner)
    admin = U(Role.ADMINISTRATOR, owner)
    assert authz.case_categories(admin, owner_institution_id=owner) == frozenset()

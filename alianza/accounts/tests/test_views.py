"""Signing in: Argon2, throttling, the second factor for privileged roles, idle sessions."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.test.utils import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import TEST_PASSWORD
from alianza.audit.models import AuditEntry
from conftest import sign_in

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str = TEST_PASSWORD) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_passwords_are_argon2(make_user: Any) -> None:
    user = make_user()
    assert identify_hasher(user.password).algorithm == "argon2"


def test_login_is_audited_and_lands_on_home(make_user: Any) -> None:
    user = make_user(Role.CASE_WORKER)
    client = Client()
    response = _login(client, user.username)
    assert response.status_code == 302 and response["Location"] == "/"
    assert AuditEntry.objects.filter(action="auth.login", actor_id=user.pk).exists()
    assert client.get("/").status_code == 200


def test_repeated_failures_lock_the_account_out(make_user: Any) -> None:
    user = make_user()
    client = Client()
    for _ in range(4):
        assert _login(client, user.username, "wrong-password").status_code == 200
    assert _login(client, user.username, "wrong-password").status_code == 429  # the fifth locks
    # Locked now: even the right password is refused until the cool-off passes.
    response = _login(client, user.username)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.COORDINATOR, Role.PARTNER_LIAISON])
def test_privileged_roles_must_enrol_and_use_totp(make_user: Any, role: str) -> None:
    user = make_user(role)
    client = Client()
    response = _login(client, user.username)
    assert response["Location"] == "/accounts/mfa/setup/"
    assert client.get("/").status_code == 302  # nothing else until the second factor
    client.get("/accounts/mfa/setup/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post("/accounts/mfa/setup/", {"token": "000000"}).status_code == 200
    # A wrong code throttles the device (django-otp); let the back-off pass.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    response = client.post("/accounts/mfa/setup/", {"token": code})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    # Next sign-in asks for the code, not a new enrolment.
    client.post("/accounts/logout/")
    assert _login(Client(), user.username)["Location"] == "/accounts/mfa/verify/"


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.ANALYST, Role.AUDITOR])
def test_other_roles_need_no_second_factor(make_user: Any, role: str) -> None:
    user = make_user(role)
    client = Client()
    assert _login(client, user.username)["Location"] == "/"


@override_settings(SESSION_IDLE_TIMEOUT=60)
def test_idle_session_expires(make_user: Any, monkeypatch: Any) -> None:
    client = sign_in(Client(), make_user())
    assert client.get("/").status_code == 200
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 61)
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_ends_session(make_user: Any) -> None:
    client = sign_in(Client(), make_user())
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_token_created_in_profile_is_shown_once(make_user: Any) -> None:
    client = sign_in(Client(), make_user())
    client.post("/accounts/tokens/", {"name": "etl"})
    first = client.get("/accounts/profile/").content.decode()
    assert 'data-testid="new-token"' in first
    second = client.get("/accounts/profile/").content.decode()
    assert 'data-testid="new-token"' not in second


def test_saved_language_applies_at_sign_in(make_user: Any) -> None:
    user = make_user(Role.CASE_WORKER, preferred_language="pt")
    client = Client()
    response = _login(client, user.username)
    assert response.cookies["alianza_language"].value == "pt"
    assert client.get("/").headers["Content-Language"] == "pt"


def test_spanish_unless_the_user_chooses(make_user: Any) -> None:
    client = Client(headers={"Accept-Language": "en-US,en;q=0.9"})
    assert client.get("/accounts/login/").headers["Content-Language"] == "es"
    client.cookies["alianza_language"] = "en"
    assert client.get("/accounts/login/").headers["Content-Language"] == "en"

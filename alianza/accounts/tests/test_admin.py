"""The administrators' site shows users and reference data, never case content or secrets."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client

from alianza.accounts.admin import ADMIN_ALLOWED_MODELS
from alianza.accounts.roles import Role
from conftest import sign_in


def test_only_allowed_apps_are_on_the_admin_site() -> None:
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered <= ADMIN_ALLOWED_MODELS, registered - ADMIN_ALLOWED_MODELS
    assert "otp_totp.totpdevice" not in registered


@pytest.mark.django_db
def test_administrator_manages_users(make_user: Any) -> None:
    from alianza.accounts.services import user_create

    administrator = user_create(
        acting_user=None, username="operadora", password="a-long-demo-password-123",
        institution=make_user().institution, role=Role.ADMINISTRATOR,
    )
    client = sign_in(Client(), administrator)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


@pytest.mark.django_db
def test_other_roles_cannot_open_the_admin_site(make_user: Any) -> None:
    for role in (Role.COORDINATOR, Role.CASE_WORKER, Role.AUDITOR):
        client = sign_in(Client(), make_user(role, is_staff=True))
        assert client.get("/admin/").status_code == 403

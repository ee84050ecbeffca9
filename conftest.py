"""Fixtures shared by the whole suite: institutions, users of every role, signed-in clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from alianza.accounts.models import Institution, User
from alianza.accounts.roles import MFA_REQUIRED_ROLES, Role
from alianza.accounts.tests.factories import InstitutionFactory, UserFactory


@pytest.fixture(autouse=True)
def english_messages() -> Any:
    """Tests assert the source (English) strings, whatever the catalogues translate them to.

    The platform itself is Spanish unless a user chooses; tests of that default use a client
    without the language cookie that `sign_in` sets.
    """
    with translation.override("en"):
        yield


@pytest.fixture
def institution(db: Any) -> Institution:
    return InstitutionFactory()


@pytest.fixture
def make_user(db: Any, institution: Institution) -> Callable[..., User]:
    def make(role: str = Role.CASE_WORKER, *, institution_: Institution | None = None, **kwargs: Any) -> User:
        return UserFactory(role=role, institution=institution_ or institution, **kwargs)

    return make


def sign_in(client: Client, user: User, *, with_mfa: bool = True) -> Client:
    """Sign `user` in on `client`; privileged roles also pass their second factor."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if with_mfa and user.role in MFA_REQUIRED_ROLES:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for(make_user: Callable[..., User]) -> Callable[..., Client]:
    def make(role: str, **kwargs: Any) -> Client:
        return sign_in(Client(), make_user(role, **kwargs))

    return make

"""Steps that many browser tests share: signing in, with or without the second factor."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from alianza.accounts.tests.factories import TEST_PASSWORD


def url_pattern(url_name: str) -> re.Pattern[str]:
    """Matches the full URL of a page by its route name, for `expect(page).to_have_url`."""
    return re.compile(re.escape(reverse(url_name)) + "$")


def sign_in(page: Any, user: Any, *, password: str = TEST_PASSWORD) -> None:
    """Fills in and submits the sign-in form; does not wait for where it leads."""
    page.goto(reverse("accounts:login"))
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    page.locator("main button[type=submit]").click()


def sign_in_with_second_factor(page: Any, user: Any) -> None:
    """Signs in a user whose role requires TOTP, enrolling a device for them first."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    sign_in(page, user)
    expect(page).to_have_url(url_pattern("accounts:mfa_verify"))
    page.locator("#id_token").fill(f"{totp(device.bin_key):06d}")
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(url_pattern("core:home"))


def sign_in_verified(page: Any, user: Any) -> None:
    """Signs any user in and waits for the home page, passing the second factor if needed."""
    if user.mfa_required:
        sign_in_with_second_factor(page, user)
    else:
        sign_in(page, user)
        expect(page).to_have_url(url_pattern("core:home"))

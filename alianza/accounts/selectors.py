"""Reads for institutions, users and tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from alianza.accounts.models import ApiToken, Institution


def institution_list() -> QuerySet[Institution]:
    # Institutions are not sensitive: every verified user may see the directory.
    return Institution.objects.filter(is_active=True).order_by("name")


def api_token_list(*, acting_user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=acting_user).order_by("-created_at")


def totp_device_confirmed(*, user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()

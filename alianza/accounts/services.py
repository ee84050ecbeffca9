"""Writes for institutions, users and API tokens. Each runs in one transaction with its audit row."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from alianza.accounts import authz
from alianza.accounts.models import ApiToken, Institution, User
from alianza.accounts.roles import Role
from alianza.audit.services import audit_record
from alianza.core.errors import NotFound, PermissionDenied, ValidationFailed

TOKEN_PREFIX = "alz"  # noqa: S105 - a label, not a secret


def institution_create(
    *, acting_user: Any, name: str, type: str, country: str, short_name: str = ""
) -> Institution:
    with transaction.atomic(durable=True):
        institution = Institution(name=name, type=type, country=country, short_name=short_name)
        try:
            institution.full_clean()
        except ValidationError as exc:
            raise ValidationFailed(_("The institution is not valid."), extra=exc.message_dict) from exc
        institution.save()
        audit_record(
            actor=acting_user,
            action="institution.create",
            obj=institution,
            changed_fields=["name", "type", "country", "short_name"],
        )
    return institution


def user_create(
    *,
    acting_user: Any,
    username: str,
    password: str,
    institution: Institution,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role: %(role)s.") % {"role": role})
    user = User(
        username=username,
        institution=institution,
        role=role,
        email=email,
        first_name=first_name,
        last_name=last_name,
        # Django's admin site is the administrators' tool for users and reference data; only
        # those models are registered there (see admin.ADMIN_ALLOWED_APPS), never case content.
        is_staff=role == Role.ADMINISTRATOR,
        is_superuser=role == Role.ADMINISTRATOR,
    )
    try:
        validate_password(password, user)
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ValidationFailed(
            _("The user is not valid."),
            extra={"errors": exc.messages if not hasattr(exc, "error_dict") else exc.message_dict},
        ) from exc
    user.set_password(password)
    with transaction.atomic(durable=True):
        user.save()
        audit_record(
            actor=acting_user,
            action="user.create",
            obj=user,
            changed_fields=["username", "institution", "role", "email", "first_name", "last_name"],
        )
    return user


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def _digest(secret: str) -> str:
    # The secret is 256 random bits, so a plain SHA-256 digest cannot be brute-forced;
    # a slow password hash would only slow down every API call.
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def api_token_create(*, acting_user: Any, name: str, expires_at: datetime | None = None) -> IssuedToken:
    if not authz.is_verified(acting_user):
        raise PermissionDenied(_("Sign in with your second factor before creating a token."))
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Give the token a name."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(_("The expiry date must be in the future."))
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic(durable=True):
        token = ApiToken.objects.create(
            user=acting_user, name=name, prefix=prefix, digest=_digest(secret), expires_at=expires_at
        )
        audit_record(actor=acting_user, action="api_token.create", obj=token, changed_fields=["name"])
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, acting_user: Any, token_id: int) -> ApiToken:
    with transaction.atomic(durable=True):
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=acting_user).first()
        if token is None:
            raise NotFound(_("No such token."))
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                actor=acting_user, action="api_token.revoke", obj=token, changed_fields=["revoked_at"]
            )
    return token


def api_token_authenticate(*, secret: str) -> User | None:
    """The active user a presented token belongs to, or None. Constant-time on the digest."""
    parts = secret.split("_", 2)  # the random part may itself contain "_"
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user", "user__institution").filter(prefix=parts[1]).first()
    if token is None or not token.is_usable:
        return None
    if not secrets.compare_digest(token.digest, _digest(secret)):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def totp_device_start(*, user: User) -> TOTPDevice:
    """An unconfirmed TOTP device for enrolment; replaces any earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    with transaction.atomic(durable=True):
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=user, action="mfa.enrol", obj=user, changed_fields=["totp_device"])
    return True

"""The user a command acts as. Commands run on the server by its operator, who has already
authenticated to the machine, so the named user's second factor is taken as satisfied (as for
API tokens); the user's role still decides what the command may do."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from alianza.accounts.models import User


def acting_user(username: str) -> Any:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user {username!r}.")
    user.is_verified = lambda: True  # type: ignore[attr-defined]
    return user

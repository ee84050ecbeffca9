"""Test settings: fast hashing, no lockouts carried between tests, an in-memory cache."""

from __future__ import annotations

from alianza.config.django.base import *  # noqa: F403
from alianza.config.django.base import DATABASES, VAR_DIR

SECRET_KEY = "test-only-key-not-secret-0123456789abcdef0123456789abcdef"  # noqa: S105
ALLOWED_HOSTS = ["*"]

# Argon2 stays the hasher (it is what production uses) but with cheap parameters.
PASSWORD_HASHERS = ["alianza.accounts.hashers.FastArgon2PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

ALIANZA_KEYS_DIR = str(VAR_DIR / "test-keys")

# Serve static files from the apps' folders without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Keep test output readable; tests that look at logs raise the level themselves.
LOGGING["root"]["level"] = "WARNING"  # type: ignore[index]  # noqa: F405

"""Settings shared by every deployment; each value comes from the environment (see .env.example)."""

from __future__ import annotations

from datetime import timedelta

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from alianza.config.env import BASE_DIR, env_bool, env_float, env_int, env_list, env_str

# Lets typed generics such as ModelAdmin[Institution] work at run time.
django_stubs_ext.monkeypatch()

VAR_DIR = BASE_DIR / "var"

SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The ISO 3166-1 alpha-3 code of the country whose node this is; it prefixes case references.
ALIANZA_NODE_COUNTRY = env_str("ALIANZA_NODE_COUNTRY", "BOL")
ALIANZA_NODE_ID = env_str("ALIANZA_NODE_ID", f"alianza-{ALIANZA_NODE_COUNTRY.lower()}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "ninja",  # serves Swagger UI from its own static files instead of a CDN
    "axes",
    "alianza.core",
    "alianza.accounts",
    "alianza.audit",
    "alianza.linkage",
    "alianza.agreements",
    "alianza.exchange",
    "alianza.cases",
    "alianza.people",
    "alianza.prosecution",
    "alianza.protection",
    "alianza.stats",
    "alianza.plan",
]

MIDDLEWARE = [
    "alianza.core.middleware.RequestIdMiddleware",
    "alianza.api.middleware.ApiBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "alianza.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "alianza.accounts.middleware.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "alianza.accounts.middleware.AuthorizationMiddleware",
]

ROOT_URLCONF = "alianza.config.urls"
WSGI_APPLICATION = "alianza.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "alianza" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alianza.core.context_processors.navigation",
                "alianza.linkage.context_processors.match_alerts",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'alianza.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers proceed during a write; the busy timeout waits out short write locks.
    # The page cache is per connection and starts cold with every request (connections are not
    # kept): reads go through a memory map of the file instead (the operating system's cache,
    # shared by every connection), and a write's own cache is large enough for the indexes a
    # bulk import updates (64 MiB, in KiB as a negative number).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            f"PRAGMA mmap_size={env_int('SQLITE_MMAP_SIZE', 1 << 30)}; "
            f"PRAGMA cache_size=-{env_int('SQLITE_CACHE_KIB', 65536)}; PRAGMA temp_store=MEMORY;"
        ),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the registry's queries are short index reads whose plans look costly
    # (a subquery per row read), and compiling them took longer than running them (issue 3).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Brute-force protection: lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "alianza.accounts.views.lockout_response"
AXES_VERBOSE = False

# Sessions end after this many seconds without a request.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 15 * 60)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

OTP_TOTP_ISSUER = "Alianza"

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English")), ("pt", _("Portuguese"))]
LOCALE_PATHS = [BASE_DIR / "alianza" / "locale"]
LANGUAGE_COOKIE_NAME = "alianza_language"
TIME_ZONE = env_str("TIME_ZONE", "America/La_Paz")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "alianza" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Requests larger than this are refused before they are parsed (bytes).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1_048_576)
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 262_144)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "alianza.core.logging.RequestIdFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger prints the full path and query string, which may carry names
        # typed into a search box; our own access logger records the route name instead.
        "django.request": {"handlers": [], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
        "axes": {"level": "WARNING"},
    },
}

# Alianza keys live outside the database; see `alianza keys init`.
ALIANZA_KEYS_DIR = env_str("ALIANZA_KEYS_DIR", str(VAR_DIR / "keys"))

# Registry-wide linkage (docs/linkage.md, "In the platform"): candidate pairs at or above the
# upper match probability are merged automatically, those from the lower one up to the upper one
# go to the review queue, the rest are discarded. A missing-person report and a victim record
# that match with at least the alert probability alert both cases' institutions.
ALIANZA_LINKAGE_UPPER_THRESHOLD = env_float("ALIANZA_LINKAGE_UPPER_THRESHOLD", 0.99)
ALIANZA_LINKAGE_LOWER_THRESHOLD = env_float("ALIANZA_LINKAGE_LOWER_THRESHOLD", 0.3)
ALIANZA_LINKAGE_ALERT_THRESHOLD = env_float("ALIANZA_LINKAGE_ALERT_THRESHOLD", 0.5)

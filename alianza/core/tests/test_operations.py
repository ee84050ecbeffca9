"""Operations: probes, production settings, backups, structured logs without personal data."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.test import Client

from alianza.accounts.models import Institution
from alianza.audit.models import AuditEntry
from alianza.audit.services import audit_record_now
from conftest import sign_in

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_liveness_and_readiness() -> None:
    client = Client()
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_readiness_reports_unreachable_database(monkeypatch: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    response = Client().get("/readyz")
    assert response.status_code == 503 and response.json()["database"] == "unreachable"


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    # The browser tests' conftest allows async-unsafe calls in this process; a deployment does not.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "alianza.config.django.production",
        "SECRET_KEY": "x" * 30 + "-production-like-secret-key-with-entropy-9f8e7d6c5b4a",
        "ALLOWED_HOSTS": "alianza.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-W", "error::UserWarning", str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True, text=True, env=env, cwd=ROOT, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_secret_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DJANGO_SETTINGS_MODULE="alianza.config.django.production")
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_cli_is_installed_and_lists_platform_commands() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "alianza"), "help"], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert result.returncode == 0
    for command in ("audit", "backup", "restore", "demo", "serve"):
        assert command in result.stdout


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="alianza backup covers the SQLite default")
def test_backup_and_restore_round_trip(tmp_path: Path, make_user: Any) -> None:
    user = make_user()
    audit_record_now(actor=user, action="case.update", object_type="cases.case", object_id=7)
    snapshot = _dump()
    backup = tmp_path / "alianza.sqlite3"
    call_command("backup", out=backup)
    assert backup.is_file()

    Institution.objects.create(name="Después del respaldo", type="NGO", country="BOL")
    audit_record_now(actor=user, action="case.update", object_type="cases.case", object_id=8)
    assert _dump() != snapshot

    call_command("restore", str(backup), yes=True)
    assert _dump() == snapshot


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="alianza backup covers the SQLite default")
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-db.sqlite3"
    bogus.write_text("hello")
    before = Institution.objects.count()
    with pytest.raises(CommandError, match="not a SQLite database|not an Alianza database"):
        call_command("restore", str(bogus), yes=True)
    assert Institution.objects.count() == before


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL uses pg_dump")
def test_backup_on_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="pg_dump"):
        call_command("backup", out=tmp_path / "x")


def _dump() -> dict[str, Any]:
    return {
        "institutions": sorted(Institution.objects.values_list("name", flat=True)),
        "audit": list(AuditEntry.objects.order_by("seq").values_list("seq", "hash")),
    }


@pytest.mark.django_db
def test_access_log_is_json_without_query_strings_or_names(make_user: Any, caplog: Any) -> None:
    client = sign_in(Client(), make_user())
    with caplog.at_level(logging.INFO, logger="alianza.access"):
        client.get("/audit/?actor=Mamani+Quispe")
    records = [r for r in caplog.records if r.name == "alianza.access"]
    assert records, "the request was not logged"
    from django.conf import settings
    from pythonjsonlogger.json import JsonFormatter

    config = settings.LOGGING["formatters"]["json"]
    formatter = JsonFormatter(config["fmt"], rename_fields=config["rename_fields"], timestamp=True)
    line = formatter.format(records[-1])
    payload = json.loads(line)
    assert payload["route"] == "audit:entry_list" and payload["status"] == 403
    assert "Mamani" not in line and "actor=" not in line

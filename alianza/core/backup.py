"""Online backup and restore of the embedded SQLite database, with SQLite's own backup API."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    tables: int
    sha256: str


def _require_sqlite() -> Path:
    if connection.vendor != "sqlite":
        raise BackupError(
            "This database is PostgreSQL: back it up with pg_dump as described in docs/operations.md."
        )
    return Path(connection.settings_dict["NAME"])


def _check(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            status = db.execute("PRAGMA integrity_check").fetchall()
            if status != [("ok",)]:
                raise BackupError(f"{path} is damaged: {status[0][0]}")
            names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database: {exc}") from exc
    if "django_migrations" not in names or "audit_auditentry" not in names:
        raise BackupError(f"{path} is not an Alianza database.")
    return len(names)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sqlite_backup(*, out: Path) -> BackupSummary:
    live = _require_sqlite()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(out.suffix + ".partial")
    with sqlite3.connect(live) as source, sqlite3.connect(partial) as target:
        source.backup(target)
    tables = _check(partial)
    partial.replace(out)  # only a complete, checked copy gets the final name
    return BackupSummary(out, tables, _sha256(out))


def sqlite_restore(*, source: Path) -> BackupSummary:
    live = _require_sqlite()
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    tables = _check(source)
    connection.close()
    # SQLite's backup API replaces the live file's pages in one step under its own lock, so a
    # failure part-way leaves the previous database in place.
    with sqlite3.connect(source) as backup, sqlite3.connect(live) as target:
        backup.backup(target)
    return BackupSummary(source, tables, _sha256(source))

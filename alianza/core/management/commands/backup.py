"""`alianza backup`: a consistent copy of the embedded SQLite database, taken while it runs.

PostgreSQL deployments use pg_dump instead (docs/operations.md); this command says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from alianza.core.backup import BackupError, sqlite_backup


class Command(BaseCommand):
    help = "Back up the embedded SQLite database to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help="Backup file (default: var/backups/alianza-<time>.sqlite3)")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        out = options["out"] or settings.VAR_DIR / "backups" / f"alianza-{timezone.now():%Y%m%dT%H%M%SZ}.sqlite3"
        try:
            summary = sqlite_backup(out=Path(out))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written to {summary.path} ({summary.tables} tables, sha256 {summary.sha256})."))

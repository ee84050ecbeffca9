"""`alianza restore FILE`: replace the embedded SQLite database with a backup, after checking it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alianza.audit.verify import audit_chain_verify
from alianza.core.backup import BackupError, sqlite_restore


class Command(BaseCommand):
    help = "Restore the embedded SQLite database from a backup made by `alianza backup`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            answer = input("This replaces every record in the current database. Type 'restore' to go on: ")
            if answer.strip() != "restore":
                raise CommandError("Restore cancelled; nothing changed.")
        try:
            summary = sqlite_restore(source=options["file"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        result = audit_chain_verify()
        if not result.ok:
            raise CommandError(f"Restored, but the audit trail does not verify: {result.detail}")
        self.stdout.write(self.style.SUCCESS(f"Restored {summary.tables} tables from {summary.path}; audit trail intact ({result.checked} entries)."))

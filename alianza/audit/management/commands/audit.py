"""`alianza audit verify`: walk the hash chain and exit non-zero at the first broken entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alianza.audit.verify import audit_chain_verify


class Command(BaseCommand):
    help = "Work with the audit trail."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Verify that no entry was altered, inserted or deleted.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            result = audit_chain_verify()
            if not result.ok:
                raise CommandError(
                    f"Audit trail broken ({result.problem}) at entry {result.seq}: {result.detail}. "
                    f"{result.checked} entries checked before it."
                )
            self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {result.checked} entries."))

"""`alianza plan import FILE.json`: add a national plan (e.g. a successor plan) from its definition."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alianza.core.errors import ApplicationError
from alianza.plan.services import plan_import_file


class Command(BaseCommand):
    help = "Work with national plans."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        importer = sub.add_parser(
            "import", help="Create a plan with its axes, goals, indicators and targets."
        )
        importer.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan = plan_import_file(acting_user=None, path=options["file"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Plan {plan.code} created: {plan.title}"))

"""`alianza loadreference`: load the case taxonomies and border crossings (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alianza.cases.reference import reference_data_load


class Command(BaseCommand):
    help = (
        "Load forms of exploitation, means of control, recruitment methods, ISIC industries and "
        "border crossings. Existing entries keep the administrator's edits unless --overwrite."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--overwrite", action="store_true", help="Reset edited labels to the shipped ones.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = reference_data_load(overwrite=options["overwrite"])
        self.stdout.write(
            f"Reference data: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        )

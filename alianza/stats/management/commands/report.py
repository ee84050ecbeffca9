"""`alianza report --year YEAR --lang es|en --out FILE.pdf`: the yearly statistical report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alianza.stats.exports import report_pdf


class Command(BaseCommand):
    help = "Write the yearly statistical report (disclosure-controlled) as PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--lang", default="es", choices=["es", "en", "pt"])
        parser.add_argument("--out", required=True, help="FILE.pdf")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["out"])
        path.write_bytes(report_pdf(year=options["year"], language=options["lang"]))
        self.stderr.write(f"Report for {options['year']} ({options['lang']}) written to {path}.")

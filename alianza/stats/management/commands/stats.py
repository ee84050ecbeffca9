"""`alianza stats glotip|microdata`: statistics files for scheduled and scripted use.

`--out -` writes CSV to standard output, so the commands compose with pipes.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from alianza.stats import exports


class Command(BaseCommand):
    help = "Produce statistics files: GLOTIP tables and CTDC-style microdata."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        glotip = sub.add_parser(
            "glotip",
            help="UNODC GLOTIP tables for one year, as XLSX or CSV (by the file's extension).",
        )
        glotip.add_argument("--year", type=int, required=True)
        glotip.add_argument(
            "--out", required=True, help="FILE.xlsx, FILE.csv, or - for CSV on standard output."
        )
        glotip.add_argument(
            "--lang",
            default="es",
            choices=["es", "en", "pt"],
            help="Language of titles and labels.",
        )
        micro = sub.add_parser(
            "microdata", help="CTDC-style victim microdata after disclosure control, as CSV."
        )
        micro.add_argument("--out", required=True, help="FILE.csv, or - for standard output.")
        micro.add_argument(
            "--min-cell",
            type=int,
            default=None,
            help="Minimum group size (default: ALIANZA_MIN_CELL or 10).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = options["out"]
        if options["action"] == "glotip":
            with translation.override(options["lang"]):
                if out == "-":
                    buffer = io.StringIO()
                    exports.glotip_export(year=options["year"], out=buffer, fmt="csv")
                    sys.stdout.write(buffer.getvalue())
                    return
                path = Path(out)
                fmt = path.suffix.lower().lstrip(".")
                if fmt not in ("xlsx", "csv"):
                    raise CommandError("The output file must end in .xlsx or .csv.")
                exports.glotip_export(year=options["year"], out=path, fmt=fmt)
            self.stderr.write(f"GLOTIP tables for {options['year']} written to {path}.")
        else:
            if out == "-":
                rows = exports.microdata_export(out=sys.stdout, min_cell=options["min_cell"])
            else:
                rows = exports.microdata_export(out=Path(out), min_cell=options["min_cell"])
            self.stderr.write(f"{rows} microdata rows written after disclosure control.")

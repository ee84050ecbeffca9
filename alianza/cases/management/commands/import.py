"""`alianza import FILE`: import cases from a CSV, XLSX or HTCDS JSON file, with a progress bar."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from alianza.accounts.models import User
from alianza.cases.imports import READERS, cases_import, column_mapping, detect_format
from alianza.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Import cases from an agency spreadsheet (CSV or XLSX) or an HTCDS JSON file, as USER of their "
        "institution. By default a file with any invalid row imports nothing; rows already imported "
        "(same source record id) are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The file to import, or - for standard input.")
        parser.add_argument("--user", required=True, help="Username of the person importing (their institution owns the cases).")
        parser.add_argument("--format", choices=sorted(READERS), help="csv, xlsx or htcds; guessed from the file name.")
        parser.add_argument("--mapping", help="JSON file mapping the file's column headers to Alianza's columns.")
        parser.add_argument("--valid-only", action="store_true", help="Import the valid rows even if others are invalid.")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report, import nothing.")
        parser.add_argument("--report", help="Write the validation report (row, field, problem) to this CSV file.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).select_related("institution").first()
        if user is None:
            raise CommandError(f"There is no active user {options['user']!r}.")
        user.is_verified = lambda: True  # type: ignore[attr-defined]  # a command-line operator, not a web session
        name = options["file"]
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        file_format = options["format"] or detect_format(name)
        try:
            rows = list(READERS[file_format](data))
        except (ValueError, KeyError, UnicodeDecodeError) as exc:
            raise CommandError(f"The file could not be read as {file_format}: {exc}") from exc
        mapping = None
        if options["mapping"]:
            overrides = json.loads(Path(options["mapping"]).read_text("utf-8"))
            mapping = column_mapping(rows[0].keys() if rows else (), overrides)
        with tqdm(total=len(rows), unit="row", desc="check", file=sys.stderr, disable=None) as bar:
            stages = ["check"]

            def progress(stage: str, done: int, total: int) -> None:
                # SQLite: every row is checked first, then the valid ones are written. PostgreSQL
                # writes while it checks: one stage, "import", over all the rows.
                if stages[-1] != stage:
                    stages.append(stage)
                    bar.reset(total=total)
                    bar.set_description(stage)
                bar.update(done)

            try:
                report = cases_import(
                    acting_user=user, rows=rows, mapping=mapping, valid_only=options["valid_only"],
                    dry_run=options["dry_run"], progress=progress,
                )
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
        if options["report"]:
            with open(options["report"], "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["row", "field", "problem"])
                writer.writerows((p.row, p.field, p.problem) for p in report.problems)
        for problem in report.problems[:200]:
            self.stderr.write(f"row {problem.row}: {problem.field or '-'}: {problem.problem}")
        self.stdout.write(
            f"{report.total} rows: {report.created} imported, {report.skipped} already imported, "
            f"{len(report.invalid_rows)} invalid."
        )
        if report.problems and not report.committed and not options["dry_run"]:
            raise CommandError("Nothing was imported because some rows are invalid; fix them or use --valid-only.")

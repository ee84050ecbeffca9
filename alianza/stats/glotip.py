"""UNODC GLOTIP questionnaire tables for one year, and their XLSX and CSV files. Django-free.

Each table lists categories with the count as the agencies recorded it (raw) beside the count of
deduplicated persons. Titles and headings are passed in already translated, so the same tables
serve the CLI, the dashboard and the report in any language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from alianza.stats.disclosure import ProtectedTable, suppress
from alianza.stats.indicators import Indicators

Translate = Callable[[str], str]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    category_heading: str
    codes: tuple[str, ...]
    categories: tuple[str, ...]
    raw: tuple[int, ...]
    deduplicated: tuple[int, ...]

    @property
    def total_raw(self) -> int:
        return sum(self.raw)

    @property
    def total_deduplicated(self) -> int:
        return sum(self.deduplicated)

    def protected(self, *, min_cell: int) -> ProtectedTable:
        """The deduplicated column as one protected row (categories as columns, with the total)."""
        return suppress(
            [list(self.deduplicated)],
            col_labels=self.categories,
            row_labels=[self.title],
            min_cell=min_cell,
        )


def _table(
    key: str, title: str, heading: str, frame: pd.DataFrame, label: Callable[[str], str]
) -> Table:
    return Table(
        key=key,
        title=title,
        category_heading=heading,
        codes=tuple(str(c) for c in frame["category"]),
        categories=tuple(label(str(c)) for c in frame["category"]),
        raw=tuple(int(v) for v in frame["raw"]),
        deduplicated=tuple(int(v) for v in frame["deduplicated"]),
    )


def glotip_tables(
    engine: Indicators, *, year: int, _: Translate = str, label: Callable[[str], str] = str
) -> list[Table]:
    """The GLOTIP tables for `year`. `_` translates titles; `label` turns category codes into names."""
    tables = [
        _table("victims_by_sex_age", _("Detected victims by sex and age group"), _("Sex and age group"),
               engine.breakdown(year=year, by="sex_age"), label),
        _table("victims_by_exploitation", _("Detected victims by form of exploitation"), _("Form of exploitation"),
               engine.breakdown(year=year, by="exploitation"), label),
        _table("victims_by_citizenship", _("Detected victims by citizenship"), _("Citizenship"),
               engine.breakdown(year=year, by="citizenship"), label),
        _table("victims_by_country_of_exploitation", _("Detected victims by country of exploitation"),
               _("Country of exploitation"), engine.breakdown(year=year, by="country_of_exploitation"), label),
    ]  # fmt: skip
    for measure, title in (
        ("suspects", _("Persons suspected by sex")),
        ("prosecuted", _("Persons prosecuted by sex")),
        ("convicted", _("Persons convicted by sex")),
    ):
        tables.append(
            _table(
                f"{measure}_by_sex",
                title,
                _("Sex"),
                engine.breakdown(year=year, by="sex", measure=measure),
                label,
            )
        )
    tables.append(
        _table("convicted_by_citizenship", _("Persons convicted by citizenship"), _("Citizenship"),
               engine.breakdown(year=year, by="citizenship", measure="convicted"), label)
    )  # fmt: skip
    return tables


def write_csv(
    tables: Sequence[Table], out: io.TextIOBase | io.StringIO, *, year: int, headings: Sequence[str]
) -> None:
    """Long format: year, table, category code, label, raw, deduplicated; a TOTAL row per table."""
    writer = csv.writer(out)
    writer.writerow(headings)
    for table in tables:
        for code, label, raw, dedup in zip(
            table.codes, table.categories, table.raw, table.deduplicated, strict=True
        ):
            writer.writerow([year, table.key, code, label, raw, dedup])
        writer.writerow([year, table.key, "TOTAL", "", table.total_raw, table.total_deduplicated])


def write_xlsx(
    tables: Sequence[Table],
    path: Path,
    *,
    year: int,
    headings: Sequence[str],
    total_label: str = "Total",
    note: str = "",
) -> None:
    """One worksheet per table with a title, the two count columns and a total row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.key[:31])
        sheet.append([f"{table.title} ({year})"])
        sheet["A1"].font = Font(bold=True)
        if note:
            sheet.append([note])
        sheet.append([table.category_heading, *headings])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for category, raw, dedup in zip(
            table.categories, table.raw, table.deduplicated, strict=True
        ):
            sheet.append([category, raw, dedup])
        sheet.append([total_label, table.total_raw, table.total_deduplicated])
        sheet.column_dimensions["A"].width = 40
        sheet.column_dimensions["B"].width = 22
        sheet.column_dimensions["C"].width = 22
    workbook.save(path)

"""GLOTIP files, microdata and the PDF report, through the commands scripts use."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from alianza.stats import services
from alianza.stats.microdata import CTDC_COLUMNS, age_band, k_anonymize
from alianza.stats.services import FrameSource
from alianza.stats.synthetic import synthetic_data
from alianza.stats.tests.fixtures import small_data


@pytest.fixture
def small_registry(db: Any) -> Iterator[None]:
    previous = services.stats_source_set(FrameSource(small_data()))
    yield
    services.stats_source_set(previous)


def test_glotip_csv_matches_hand_counts(small_registry: None, tmp_path: Path) -> None:
    out = tmp_path / "glotip.csv"
    call_command("stats", "glotip", "--year", "2023", "--out", str(out), "--lang", "en")
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    got = {(r["table"], r["category"]): (int(r["raw"]), int(r["deduplicated"])) for r in rows}
    assert got[("victims_by_sex_age", "girls")] == (2, 1)
    assert got[("victims_by_sex_age", "men")] == (2, 2)
    assert got[("victims_by_sex_age", "TOTAL")] == (4, 3)
    assert got[("victims_by_exploitation", "sexual")] == (3, 2)
    assert got[("victims_by_exploitation", "forced_labour")] == (1, 1)
    assert got[("victims_by_citizenship", "BOL")] == (3, 2)
    assert got[("victims_by_citizenship", "PER")] == (1, 1)
    assert got[("victims_by_country_of_exploitation", "ARG")] == (2, 2)
    assert got[("suspects_by_sex", "M")] == (2, 2)
    assert got[("prosecuted_by_sex", "F")] == (1, 1)
    assert got[("convicted_by_sex", "TOTAL")] == (1, 1)
    assert got[("convicted_by_citizenship", "BOL")] == (1, 1)
    labels = {(r["table"], r["category"]): r["label"] for r in rows}
    assert labels[("victims_by_sex_age", "girls")] == "Girls"


def test_glotip_xlsx_has_a_sheet_per_table(small_registry: None, tmp_path: Path) -> None:
    out = tmp_path / "glotip.xlsx"
    call_command("stats", "glotip", "--year", "2023", "--out", str(out), "--lang", "es")
    book = load_workbook(out)
    sheet = book["victims_by_sex_age"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0].endswith("(2023)")
    assert ("Niñas", 2, 1) in values
    assert values[-1][1:] == (4, 3)
    assert "convicted_by_citizenship" in book.sheetnames


def test_glotip_refuses_other_extensions(small_registry: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("stats", "glotip", "--year", "2023", "--out", str(tmp_path / "x.pdf"))


def test_microdata_passes_disclosure_control(db: Any, tmp_path: Path) -> None:
    previous = services.stats_source_set(FrameSource(synthetic_data({2023: 400})))
    try:
        out = tmp_path / "micro.csv"
        call_command("stats", "microdata", "--out", str(out))
    finally:
        services.stats_source_set(previous)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and list(rows[0]) == CTDC_COLUMNS
    groups: dict[tuple[str, ...], int] = {}
    for row in rows:
        key = tuple(row[c] for c in CTDC_COLUMNS)
        groups[key] = groups.get(key, 0) + 1
    assert min(groups.values()) >= 10


def test_k_anonymize_generalises_before_dropping() -> None:
    import pandas as pd

    base = {"yearOfRegistration": "2023", "gender": "Woman", "ageBroad": "9--17", "CountryOfExploitation": "ARG",
            "isForcedLabour": "", "isSexualExploit": "1", "isOtherExploit": ""}  # fmt: skip
    frame = pd.DataFrame([{**base, "citizenship": "BOL"}] * 12 + [{**base, "citizenship": "VEN"}])
    released = k_anonymize(frame, min_cell=10)
    # The one Venezuelan loses her citizenship; she cannot rejoin the 12 (their citizenship is
    # blanked too only if they were rare), so she is left out.
    assert len(released) == 12 and set(released["citizenship"]) == {"BOL"}
    assert age_band(16) == "9--17" and age_band(50) == "48+" and age_band(None) == ""


@pytest.mark.parametrize("language", ["es", "en"])
def test_report_pdf(small_registry: None, tmp_path: Path, language: str) -> None:
    out = tmp_path / f"report-{language}.pdf"
    call_command("report", "--year", "2023", "--lang", language, "--out", str(out))
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 2000


def test_report_withholds_small_counts(small_registry: None) -> None:
    from alianza.stats.exports import report_context

    context = report_context(year=2023)
    values = [v for s in context["sections"] for _, v in s["rows"] if v is not None]
    assert all(v == 0 or v >= 10 for v in values)
    assert all(s["total"] is None for s in context["sections"])  # every total here is below 10


def test_glotip_to_stdout(small_registry: None, capsys: Any) -> None:
    call_command("stats", "glotip", "--year", "2023", "--out", "-")
    reader = csv.reader(io.StringIO(capsys.readouterr().out))
    assert next(reader) == ["year", "table", "category", "label", "raw", "deduplicated"]

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from alianza.accounts.roles import Role
from alianza.cases.imports import COLUMNS, cases_import, read_csv, read_htcds_json, read_xlsx
from alianza.cases.models import Case
from alianza.people.models import Person

pytestmark = pytest.mark.django_db

BAD_ROWS = {17: "reported_on", 42: "victim_document_number", 88: "crime_type"}


def agency_csv(path: Path, rows: int = 100) -> Path:
    """An agency's spreadsheet with Spanish headers; rows 17, 42 and 88 are wrong."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Nro caso", "Delito", "Fecha denuncia", "Departamento", "Fuente", "Finalidad",
                         "Nombres victima", "Apellido paterno victima", "Apellido materno victima", "Sexo victima",
                         "CI victima", "Pais destino"])
        for n in range(1, rows + 1):
            writer.writerow([
                f"FELCC-{n:04d}", "Trata" if n % 3 else "tráfico de personas",
                "2024-13-01" if n == 17 else f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}", "BO-L", "complaint",
                "Explotación sexual" if n % 3 else "", "Ana María", ["Mamani", "Quispe", "Condori"][n % 3], "Choque",
                "F", "12" if n == 42 else f"{4000000 + n} LP", "Argentina",
            ] if n != 88 else [f"FELCC-{n:04d}", "genocidio", "2024-02-02", "BO-L", "complaint", "", "Luz", "Tola", "", "F", "", ""])
    return path


def _run(path: Path, user: Any, *args: str) -> None:
    call_command("import", str(path), "--user", user.username, *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_three_bad_rows_in_a_hundred(tmp_path: Path, make_user: Callable[..., Any], reference: None) -> None:
    user = make_user(Role.INVESTIGATOR)
    path = agency_csv(tmp_path / "felcc.csv")
    report_path = tmp_path / "report.csv"
    with pytest.raises(CommandError, match="Nothing was imported"):
        _run(path, user, "--report", str(report_path))
    assert not Case.objects.exists() and not Person.objects.exists()
    problems = list(csv.DictReader(report_path.open(encoding="utf-8")))
    assert {(int(p["row"]), p["field"]) for p in problems} == set(BAD_ROWS.items())
    assert all(p["problem"] for p in problems)

    _run(path, user, "--valid-only")
    assert Case.objects.count() == 97
    assert Case.objects.filter(crime_type="smuggling").count() == 32
    case = Case.objects.get(source_record_id="FELCC-0001")
    assert case.exploitation_countries == "ARG" and "mamani" not in case.names_text and "quispe" in case.names_text
    assert list(case.exploitation_forms.values_list("code", flat=True)) == ["sexual_exploitation"]

    _run(path, user, "--valid-only")
    assert Case.objects.count() == 97 and Person.objects.count() == 97


def test_rows_are_checked_while_earlier_ones_are_written(
    tmp_path: Path, make_user: Callable[..., Any], reference: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small chunks: on PostgreSQL rows 1-10 are written before row 17 is found invalid; the
    transaction then rolls back, and the report is the one a dry run gives."""
    from alianza.audit.models import AuditEntry
    from alianza.audit.verify import audit_chain_verify
    from alianza.cases import imports

    monkeypatch.setattr(imports, "FIRST_CHUNK", 10)
    monkeypatch.setattr(imports, "WRITE_BATCH", 20)
    user = make_user(Role.INVESTIGATOR)
    rows = list(read_csv(agency_csv(tmp_path / "felcc.csv").read_bytes()))
    checked = cases_import(acting_user=user, rows=rows, dry_run=True)
    entries = AuditEntry.objects.count()
    report = cases_import(acting_user=user, rows=rows)
    assert (report.committed, report.created, report.total) == (False, 0, 100)
    assert report.problems == checked.problems and report.invalid_rows == sorted(BAD_ROWS)
    assert report.problems[0].problem == "The month must be between 1 and 12."  # the caller's language
    assert not Case.objects.exists() and not Person.objects.exists() and AuditEntry.objects.count() == entries

    report = cases_import(acting_user=user, rows=rows, valid_only=True)
    assert (report.committed, report.created, report.skipped) == (True, 97, 0)
    assert report.problems == checked.problems
    assert Case.objects.count() == 97 and Person.objects.count() == 97
    assert AuditEntry.objects.count() == entries + 97 + 97 + 1
    assert sorted(Case.objects.values_list("reference", flat=True))[-1].endswith("-000097")
    assert audit_chain_verify().ok
    again = cases_import(acting_user=user, rows=rows, valid_only=True)
    assert (again.created, again.skipped) == (0, 97) and Case.objects.count() == 97


def test_an_error_while_writing_rolls_back_and_stops_the_threads(
    tmp_path: Path, make_user: Callable[..., Any], reference: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from django.db import connection

    from alianza.cases import bulk, imports

    if connection.vendor != "postgresql":
        pytest.skip("SQLite checks every row first and writes in the caller's thread")
    monkeypatch.setattr(imports, "FIRST_CHUNK", 10)
    monkeypatch.setattr(imports, "WRITE_BATCH", 20)
    written: list[int] = []

    def bulk_write(**kwargs: Any) -> None:
        if written:
            raise RuntimeError("the disk is full")
        written.append(1)
        bulk.bulk_write(**kwargs)

    monkeypatch.setattr(imports, "bulk_write", bulk_write)
    rows = [r for n, r in enumerate(read_csv(agency_csv(tmp_path / "felcc.csv").read_bytes()), 1) if n not in BAD_ROWS]
    with pytest.raises(RuntimeError, match="disk is full"):
        cases_import(acting_user=make_user(Role.INVESTIGATOR), rows=rows)
    assert not Case.objects.exists() and not Person.objects.exists()
    assert not [t for t in threading.enumerate() if t.name.startswith("alianza-import")]


def test_the_checking_thread_may_not_query(db: Any) -> None:
    from alianza.cases.imports import _in_background

    def chunks() -> Any:
        yield Case.objects.count()

    with pytest.raises(RuntimeError, match="may not query"):
        list(_in_background(chunks()))  # type: ignore[arg-type]


def test_dry_run_imports_nothing_and_reads_xlsx_and_htcds(tmp_path: Path, make_user: Callable[..., Any], reference: None) -> None:
    from openpyxl import Workbook

    user = make_user(Role.CASE_WORKER)
    user.is_verified = lambda: True
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS[:6]) + ["source", "victim_given_names", "victim_first_surname"])
    sheet.append(["X-1", "trafficking", "", "Active", "", "2023-04-05", "hotline", "Rosa", "Ticona"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = list(read_xlsx(buffer.getvalue()))
    report = cases_import(acting_user=user, rows=rows, dry_run=True)
    assert (report.created, report.committed, Case.objects.count()) == (1, False, 0)
    htcds = json.dumps([{
        "alz_SourceRecordId": "H-1", "alz_CrimeType": "trafficking", "alz_ReportedOn": "2022-01-10",
        "cas_Status": "Active", "victims": [{"prs_FirstName": "Juana", "prs_SecondName": "Apaza",
                                             "vic_TypeOfExploitation": ["ForcedLabour"]}],
        "historicTraffickingEvents": [{"hte_Type": "Exploitation", "hte_Country": "BRA", "hte_City": "São Paulo"}],
    }]).encode()
    report = cases_import(acting_user=user, rows=read_htcds_json(htcds))
    assert report.created == 1 and report.problems == []
    case = Case.objects.get()
    assert case.exploitation_countries == "BRA"
    assert list(case.exploitation_forms.values_list("code", flat=True)) == ["forced_labour"]
    assert list(read_csv(b"a;b\n1;2\n")) == [{"a": "1", "b": "2"}]


def test_web_import_maps_columns_checks_then_imports(
    tmp_path: Path, settings: Any, make_user: Callable[..., Any], reference: None
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from conftest import sign_in

    settings.VAR_DIR = tmp_path
    client = sign_in(Client(headers={"Accept-Language": "en"}), make_user(Role.CASE_WORKER))
    content = "Código,Delito,Fecha denuncia,Fuente,Apellido del niño\nA-1,trata,2024-03-03,hotline,Quispe\nA-2,trata,2024-02-30,hotline,Choque\n"
    upload = SimpleUploadedFile("dna.csv", content.encode(), content_type="text/csv")
    response = client.post("/cases/import/", {"file": upload})
    assert response.status_code == 302 and response["Location"] == "/cases/import/columns/"
    page = client.get("/cases/import/columns/")
    columns = page.context["columns"]
    assert [c["target"] for c in columns] == ["", "crime_type", "reported_on", "source", ""]
    mapping = {"map-0": "source_record_id", "map-1": "crime_type", "map-2": "reported_on", "map-3": "source",
               "map-4": "victim_first_surname"}
    checked = client.post("/cases/import/columns/", {**mapping, "action": "check"})
    assert [(p.row, p.field) for p in checked.context["report"].problems] == [(2, "reported_on")]
    assert not Case.objects.exists()
    imported = client.post("/cases/import/columns/", {**mapping, "action": "import", "valid_only": "on"})
    assert imported.status_code == 302
    assert list(Case.objects.values_list("source_record_id", "names_text")) == [("A-1", "quispe")]
    assert not list((tmp_path / "imports").iterdir())  # the uploaded file is gone


def test_imports_writing_at_once_restore_the_switch_interval_when_the_last_one_ends() -> None:
    import sys

    from alianza.cases.imports import SWITCH_INTERVAL, _prompt_switching

    before = sys.getswitchinterval()
    assert before > SWITCH_INTERVAL
    first, second = _prompt_switching(), _prompt_switching()
    first.__enter__()
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
    second.__enter__()
    first.__exit__(None, None, None)  # the first ends while the second still writes
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
    second.__exit__(None, None, None)
    assert sys.getswitchinterval() == before

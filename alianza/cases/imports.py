"""Importing cases from agency spreadsheets (CSV, XLSX) and HTCDS JSON.

Each source row becomes one case with, optionally, a victim, a suspect and the destination of
the route. Every row is cleaned by the same functions the forms' services call (`clean_case`,
`clean_person`, `clean_participation`, `clean_route_event`), so an import validates exactly like
a form, and the report gives the row, the field and the problem. By default a file with any
invalid row imports nothing; with `valid_only` the valid rows are kept. The valid rows are
written in one transaction by `alianza.cases.bulk`, which keeps the denormalised columns, search
tokens and audit entries the services keep: on SQLite once every row is checked, on PostgreSQL
chunk by chunk while the next chunk is checked (rolled back when a row turns out invalid). A row whose source record id was imported before
(by the same institution) is skipped, so re-importing a file adds nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import json
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from queue import Full, Queue
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alianza.accounts import authz
from alianza.audit.services import AuditChain, audit_record
from alianza.cases.bulk import (
    CaseBundle,
    ParticipantBundle,
    Rows,
    bulk_prepare,
    bulk_rows,
    bulk_write,
    cases_bulk_create,
)
from alianza.cases.choices import CaseSource, CaseStatus, CrimeType, RouteEventType, Vocabulary
from alianza.cases.models import Case
from alianza.cases.services import (
    CaseInput,
    Problems,
    ReferenceLookup,
    RouteEventInput,
    case_owner_for_create,
    clean_case,
    clean_route_event,
)
from alianza.core.bulk import CopyFormatter
from alianza.core.errors import PermissionDenied
from alianza.linkage.services import missing_person_matches_check
from alianza.normalize import NormalizationError, fold, normalize_date
from alianza.people.choices import ParticipationRole
from alianza.people.services import (
    DocumentInput,
    ParticipationInput,
    PersonInput,
    clean_participation,
    clean_person,
    person_create_check,
)

T = TypeVar("T")

# The canonical columns of an import, in the order of the template file.
COLUMNS = (
    "source_record_id", "crime_type", "legal_article", "status", "closure_reason", "reported_on",
    "first_incident_on", "department", "municipality", "source", "narrative", "exploitation_forms",
    "victim_given_names", "victim_first_surname", "victim_second_surname", "victim_sex", "victim_birth_date",
    "victim_nationality", "victim_document_type", "victim_document_number",
    "suspect_given_names", "suspect_first_surname", "suspect_second_surname", "suspect_sex",
    "destination_country", "destination_city",
)  # fmt: skip

# Headers agencies commonly use, folded; a mapping file can add or override any of them.
HEADER_ALIASES = {
    "id": "source_record_id", "id registro": "source_record_id", "nro caso": "source_record_id",
    "numero de caso": "source_record_id", "delito": "crime_type", "tipo de delito": "crime_type",
    "articulo": "legal_article", "estado": "status", "fecha denuncia": "reported_on",
    "fecha de denuncia": "reported_on", "fecha hecho": "first_incident_on", "departamento": "department",
    "municipio": "municipality", "fuente": "source", "relato": "narrative", "hechos": "narrative",
    "tipo de explotacion": "exploitation_forms", "finalidad": "exploitation_forms",
    "nombres victima": "victim_given_names", "apellido paterno victima": "victim_first_surname",
    "apellido materno victima": "victim_second_surname", "sexo victima": "victim_sex",
    "fecha nacimiento victima": "victim_birth_date", "nacionalidad victima": "victim_nationality",
    "tipo documento victima": "victim_document_type", "documento victima": "victim_document_number",
    "ci victima": "victim_document_number", "nombres imputado": "suspect_given_names",
    "apellido paterno imputado": "suspect_first_surname", "apellido materno imputado": "suspect_second_surname",
    "sexo imputado": "suspect_sex", "pais destino": "destination_country", "ciudad destino": "destination_city",
}  # fmt: skip

CRIME_ALIASES = {"trata": CrimeType.TRAFFICKING, "trata de personas": CrimeType.TRAFFICKING,
                 "trafico": CrimeType.SMUGGLING, "trafico de personas": CrimeType.SMUGGLING,
                 "trafico de migrantes": CrimeType.SMUGGLING, "conexo": CrimeType.RELATED,
                 "delito conexo": CrimeType.RELATED}  # fmt: skip


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based data row (the header is row 0); for JSON, the record's position
    field: str
    problem: str


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    skipped: int = 0  # already imported (same source record id)
    problems: list[RowProblem] = field(default_factory=list)
    committed: bool = False

    @property
    def invalid_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})


def column_mapping(headers: Iterable[str], overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Source header → canonical column, from the overrides, the canonical names and the aliases."""
    overrides = {fold(k): v for k, v in (overrides or {}).items()}
    mapping = {}
    canonical = {fold(c): c for c in COLUMNS}
    for header in headers:
        key = fold(header)
        target = overrides.get(key) or canonical.get(key) or HEADER_ALIASES.get(key)
        if target in COLUMNS:
            mapping[header] = target
    return mapping


# --- readers -----------------------------------------------------------------------------------


def read_csv(data: bytes) -> Iterator[dict[str, str]]:
    text = data.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    yield from csv.DictReader(io.StringIO(text), dialect=dialect)


def read_xlsx(data: bytes) -> Iterator[dict[str, str]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    headers = [str(h or "").strip() for h in next(rows, ())]
    for values in rows:
        if not any(v not in (None, "") for v in values):
            continue
        yield {h: _cell(v) for h, v in zip(headers, values, strict=False) if h}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_htcds_json(data: bytes) -> Iterator[dict[str, str]]:
    """HTCDS JSON: a list of cases (or {"cases": [...]}) with HTCDS-named fields.

    A case may carry `victims`, `perpetrators` (persons with prs_* fields) and
    `historicTraffickingEvents` (hte_* fields); Alianza's own fields use an `alz_` prefix.
    """
    document = json.loads(data.decode("utf-8"))
    records = document.get("cases", []) if isinstance(document, dict) else document
    for record in records:
        victims = record.get("victims") or [{}]
        suspects = record.get("perpetrators") or [{}]
        victim, suspect = victims[0], suspects[0]
        destination: dict[str, Any] = next(
            (e for e in reversed(record.get("historicTraffickingEvents") or []) if e.get("hte_Type") == "Exploitation"), {}
        )
        yield {
            "source_record_id": str(record.get("alz_SourceRecordId") or record.get("id") or ""),
            "crime_type": record.get("alz_CrimeType", CrimeType.TRAFFICKING),
            "legal_article": record.get("alz_LegalArticle", ""),
            "status": record.get("cas_Status", CaseStatus.ACTIVE),
            "closure_reason": record.get("cas_ReasonForCaseClosure", ""),
            "reported_on": record.get("alz_ReportedOn", ""),
            "first_incident_on": record.get("alz_FirstIncidentOn", ""),
            "department": record.get("alz_Department", ""),
            "municipality": record.get("alz_Municipality", ""),
            "source": record.get("alz_Source", CaseSource.OTHER),
            "narrative": record.get("alz_Narrative", ""),
            "exploitation_forms": ";".join(
                record.get("alz_ExploitationForms") or victim.get("alz_ExploitationForms")
                or victim.get("vic_TypeOfExploitation") or []
            ),
            "victim_given_names": victim.get("prs_FirstName", ""),
            "victim_first_surname": victim.get("prs_SecondName", ""),
            "victim_second_surname": victim.get("alz_MaternalSurname", ""),
            "victim_sex": victim.get("alz_Sex", ""),
            "victim_birth_date": victim.get("prs_Birthdate", ""),
            "victim_nationality": ";".join(victim.get("prs_Citizenship") or []),
            "victim_document_type": victim.get("alz_DocumentType", ""),
            "victim_document_number": victim.get("prs_IdentityNumber", ""),
            "suspect_given_names": suspect.get("prs_FirstName", ""),
            "suspect_first_surname": suspect.get("prs_SecondName", ""),
            "suspect_second_surname": suspect.get("alz_MaternalSurname", ""),
            "suspect_sex": suspect.get("alz_Sex", ""),
            "destination_country": destination.get("hte_Country", ""),
            "destination_city": destination.get("hte_City", ""),
        }


READERS: dict[str, Callable[[bytes], Iterator[dict[str, str]]]] = {
    "csv": read_csv,
    "xlsx": read_xlsx,
    "htcds": read_htcds_json,
}


def detect_format(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".json": "htcds"}.get(suffix, "csv")


# --- rows → bundles ----------------------------------------------------------------------------


def _term_index() -> dict[str, str]:
    """Folded code, labels and HTCDS value of each form of exploitation → its code."""
    from alianza.cases.models import ReferenceTerm

    index: dict[str, str] = {}
    for term in ReferenceTerm.objects.filter(vocabulary=Vocabulary.EXPLOITATION_FORM).order_by("sort_order"):
        for key in (term.code, term.label_es, term.label_en, term.label_pt, term.htcds_value):
            index.setdefault(fold(key), term.code)
    return index


def _exploitation_codes(value: str, index: Mapping[str, str]) -> tuple[str, ...]:
    """Codes from a list written with codes, labels in any language or HTCDS values."""
    parts = (part.strip() for part in value.replace(",", ";").split(";"))
    return tuple(index.get(fold(part), part) for part in parts if part)


def _reported_on(value: str, problems: Problems) -> dt.date | None:
    try:
        partial = normalize_date(value)
    except NormalizationError as exc:
        problems.add("reported_on", exc.message)
        return None
    full = partial.to_date()
    if full is None:
        problems.add("reported_on", _("The date reported must be a full date (day, month and year)."))
    return full


# Service field names that are named differently in the import's columns.
_COLUMN_OF = {
    "documents.0.document_number": "document_number",
    "documents.0.document_type": "document_type",
    "documents.0.country": "nationality",
    "citizenships": "nationality",
    "surname": "first_surname",
}


def _add_prefixed(target: Problems, source: Problems, prefix: str) -> None:
    for name, messages in source.by_field.items():
        for message in messages:
            target.add(f"{prefix}{_COLUMN_OF.get(name, name)}", message)


def _person_input(row: Mapping[str, str], prefix: str) -> PersonInput | None:
    if not any((row.get(f"{prefix}{name}") or "").strip() for name in ("given_names", "first_surname", "document_number")):
        return None
    nationality = row.get(f"{prefix}nationality", "") or ""
    number = row.get(f"{prefix}document_number", "") or ""
    return PersonInput(
        given_names=row.get(f"{prefix}given_names", ""),
        first_surname=row.get(f"{prefix}first_surname", ""),
        second_surname=row.get(f"{prefix}second_surname", ""),
        sex=(row.get(f"{prefix}sex", "") or "").strip().upper()[:1],
        birth_date=(row.get(f"{prefix}birth_date", "") or "").strip(),
        citizenships=tuple(c for c in nationality.split(";") if c.strip()),
        documents=(
            (DocumentInput(number=number, document_type=row.get(f"{prefix}document_type", ""),
                           issuing_country=nationality.split(";")[0]),)
            if number.strip() else ()
        ),
    )


def _clean_row(
    row: Mapping[str, str], *, institution_id: int, lookup: ReferenceLookup, terms: Mapping[str, str], problems: Problems,
    today: dt.date | None = None,
) -> CaseBundle | None:
    """A canonical row as the services would clean it, as one case bundle; None when invalid.

    Every part of the row is checked, so the report names all of a row's problems at once.
    """
    crime = fold(row.get("crime_type", ""))
    reported_on = _reported_on(row.get("reported_on", ""), problems)
    values: dict[str, Any] = {}
    forms: list[Any] = []
    if reported_on is not None:
        data = CaseInput(
            crime_type=CRIME_ALIASES.get(crime, row.get("crime_type", "").strip()),
            legal_article=row.get("legal_article", "").strip(),
            status=row.get("status", "").strip() or CaseStatus.ACTIVE,
            closure_reason=row.get("closure_reason", ""),
            reported_on=reported_on,
            first_incident_on=row.get("first_incident_on", "").strip(),
            department=row.get("department", "").strip().upper(),
            municipality=row.get("municipality", ""),
            source=row.get("source", "").strip() or CaseSource.OTHER,
            narrative=row.get("narrative", ""),
            exploitation_forms=_exploitation_codes(row.get("exploitation_forms", ""), terms),
        )
        values, forms = clean_case(data, problems, lookup, today=today)
    participants = []
    for prefix, role in (("victim_", ParticipationRole.VICTIM), ("suspect_", ParticipationRole.SUSPECT)):
        person_input = _person_input(row, prefix)
        if person_input is None:
            continue
        found = Problems()
        person = clean_person(person_input, found)
        role_values, role_terms = clean_participation(ParticipationInput(role=role), found, lookup)
        _add_prefixed(problems, found, prefix)
        participants.append(ParticipantBundle(person, role_values, role_terms))
    route = []
    if (row.get("destination_country") or "").strip():
        found = Problems()
        event = clean_route_event(
            RouteEventInput(event_type=RouteEventType.EXPLOITATION, country=row["destination_country"],
                            city=row.get("destination_city", "")),
            found, lookup,
        )
        _add_prefixed(problems, found, "destination_")
        route.append(event)
    if problems.by_field:
        return None
    return CaseBundle(
        values=values, exploitation_forms=forms, owner_institution_id=institution_id,
        source_record_id=(row.get("source_record_id") or "").strip(), route=route, participants=participants,
    )


def _imported_before(institution: Any, record_ids: Iterable[str], chunk: int = 500) -> set[str]:
    ids = list(dict.fromkeys(record_ids))
    found: set[str] = set()
    if connection.vendor == "postgresql":
        # One statement with the ids as an array: a probe of the partial unique index each.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT source_record_id FROM {Case._meta.db_table} WHERE owner_institution_id = %s "  # noqa: S608 - the model's table
                "AND source_record_id = ANY(%s) AND NOT (source_record_id = '')",
                [institution.pk, ids],
            )
            return {row[0] for row in cursor.fetchall()}
    for start in range(0, len(ids), chunk):
        found.update(
            Case.objects.filter(owner_institution=institution, source_record_id__in=ids[start : start + chunk])
            # The condition of the partial unique index, written as a literal so that SQLite can
            # tell the index applies (a bound parameter hides it).
            .extra(where=["NOT (\"cases_case\".\"source_record_id\" = '')"])  # noqa: S610 - a constant
            .order_by()
            .values_list("source_record_id", flat=True)
        )
    return found


def _after_import_commit(participation_ids: list[int]) -> None:
    """Runs once an import has committed, with the id of every participation it created.

    New victims and missing-person reports are checked against each other, as a form's are.
    """
    missing_person_matches_check(participation_ids=participation_ids)


@contextmanager
def _write_cache(kib: int = 262_144) -> Iterator[None]:
    """On SQLite, a page cache of `kib` for the connection while an import writes: the search
    tokens' indexes of a large registry then stay in memory for the whole import."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


Progress = Callable[[str, int, int], object]  # (stage, rows just done, rows in the stage)

WRITE_BATCH = 5000  # cases per bulk write: bounds memory, not the transaction
FIRST_CHUNK = 1000  # rows checked before the first write (PostgreSQL writes while the rest is checked)


def cases_import(
    *,
    acting_user: Any,
    rows: Iterable[Mapping[str, str]],
    mapping: Mapping[str, str] | None = None,
    valid_only: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import rows (source headers, mapped to the canonical columns) for the user's institution.

    Every row is cleaned by the functions the forms' services use, and the valid rows are
    written in bulk (`alianza.cases.bulk`) in one transaction, or nothing at all when some row
    is invalid and `valid_only` is not set.
    """
    with _without_cycle_collection():
        return _cases_import(
            acting_user=acting_user, rows=rows, mapping=mapping, valid_only=valid_only, dry_run=dry_run, progress=progress
        )


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off while an import holds its rows: it would walk every row
    kept so far again and again (a third of the cleaning time at 100,000 rows). The rows
    make no cycles; reference counting frees them as usual, and the collector runs again after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cases_import(
    *, acting_user: Any, rows: Iterable[Mapping[str, str]], mapping: Mapping[str, str] | None, valid_only: bool,
    dry_run: bool, progress: Progress | None,
) -> ImportReport:
    if not authz.has_perm(acting_user, authz.Perm.CASE_IMPORT):
        raise PermissionDenied(_("Your role does not allow you to import cases."))
    institution = case_owner_for_create(acting_user=acting_user, owner_institution=acting_user.institution)
    person_create_check(acting_user)
    report = ImportReport()
    canonical = []
    mappings: dict[tuple[str, ...], dict[str, str]] = {}  # per set of headers: a file has one
    for source in rows:
        if mapping is not None:
            columns: Mapping[str, str] = mapping
        else:
            headers = tuple(source.keys())
            columns = mappings.get(headers) or mappings.setdefault(headers, column_mapping(headers))
        canonical.append({target: (source.get(header) or "") for header, target in columns.items()})
    report.total = len(canonical)
    before = _imported_before(institution, ((r.get("source_record_id") or "").strip() for r in canonical))
    chunks = _checked_chunks(
        canonical, before=before, institution_id=institution.pk, lookup=ReferenceLookup.preloaded(),
        terms=_term_index(), today=timezone.localdate(),
    )
    if dry_run or connection.vendor != "postgresql":
        return _check_then_write(acting_user, institution, chunks, report, valid_only=valid_only, dry_run=dry_run, progress=progress)
    return _check_while_writing(acting_user, institution, chunks, report, valid_only=valid_only, progress=progress)


@dataclass
class _Chunk:
    """Consecutive source rows, checked: their valid new bundles and their problems, in row order."""

    rows: int
    bundles: list[CaseBundle]
    problems: list[RowProblem]
    skipped: int


def _checked_chunks(
    canonical: list[dict[str, str]], *, before: set[str], institution_id: int, lookup: ReferenceLookup,
    terms: Mapping[str, str], today: dt.date,
) -> Iterator[_Chunk]:
    """Every row cleaned as the services clean it, in order, by chunks of rows (a small first one,
    so that a pipelined import starts writing soon). Reads nothing from the database."""
    seen: set[str] = set()
    start = 0
    while start < len(canonical):
        end = min(len(canonical), start + (FIRST_CHUNK if start == 0 else WRITE_BATCH))
        chunk = _Chunk(end - start, [], [], 0)
        for index in range(start + 1, end + 1):
            row = canonical[index - 1]
            record_id = (row.get("source_record_id") or "").strip()
            problems = Problems()
            if not record_id:
                problems.add("source_record_id", _("Every row needs a source record id, so that imports can be repeated safely."))
            elif record_id in before or record_id in seen:
                chunk.skipped += 1
            else:
                bundle = _clean_row(row, institution_id=institution_id, lookup=lookup, terms=terms, problems=problems, today=today)
                if bundle is not None:
                    chunk.bundles.append(bundle)
                    seen.add(record_id)
            for name, messages in problems.by_field.items():
                chunk.problems.extend(RowProblem(index, name, str(message)) for message in messages)
        yield chunk
        start = end


def _check_then_write(
    acting_user: Any, institution: Any, chunks: Iterable[_Chunk], report: ImportReport, *, valid_only: bool, dry_run: bool,
    progress: Progress | None,
) -> ImportReport:
    """Every row checked, then (unless some is invalid, or a dry run) the valid ones written."""
    bundles: list[CaseBundle] = []
    done = 0
    for chunk in chunks:
        bundles.extend(chunk.bundles)
        report.problems.extend(chunk.problems)
        report.skipped += chunk.skipped
        for _row in range(chunk.rows):  # progress by thousands of rows, as it always was
            done += 1
            if progress is not None and (done % 1000 == 0 or done == report.total):
                progress("check", done % 1000 or 1000, report.total)
    if dry_run:
        report.created = len(bundles)
        return report
    if report.problems and not valid_only:
        return report
    participation_ids: list[int] = []
    with transaction.atomic(durable=True), _write_cache():
        for start in range(0, len(bundles), WRITE_BATCH):
            batch = bundles[start : start + WRITE_BATCH]
            participation_ids.extend(_write_batch(acting_user, institution, batch, report))
            if progress is not None:
                progress("import", len(batch), len(bundles))
        _import_recorded(acting_user, report, participation_ids)
    return report


class _Invalid(Exception):
    """Raised inside the import's transaction to roll back what it wrote: some row is invalid."""


def _check_while_writing(
    acting_user: Any, institution: Any, chunks: Iterable[_Chunk], report: ImportReport, *, valid_only: bool,
    progress: Progress | None,
) -> ImportReport:
    """PostgreSQL: three steps at once, in one transaction: chunk n+2 is checked (a thread), the
    rows of chunk n+1 are built (another thread) and chunk n is written.

    psycopg lets go of the interpreter while it waits for the server, so the threads' Python
    runs while the server writes. After each chunk the deferred checks (foreign keys, the
    statistics' flush) run at once, so that they too overlap the checking and building instead
    of waiting for the commit. When a row is invalid (and `valid_only` is not set) nothing more
    is written, the rest is still checked for the report, and the transaction rolls back:
    nothing is imported, as before.
    """
    participation_ids: list[int] = []
    formatter = CopyFormatter.for_connection()

    def write(rows: Rows) -> None:
        bulk_write(acting_user=acting_user, rows=rows)
        participation_ids.extend(rows.result.all_participation_ids)
        report.created += len(rows.result.case_ids)
        _deferred_checks_now()

    try:
        with (
            _prompt_switching(), transaction.atomic(durable=True),
            ThreadPoolExecutor(1, thread_name_prefix="alianza-import-build") as builder,
        ):
            writing = True
            audit = AuditChain(actor=acting_user)  # the builder chains each chunk's entries after the last
            built: Future[Rows] | None = None  # the rows of the last chunk prepared, not yet written
            for chunk in _in_background(chunks):
                report.problems.extend(chunk.problems)
                report.skipped += chunk.skipped
                if report.problems and not valid_only:
                    writing = False  # nothing will be kept; keep checking for the report
                if writing and chunk.bundles:
                    batch = _not_imported_meanwhile(institution, chunk.bundles, report)
                    if batch:
                        prepared = bulk_prepare(acting_user=acting_user, bundles=batch, formatter=formatter, audit=audit)
                        building = builder.submit(_without_queries(bulk_rows), prepared)
                        if built is not None:
                            write(built.result())
                        built = building
                if progress is not None:
                    progress("import", chunk.rows, report.total)
            if not writing:
                raise _Invalid
            if built is not None:
                write(built.result())
            _import_recorded(acting_user, report, participation_ids)
    except _Invalid:
        report.created, report.committed = 0, False
    return report


SWITCH_INTERVAL = 0.0002  # seconds; Python's default is 0.005
_switching = threading.Lock()
_switching_users = 0
_switching_before = 0.0


@contextmanager
def _prompt_switching() -> Iterator[None]:
    """The interpreter passed between threads every `SWITCH_INTERVAL` while imports write.

    The writing thread gives up the interpreter at each wait on the server and needs it back as
    soon as the socket can take more rows; with the checking and building threads busy, the
    default interval kept it waiting up to 5 ms each time while the server ran out of rows (a
    tenth of the import's time, docs/benchmarks.md, "Eighth pass"). Counted, so that concurrent
    imports restore the interval only when the last one ends.
    """
    global _switching_users, _switching_before
    with _switching:
        if _switching_users == 0:
            _switching_before = sys.getswitchinterval()
            sys.setswitchinterval(min(_switching_before, SWITCH_INTERVAL))
        _switching_users += 1
    try:
        yield
    finally:
        with _switching:
            _switching_users -= 1
            if _switching_users == 0:
                sys.setswitchinterval(_switching_before)


def _not_imported_meanwhile(institution: Any, batch: list[CaseBundle], report: ImportReport) -> list[CaseBundle]:
    """Rows another import wrote meanwhile are skipped now (the unique constraint backs this)."""
    late = _imported_before(institution, (b.source_record_id for b in batch))
    if late:
        batch = [b for b in batch if b.source_record_id not in late]
        report.skipped += len(late)
    return batch


def _write_batch(acting_user: Any, institution: Any, batch: list[CaseBundle], report: ImportReport) -> list[int]:
    """Write one batch in the import's transaction; the ids of the participations it created."""
    batch = _not_imported_meanwhile(institution, batch, report)
    result = cases_bulk_create(acting_user=acting_user, bundles=batch)
    report.created += len(batch)
    return result.all_participation_ids


def _deferred_checks_now() -> None:
    """Run the checks deferred to the commit (foreign keys, the statistics' flush) now, and defer
    the next ones again: the same checks, once each, earlier."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _import_recorded(acting_user: Any, report: ImportReport, participation_ids: list[int]) -> None:
    audit_record(
        actor=acting_user, action="case.import", object_type="cases.case",
        changed_fields=["created", "skipped", "invalid"] if report.problems else ["created", "skipped"],
    )
    report.committed = True
    transaction.on_commit(lambda: _after_import_commit(participation_ids))


_DONE = object()


def _no_queries(*args: Any) -> Any:
    raise RuntimeError("the import's checking and building threads may not query the database")


def _without_queries(function: Callable[..., T]) -> Callable[..., T]:
    """`function`, run where any query raises: in a thread, a query would run outside the
    import's transaction, on a connection of its own."""

    def run(*args: Any, **kwargs: Any) -> T:
        with connections[DEFAULT_DB_ALIAS].execute_wrapper(_no_queries):
            return function(*args, **kwargs)

    return run


def _in_background(chunks: Iterable[_Chunk], depth: int = 2) -> Iterator[_Chunk]:
    """The chunks, produced by a thread `depth` ahead of the consumer.

    The thread uses the caller's language (the report's messages) and may not query the
    database: a query there would run outside the import's transaction, so it raises.
    """
    queue: Queue[Any] = Queue(maxsize=depth)
    stop = threading.Event()
    language = translation.get_language()

    def put(item: Any) -> bool:
        """Hand `item` to the consumer; False once the consumer has stopped."""
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            with translation.override(language), connections[DEFAULT_DB_ALIAS].execute_wrapper(_no_queries):
                for chunk in chunks:
                    if not put(chunk):
                        return
            item: Any = _DONE
        except BaseException as exc:  # handed to the consumer, which raises it
            item = exc
        put(item)

    thread = threading.Thread(target=produce, name="alianza-import-check", daemon=True)
    thread.start()
    try:
        while True:
            item = queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def import_template_csv() -> str:
    """An empty file with the canonical headers, for agencies to fill in."""
    return ",".join(COLUMNS) + "\n"

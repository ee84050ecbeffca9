"""Read the case registry into the indicator engine's plain tables (`StatsData`).

Statistics read every institution's cases, because national figures must; they leave the
registry only as aggregates or disclosure-controlled microdata. Identities are never loaded.

They read what the triggers keep in step with the registry (`alianza.stats.facts`): a year's
figures from its cells, and records from the fact tables a year at a time by index range, with the
version counters of what they read, in one snapshot. If the triggers are not all in place (SQLite
dropped them when a migration rebuilt a table, until `migrate` puts them back) they read the
registry tables themselves and compute, and nothing is cached.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from django.apps import apps
from django.db import connection, transaction
from django.db.models import F, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, ExtractYear, NullIf

from alianza.stats import facts
from alianza.stats.indicators import StatsData, YearFigures, empty_frame, engine_for
from alianza.stats.models import (
    CaseFact,
    DataVersion,
    FormFact,
    ParticipantFact,
    PersonCluster,
    RouteFact,
    StatsCell,
    StatsVersion,
)

REGISTRY_APPS = ("alianza.cases", "alianza.people")
TEXT_COLUMNS = frozenset({
    "crime_type", "department", "institution", "role", "sex", "citizenship", "stage", "cluster_id",
    "form", "event_type", "country",
})  # fmt: skip


def registry_available() -> bool:
    return all(apps.is_installed(name) for name in REGISTRY_APPS)


def _read(queryset: QuerySet[Any], **columns: Any) -> pd.DataFrame:
    """The `columns` (name → field path or expression) of `queryset`'s rows as a DataFrame."""
    aliases = {
        f"s_{name}": F(value) if isinstance(value, str) else value
        for name, value in columns.items()
    }
    rows = queryset.order_by().values(**aliases).values_list(*aliases)  # no model ordering: no sort
    sql, params = rows.query.sql_with_params()
    return _read_sql(sql, list(params), list(columns))


def _read_sql(sql: str, params: list[Any], names: list[str]) -> pd.DataFrame:
    """The rows of `sql` as a DataFrame with columns `names`.

    On PostgreSQL the server writes the rows as one CSV text (COPY would send a message per row,
    and reading 200,000 of them costs more in Python than the query) and Arrow parses it.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return pd.DataFrame.from_records(list(cursor.fetchall()), columns=names)
    columns = [f"c{i}" for i in range(len(names))]
    fields = [
        # Text quoted (so that an empty text is not NULL), NULL as an empty field.
        f"""COALESCE('"' || replace(q.{c}, '"', '""') || '"', '')"""
        if name in TEXT_COLUMNS
        else f"COALESCE(CAST(q.{c} AS TEXT), '')"
        for c, name in zip(columns, names, strict=True)
    ]
    wrapped = (
        f"SELECT string_agg(concat_ws(',', {', '.join(fields)}), E'\\n') "  # noqa: S608
        f"FROM ({sql}) AS q({', '.join(columns)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(wrapped, params)
        (text,) = cursor.fetchone()
    if not text:
        return pd.DataFrame({name: pd.Series(dtype="object") for name in names})
    table = pacsv.read_csv(
        # The newline matters: Arrow reads an empty last field of the last line as "", not null.
        io.BytesIO(text.encode() + b"\n"),
        read_options=pacsv.ReadOptions(column_names=names),
        convert_options=pacsv.ConvertOptions(
            # Codes stay text even when they look like numbers ("10000001" as a cluster).
            column_types={name: pa.string() for name in names if name in TEXT_COLUMNS},
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    return table.to_pandas()


def data_version() -> str:
    """The epoch and counter the triggers keep.

    Every call gives a new value (so nothing is served from a cache) when the row is missing,
    as in a flushed database, or when a trigger is missing, as after another app's migration
    rebuilt a table on SQLite, which drops that table's triggers.
    """
    row = DataVersion.objects.filter(pk=1).values_list("epoch", "counter").first()
    if row is None or not _triggers_in_place():
        return f"unknown:{uuid.uuid4().hex}"
    return f"{row[0]}:{row[1]}"


def _triggers_in_place() -> bool:
    from alianza.stats.migrations._watched import tables

    vendor = connection.vendor
    if vendor == "postgresql":
        sql, per_table = (
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE %s",
            1,
        )
    elif vendor == "sqlite":
        sql, per_table = (
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            3,
        )
    else:
        return False
    with connection.cursor() as cursor:
        cursor.execute(sql, ["stats_data_version_%"])
        (found,) = cursor.fetchone()
    return bool(found >= per_table * len(tables(apps)))


@contextmanager
def _snapshot() -> Iterator[None]:
    """Every read inside sees the database as of one moment, even while cases are written."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if outermost:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute(
                    "SET LOCAL jit = off"
                )  # these scans are too short for JIT to pay off
        facts_flush()
        yield


def facts_flush() -> None:
    """Rewrite what writes marked and no commit has flushed yet: run before reading any fact."""
    if facts_in_place():
        facts.flush(connection, facts.registry_tables(apps))


@functools.cache
def _expected_triggers(vendor: str) -> frozenset[str]:
    return frozenset(facts.expected_triggers(vendor, facts.registry_tables(apps)))


def facts_in_place() -> bool:
    """True when every fact trigger is installed, so the fact tables equal the registry."""
    if not registry_available():
        return False
    expected = _expected_triggers(connection.vendor)
    return bool(expected) and expected <= facts.installed_triggers(connection)


def _unknown() -> str:
    return f"unknown:{uuid.uuid4().hex}"


def _years() -> list[int]:
    """The years with at least one case: a loose index scan, a few probes whatever the size."""
    table = CaseFact._meta.db_table
    sql = (
        f"WITH RECURSIVE y(year) AS (SELECT MIN(year) FROM {table} UNION ALL "  # noqa: S608
        f"SELECT (SELECT MIN(year) FROM {table} WHERE year > y.year) FROM y WHERE y.year IS NOT NULL) "
        "SELECT year FROM y WHERE year IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [])
        return [int(row[0]) for row in cursor.fetchall()]


def year_versions(years: list[int] | None = None, *, usable: bool | None = None) -> dict[int, str]:
    """Year → the version of everything counted for it (every year with cases when `years` is None).

    A version is the data version's epoch, the "all" counter and the year's counter, which the
    fact triggers raise in the same transaction as any write that changes the year's figures.
    Without the triggers, or without the data version row (a flushed database), every call
    gives new values, so nothing is served from a cache.
    """
    if usable is None:
        usable = facts_in_place()
    if not usable:
        return {year: _unknown() for year in years or []}
    facts_flush()  # the marked writes raise their years' counters as they are rewritten
    if years is None:
        years = _years()
    epoch = DataVersion.objects.filter(pk=1).values_list("epoch", flat=True).first()
    if epoch is None:
        return {year: _unknown() for year in years}
    rows = StatsVersion.objects.filter(scope__in=["all", *(str(y) for y in years)])
    tokens = {
        scope: f"{counter}.{token}"
        for scope, counter, token in rows.values_list("scope", "counter", "token")
    }
    base = f"{epoch}:{tokens.get('all', '0')}"
    return {year: f"{base}:{tokens.get(str(year), '0')}" for year in years}


def scope_version(scope: str) -> str:
    """The version of a scope other than a year ("plan"), in the same form as `year_versions`."""
    if not facts_in_place():
        return _unknown()
    epoch = DataVersion.objects.filter(pk=1).values_list("epoch", flat=True).first()
    if epoch is None:
        return _unknown()
    row = StatsVersion.objects.filter(scope=scope).values_list("counter", "token").first()
    return f"{epoch}:{row[0]}.{row[1]}" if row else f"{epoch}:0"


def _fact_reads(year: int | None) -> dict[str, tuple[str, list[Any], list[str]]]:
    """The queries a load from the fact tables runs: name → (sql, params, output columns)."""
    case, part, form, route = (
        m._meta.db_table for m in (CaseFact, ParticipantFact, FormFact, RouteFact)
    )
    where, params = ("WHERE f.year = %s", [year]) if year is not None else ("", [])
    # Table names come from the models, never from input.
    return {
        "cases": (
            f"SELECT f.case_id, f.year, f.crime_type, f.department, f.institution FROM {case} f {where}",  # noqa: S608
            params, ["case_id", "year", "crime_type", "department", "institution"],
        ),
        # Each participation with its person's cluster, if linkage put the person in one.
        "participants": (
            "SELECT f.participation_id, f.case_id, f.person_id, f.role, f.sex, f.age, f.citizenship, f.stage, "  # noqa: S608
            f"f.cluster_id FROM {part} f {where}",
            params,
            ["record_id", "case_id", "person_id", "role", "sex", "age", "citizenship", "stage", "cluster_id"],
        ),
        "exploitation": (
            f"SELECT DISTINCT f.case_id, f.code FROM {form} f {where}",  # noqa: S608
            params, ["case_id", "form"],
        ),
        "route": (
            f"SELECT f.case_id, f.position, f.event_type, f.country FROM {route} f {where}",  # noqa: S608
            params, ["case_id", "position", "event_type", "country"],
        ),
    }  # fmt: skip


def cell_figures(year: int) -> YearFigures:
    """The figures of `year` as the triggers keep them in `StatsCell`: read, not computed.

    Call `facts_flush` first (the registry source's readers do).
    """
    rows = list(
        StatsCell.objects.filter(year=year)
        .exclude(raw=0, dedup=0)
        .values_list("measure", "breakdown", "category", "raw", "dedup")
    )
    cells = pd.DataFrame(rows, columns=["measure", "by", "category", "raw", "deduplicated"])
    cells = cells.astype({"raw": "int64", "deduplicated": "int64"})
    totals = cells["by"] == "total"
    flows = cells[cells["by"] == "flow"]
    ends = flows["category"].str.split(">", n=1, expand=True)
    flow_table = pd.DataFrame({
        "origin": ends[0] if len(flows) else pd.Series(dtype="object"),
        "destination": ends[1] if len(flows) else pd.Series(dtype="object"),
        "raw": flows["raw"], "deduplicated": flows["deduplicated"],
    })  # fmt: skip
    flow_table = flow_table.sort_values(
        ["raw", "origin", "destination"], ascending=[False, True, True], ignore_index=True
    )
    return YearFigures(
        year=year,
        counts=cells.loc[totals, ["measure", "raw", "deduplicated"]].reset_index(drop=True),
        breakdowns=cells[~totals & (cells["by"] != "flow")].reset_index(drop=True),
        flow_table=flow_table,
    )


class RegistrySource:
    """The live registry, read through the fact tables and the cells; versioned per year."""

    def figures_versioned(self, year: int) -> tuple[YearFigures, str]:
        """The figures of `year` and their version, from one snapshot."""
        with _snapshot():
            if not facts_in_place():
                data, version = self.load_versioned(year)
                with engine_for(data) as engine:
                    return engine.year_figures(year=year), version
            return cell_figures(year), year_versions([year], usable=True)[year]

    def load(self, year: int | None = None) -> StatsData:
        """Every record, or only the cases reported in `year` and their people, routes and clusters."""
        return self.load_versioned(year)[0]

    def load_versioned(self, year: int | None = None) -> tuple[StatsData, str]:
        """`load(year)` and the version of what it read (see `year_versions`), from one snapshot."""
        with _snapshot():
            if not facts_in_place():
                reads = self._reads(year)
                frames = {name: _read(qs, **columns) for name, (qs, columns) in reads.items()}
                return self._assemble(frames), _unknown()
            if year is None:
                versions = year_versions()
                version = (
                    "every:" + hashlib.sha256(repr(sorted(versions.items())).encode()).hexdigest()
                )
            else:
                version = year_versions([year], usable=True)[year]
            frames = {name: _read_sql(*read) for name, read in _fact_reads(year).items()}
        return self._assemble_facts(frames), version

    def versions(self) -> dict[int, str]:
        """Every year with cases → its version."""
        with _snapshot():
            return year_versions()

    def year_version(self, year: int) -> str:
        return year_versions([year])[year]

    def scope_version(self, scope: str) -> str:
        return scope_version(scope)

    def _reads(self, year: int | None) -> dict[str, tuple[QuerySet[Any], dict[str, Any]]]:
        """The queries a load runs: name → (queryset, output column → field path or expression)."""
        clusters = (
            PersonCluster.objects.all(),
            {"person_id": "person_id", "cluster_id": "cluster_id"},
        )
        if not registry_available():
            return {"clusters": clusters}
        from alianza.cases.models import Case, RouteEvent
        from alianza.people.models import Participation

        in_year: dict[str, Any] = {}
        if year is not None:
            in_year = {
                "reported_on__gte": dt.date(year, 1, 1),
                "reported_on__lt": dt.date(year + 1, 1, 1),
            }
        of_cases = {f"case__{k}": v for k, v in in_year.items()}
        stage: Any = "proceeding__stage" if apps.is_installed("alianza.prosecution") else Value("")
        institution = Coalesce(
            NullIf("owner_institution__short_name", Value("")), "owner_institution__name"
        )
        return {
            "cases": (Case.objects.filter(**in_year), {
                "case_id": "id", "year": ExtractYear("reported_on"), "crime_type": "crime_type",
                "department": "department", "institution": institution,
            }),
            "participants": (Participation.objects.filter(**of_cases), {
                "record_id": "id", "case_id": "case_id", "person_id": "person_id", "role": "role",
                "sex": NullIf("person__sex", Value("")), "age": "age_when_trafficked",
                "citizenship": KeyTextTransform("0", "person__citizenships"), "stage": stage,
            }),
            # Forms recorded on the case or on one of its victims count as the case's forms.
            "case_forms": (Case.exploitation_forms.through.objects.filter(**of_cases),
                           {"case_id": "case_id", "form": "referenceterm__code"}),
            "victim_forms": (Participation.exploitation_forms.through.objects.filter(
                                 **{f"participation__{k}": v for k, v in of_cases.items()}),
                             {"case_id": "participation__case_id", "form": "referenceterm__code"}),
            "route": (RouteEvent.objects.filter(**of_cases), {
                "case_id": "case_id", "position": "position", "event_type": "event_type", "country": "country",
            }),
            # Every linked person: one scan of a small table, cheaper than a join on the year's people.
            "clusters": clusters,
        }  # fmt: skip

    @staticmethod
    def _assemble(frames: dict[str, pd.DataFrame]) -> StatsData:
        if "participants" not in frames:
            return StatsData(clusters=frames["clusters"])
        participants = frames["participants"]
        stages = participants.pop("stage")
        participants["prosecuted"] = stages.isin(["prosecuted", "convicted", "acquitted"])
        participants["convicted"] = stages.eq("convicted")
        exploitation = pd.concat([frames["case_forms"], frames["victim_forms"]], ignore_index=True)
        exploitation = exploitation.drop_duplicates(ignore_index=True)
        return StatsData(
            cases=frames["cases"] if len(frames["cases"]) else empty_frame("cases"),
            participants=participants if len(participants) else empty_frame("participants"),
            exploitation=exploitation if len(exploitation) else empty_frame("exploitation"),
            route=frames["route"] if len(frames["route"]) else empty_frame("route"),
            clusters=frames["clusters"],
        )

    @staticmethod
    def _assemble_facts(frames: dict[str, pd.DataFrame]) -> StatsData:
        participants = frames["participants"]
        stages = participants.pop("stage")
        participants["prosecuted"] = stages.isin(["prosecuted", "convicted", "acquitted"])
        participants["convicted"] = stages.eq("convicted")
        linked = participants.pop("cluster_id")
        clusters = pd.DataFrame({"person_id": participants["person_id"], "cluster_id": linked})
        clusters = clusters[linked.notna()].drop_duplicates("person_id", ignore_index=True)
        return StatsData(
            **{name: frames[name] if len(frames[name]) else empty_frame(name)
               for name in ("cases", "participants", "exploitation", "route")},
            clusters=clusters if len(clusters) else empty_frame("clusters"),
        )  # fmt: skip

    def trend_versioned(
        self, years: list[int] | None = None
    ) -> tuple[pd.DataFrame, dict[int, str]]:
        """Cases and victims per year (of `years`, or every year), counted in the database, with
        the versions of those years, from one snapshot."""
        with _snapshot():
            if not facts_in_place():
                frame = self._registry_trend()
                if years is not None:
                    frame = frame[frame["year"].isin(years)].reset_index(drop=True)
                return frame, {int(y): _unknown() for y in frame["year"]}
            versions = year_versions(years, usable=True)
            return self._fact_trend(list(versions)), versions

    def trend(self) -> pd.DataFrame:
        return self.trend_versioned()[0]

    @staticmethod
    def _fact_trend(years: list[int]) -> pd.DataFrame:
        columns = ["year", "measure", "raw", "deduplicated"]
        if not years:
            return pd.DataFrame(columns=columns)
        rows = StatsCell.objects.filter(
            year__in=years, breakdown="total", measure__in=["cases", "victims"]
        ).values_list("year", "measure", "raw", "dedup")
        return pd.DataFrame(list(rows), columns=columns).sort_values(
            ["year", "measure"], ignore_index=True
        )

    def _registry_trend(self) -> pd.DataFrame:
        """Cases and victims per year, counted in the registry tables (no records leave it)."""
        columns = ["year", "measure", "raw", "deduplicated"]
        if not registry_available():
            return pd.DataFrame(columns=columns)
        from alianza.cases.models import Case
        from alianza.people.models import Participation

        case, part, cluster = (
            Case._meta.db_table,
            Participation._meta.db_table,
            PersonCluster._meta.db_table,
        )
        if connection.vendor == "postgresql":
            year = "CAST(EXTRACT(YEAR FROM c.reported_on) AS INTEGER)"
        else:
            year = "CAST(strftime('%%Y', c.reported_on) AS INTEGER)"
        # Table names come from the models, never from input.
        cases_sql = f'SELECT {year}, COUNT(*) FROM "{case}" c GROUP BY 1'  # noqa: S608
        victims_sql = (
            f"SELECT {year}, COUNT(*), COUNT(DISTINCT p.person_id) FILTER (WHERE k.cluster_id IS NULL) "  # noqa: S608
            "+ COUNT(DISTINCT k.cluster_id) "
            f'FROM "{part}" p JOIN "{case}" c ON c.id = p.case_id '
            f'LEFT JOIN "{cluster}" k ON k.person_id = p.person_id '
            "WHERE p.role = %s GROUP BY 1"
        )
        with connection.cursor() as cursor:
            cursor.execute(cases_sql, [])
            rows: list[tuple[Any, ...]] = [(y, "cases", n, n) for y, n in cursor.fetchall()]
            cursor.execute(victims_sql, ["victim"])
            rows += [(y, "victims", raw, dedup) for y, raw, dedup in cursor.fetchall()]
        return pd.DataFrame(rows, columns=columns).sort_values(
            ["year", "measure"], ignore_index=True
        )

    def version(self) -> str:
        """The data version that any write raises (see `DataVersion`): one row, whatever the size."""
        return f"registry:{data_version()}"

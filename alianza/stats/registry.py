"""Read the case registry into the indicator engine's plain tables (`StatsData`).

Statistics read every institution's cases, because national figures must; they leave the
registry only as aggregates or disclosure-controlled microdata. Identities are never loaded.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from typing import Any

import pandas as pd
import pyarrow.csv as pacsv
from django.apps import apps
from django.db import connection, transaction
from django.db.models import F, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, ExtractYear, NullIf

from alianza.stats.indicators import StatsData, empty_frame
from alianza.stats.models import DataVersion, PersonCluster

REGISTRY_APPS = ("alianza.cases", "alianza.people")


def registry_available() -> bool:
    return all(apps.is_installed(name) for name in REGISTRY_APPS)


def _read(queryset: QuerySet[Any], **columns: Any) -> pd.DataFrame:
    """The `columns` (name → field path or expression) of `queryset`'s rows as a DataFrame.

    On PostgreSQL the query runs as COPY … TO STDOUT and Arrow parses the CSV, which spares
    building a Python tuple per row for hundreds of thousands of records.
    """
    aliases = {
        f"s_{name}": F(value) if isinstance(value, str) else value
        for name, value in columns.items()
    }
    rows = queryset.order_by().values(**aliases).values_list(*aliases)  # no model ordering: no sort
    names = list(columns)
    if connection.vendor != "postgresql":
        return pd.DataFrame.from_records(list(rows), columns=names)
    sql, params = rows.query.sql_with_params()
    buffer = io.BytesIO()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy,
    ):
        for chunk in copy:
            buffer.write(chunk)
    if not buffer.tell():
        return pd.DataFrame({name: pd.Series(dtype="object") for name in names})
    buffer.seek(0)
    table = pacsv.read_csv(
        buffer,
        read_options=pacsv.ReadOptions(column_names=names),
        convert_options=pacsv.ConvertOptions(
            strings_can_be_null=True, quoted_strings_can_be_null=False
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


class RegistrySource:
    """The live registry. Its version changes with every case, participation, proceeding or cluster write."""

    def load(self, year: int | None = None) -> StatsData:
        """Every record, or only the cases reported in `year` and their people, routes and clusters."""
        reads = self._reads(year)
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    if outermost:  # every table read as of one moment, even while cases are written
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    cursor.execute(
                        "SET LOCAL jit = off"
                    )  # these scans are too short for JIT to pay off
            frames = {
                name: _read(queryset, **columns) for name, (queryset, columns) in reads.items()
            }
        return self._assemble(frames)

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

    def trend(self) -> pd.DataFrame:
        """Cases and victims per year, counted in the database (no records leave it)."""
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
            f"SELECT {year}, COUNT(*), COUNT(DISTINCT COALESCE(k.cluster_id, 'person:' || CAST(p.person_id AS TEXT))) "  # noqa: S608
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
        """The data version the triggers keep (see `DataVersion`): one row, whatever the registry's size."""
        return f"registry:{data_version()}"

"""Read the case registry into the indicator engine's plain tables (`StatsData`).

Statistics read every institution's cases, because national figures must; they leave the
registry only as aggregates or disclosure-controlled microdata. Identities are never loaded.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pandas as pd
import pyarrow.csv as pacsv
from django.apps import apps
from django.db import connection
from django.db.models import CharField, Count, F, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Concat, ExtractYear, NullIf

from alianza.stats.indicators import StatsData, empty_frame
from alianza.stats.models import PersonCluster

REGISTRY_APPS = ("alianza.cases", "alianza.people")


def registry_available() -> bool:
    return all(apps.is_installed(name) for name in REGISTRY_APPS)


def _read(queryset: QuerySet[Any], **columns: Any) -> pd.DataFrame:
    """The `columns` (name → field path or expression) of `queryset`'s rows as a DataFrame.

    On PostgreSQL the query runs as COPY … TO STDOUT and Arrow parses the CSV, an order of
    magnitude faster than building Python rows for hundreds of thousands of records.
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


class RegistrySource:
    """The live registry. Its version changes with every case, participation, proceeding or cluster write."""

    def load(self, year: int | None = None) -> StatsData:
        """Every record, or only the cases reported in `year` and their people, routes and clusters."""
        if not registry_available():
            return StatsData(
                clusters=_read(
                    PersonCluster.objects.all(), person_id="person_id", cluster_id="cluster_id"
                )
            )
        from alianza.cases.models import Case, RouteEvent
        from alianza.people.models import Participation

        in_year: dict[str, Any] = {}
        if year is not None:
            in_year = {
                "reported_on__gte": dt.date(year, 1, 1),
                "reported_on__lt": dt.date(year + 1, 1, 1),
            }
        of_cases = {f"case__{k}": v for k, v in in_year.items()}

        cases = _read(
            Case.objects.filter(**in_year),
            case_id="id", year=ExtractYear("reported_on"), crime_type="crime_type", department="department",
            institution=Coalesce(NullIf("owner_institution__short_name", Value("")), "owner_institution__name"),
        )  # fmt: skip
        stage: Any = "proceeding__stage" if apps.is_installed("alianza.prosecution") else Value("")
        participants = _read(
            Participation.objects.filter(**of_cases),
            record_id="id", case_id="case_id", person_id="person_id", role="role",
            sex=NullIf("person__sex", Value("")), age="age_when_trafficked",
            citizenship=KeyTextTransform("0", "person__citizenships"), stage=stage,
        )  # fmt: skip
        stages = participants.pop("stage")
        participants["prosecuted"] = stages.isin(["prosecuted", "convicted", "acquitted"])
        participants["convicted"] = stages.eq("convicted")
        # Forms recorded on the case or on one of its victims count as the case's forms.
        case_forms = Case.exploitation_forms.through.objects.filter(**of_cases)
        victim_forms = Participation.exploitation_forms.through.objects.filter(
            **{f"participation__{k}": v for k, v in of_cases.items()}
        )
        exploitation = pd.concat(
            [
                _read(case_forms, case_id="case_id", form="referenceterm__code"),
                _read(victim_forms, case_id="participation__case_id", form="referenceterm__code"),
            ],
            ignore_index=True,
        ).drop_duplicates(ignore_index=True)
        route = _read(
            RouteEvent.objects.filter(**of_cases),
            case_id="case_id",
            position="position",
            event_type="event_type",
            country="country",
        )
        return StatsData(
            cases=cases if len(cases) else empty_frame("cases"),
            participants=participants if len(participants) else empty_frame("participants"),
            exploitation=exploitation if len(exploitation) else empty_frame("exploitation"),
            route=route if len(route) else empty_frame("route"),
            # Every linked person: one scan of a small table, cheaper than a join on the year's people.
            clusters=_read(
                PersonCluster.objects.all(), person_id="person_id", cluster_id="cluster_id"
            ),
        )

    def trend(self) -> pd.DataFrame:
        """Cases and victims per year, counted in the database (no records leave it)."""
        columns = ["year", "measure", "raw", "deduplicated"]
        if not registry_available():
            return pd.DataFrame(columns=columns)
        from alianza.cases.models import Case
        from alianza.people.models import Participation

        rows: list[tuple[Any, ...]] = [
            (r["year"], "cases", r["n"], r["n"])
            for r in Case.objects.annotate(year=ExtractYear("reported_on"))
            .values("year")
            .annotate(n=Count("pk"))
        ]
        cluster = Coalesce(
            Subquery(
                PersonCluster.objects.filter(person_id=OuterRef("person_id")).values("cluster_id")[
                    :1
                ]
            ),
            Concat(Value("person:"), Cast("person_id", CharField())),
        )
        victims = (
            Participation.objects.filter(role="victim")
            .annotate(year=ExtractYear("case__reported_on"), cluster=cluster)
            .values("year")
            .annotate(raw=Count("pk"), dedup=Count("cluster", distinct=True))
        )
        rows += [(r["year"], "victims", r["raw"], r["dedup"]) for r in victims]
        return pd.DataFrame(rows, columns=columns).sort_values(
            ["year", "measure"], ignore_index=True
        )

    def version(self) -> str:
        from alianza.stats.services import _clusters_version

        parts = [_clusters_version()]
        if registry_available():
            from alianza.cases.models import Case, RouteEvent
            from alianza.people.models import Participation, Person

            for model, stamp in (
                (Case, "updated_at"),
                (Person, "updated_at"),
                (Participation, "created_at"),
                (RouteEvent, None),
            ):
                aggregates: dict[str, Any] = {"n": Count("pk"), "last": Max("pk")}
                if stamp:
                    aggregates["stamp"] = Max(stamp)
                parts.append(str(sorted(model.objects.aggregate(**aggregates).items())))
            if apps.is_installed("alianza.prosecution"):
                from alianza.prosecution.models import Proceeding

                parts.append(
                    str(Proceeding.objects.aggregate(n=Count("pk"), stamp=Max("updated_at")))
                )
        return "registry:" + "|".join(parts)

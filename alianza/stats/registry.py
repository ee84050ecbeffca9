"""Read the case registry into the indicator engine's plain tables (`StatsData`).

Statistics read every institution's cases, because national figures must; they leave the
registry only as aggregates or disclosure-controlled microdata. Identities are never loaded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from django.apps import apps
from django.db.models import CharField, Count, Max, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, ExtractYear

from alianza.stats.indicators import StatsData, empty_frame

REGISTRY_APPS = ("alianza.cases", "alianza.people")


def registry_available() -> bool:
    return all(apps.is_installed(name) for name in REGISTRY_APPS)


def _frame(rows: Any, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=columns)


class RegistrySource:
    """The live registry. Its version changes with every case, participation, proceeding or cluster write."""

    def load(self, year: int | None = None) -> StatsData:
        """Every record, or only the cases reported in `year` and their people, routes and clusters."""
        from alianza.stats.services import person_cluster_frame

        if not registry_available():
            return StatsData(clusters=person_cluster_frame())
        from alianza.cases.models import Case, RouteEvent
        from alianza.people.models import Participation

        in_year: dict[str, Any] = {}
        if year is not None:
            in_year = {
                "reported_on__gte": dt.date(year, 1, 1),
                "reported_on__lt": dt.date(year + 1, 1, 1),
            }
        case_filter = {f"case__{k}": v for k, v in in_year.items()}

        cases = _frame(
            Case.objects.filter(**in_year).values_list("id", "reported_on__year", "crime_type", "department", "owner_institution__short_name",
                                     "owner_institution__name"),
            ["case_id", "year", "crime_type", "department", "short", "name"],
        )  # fmt: skip
        cases["institution"] = (
            cases["short"].where(cases["short"].astype(bool), cases["name"]) if len(cases) else ""
        )
        cases = cases[["case_id", "year", "crime_type", "department", "institution"]]

        fields = [
            "id",
            "case_id",
            "person_id",
            "role",
            "person__sex",
            "age_when_trafficked",
            "person__citizenships",
        ]
        has_proceedings = apps.is_installed("alianza.prosecution")
        if has_proceedings:
            fields.append("proceeding__stage")
        participants = _frame(
            Participation.objects.filter(**case_filter).values_list(*fields), fields
        )
        if not has_proceedings:
            participants["proceeding__stage"] = None
        stage = participants["proceeding__stage"]
        participants = pd.DataFrame({
            "record_id": participants["id"],
            "case_id": participants["case_id"],
            "person_id": participants["person_id"],
            "role": participants["role"],
            "sex": participants["person__sex"].replace("", None),
            "age": participants["age_when_trafficked"],
            "citizenship": participants["person__citizenships"].map(lambda c: c[0] if c else None),
            "prosecuted": stage.isin(["prosecuted", "convicted", "acquitted"]),
            "convicted": stage.eq("convicted"),
        })  # fmt: skip
        # Forms recorded on the case or on one of its victims count as the case's forms.
        exploitation = pd.concat([
            _frame(Case.exploitation_forms.through.objects.filter(**case_filter).values_list("case_id", "referenceterm__code"),
                   ["case_id", "form"]),
            _frame(Participation.exploitation_forms.through.objects.filter(
                       **{f"participation__{k}": v for k, v in case_filter.items()}).values_list("participation__case_id",
                                                                               "referenceterm__code"),
                   ["case_id", "form"]),
        ], ignore_index=True).drop_duplicates(ignore_index=True)  # fmt: skip
        route = _frame(
            RouteEvent.objects.filter(**case_filter).values_list(
                "case_id", "position", "event_type", "country"
            ),
            ["case_id", "position", "event_type", "country"],
        )
        return StatsData(
            cases=cases if len(cases) else empty_frame("cases"),
            participants=participants if len(participants) else empty_frame("participants"),
            exploitation=exploitation, route=route,
            clusters=person_cluster_frame(
                person_ids=Participation.objects.filter(**case_filter).values("person_id") if year is not None else None
            ),
        )  # fmt: skip

    def trend(self) -> pd.DataFrame:
        """Cases and victims per year, counted in the database (no records leave it)."""
        columns = ["year", "measure", "raw", "deduplicated"]
        if not registry_available():
            return pd.DataFrame(columns=columns)
        from alianza.cases.models import Case
        from alianza.people.models import Participation
        from alianza.stats.models import PersonCluster

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

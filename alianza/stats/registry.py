"""Read the case registry into the indicator engine's plain tables (`StatsData`).

Statistics read every institution's cases, because national figures must; they leave the
registry only as aggregates or disclosure-controlled microdata. Identities are never loaded.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.apps import apps
from django.db.models import Count, Max

from alianza.stats.indicators import StatsData, empty_frame

REGISTRY_APPS = ("alianza.cases", "alianza.people")


def registry_available() -> bool:
    return all(apps.is_installed(name) for name in REGISTRY_APPS)


def _frame(rows: Any, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=columns)


class RegistrySource:
    """The live registry. Its version changes with every case, participation, proceeding or cluster write."""

    def load(self) -> StatsData:
        from alianza.stats.services import person_cluster_frame

        if not registry_available():
            return StatsData(clusters=person_cluster_frame())
        from alianza.cases.models import Case, RouteEvent
        from alianza.people.models import Participation

        cases = _frame(
            Case.objects.values_list("id", "reported_on__year", "crime_type", "department", "owner_institution__short_name",
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
        participants = _frame(Participation.objects.values_list(*fields), fields)
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
            _frame(Case.exploitation_forms.through.objects.values_list("case_id", "referenceterm__code"),
                   ["case_id", "form"]),
            _frame(Participation.exploitation_forms.through.objects.values_list("participation__case_id",
                                                                               "referenceterm__code"),
                   ["case_id", "form"]),
        ], ignore_index=True).drop_duplicates(ignore_index=True)  # fmt: skip
        route = _frame(
            RouteEvent.objects.values_list("case_id", "position", "event_type", "country"),
            ["case_id", "position", "event_type", "country"],
        )
        return StatsData(
            cases=cases if len(cases) else empty_frame("cases"),
            participants=participants if len(participants) else empty_frame("participants"),
            exploitation=exploitation, route=route, clusters=person_cluster_frame(),
        )  # fmt: skip

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

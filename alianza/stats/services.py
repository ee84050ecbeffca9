"""The one service module through which Django uses the statistics libraries.

It loads the registry into plain tables (`StatsData`), runs the indicator engine over them, and
keeps the reference data and records that statistics need: person clusters from linkage,
population figures, and the privacy budget spent on differentially private releases.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Protocol

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from alianza.accounts import authz
from alianza.audit.services import audit_record
from alianza.core.errors import PermissionDenied, ValidationFailed
from alianza.stats.disclosure import dp_counts
from alianza.stats.indicators import IndicatorEngine, StatsData, engine_for
from alianza.stats.models import (
    PersonCluster,
    PopulationFigure,
    PopulationGroup,
    PrivacyRelease,
)

DEFAULT_DP_BUDGET = 3.0  # total epsilon per data year; ALIANZA_DP_EPSILON_BUDGET overrides it


class StatsSource(Protocol):
    """Where the statistics read their records from."""

    def load(self, year: int | None = None) -> StatsData:
        """All records, or those of the cases reported in `year`."""
        ...

    def trend(self) -> pd.DataFrame:
        """year, measure (cases, victims), raw, deduplicated for every year: the dashboard's trend."""
        ...

    def version(self) -> str:
        """Changes whenever any record the statistics read changes: the cache key of aggregates."""
        ...


class FrameSource:
    """A fixed set of tables, clusters included: tests, benchmarks and demos without a registry."""

    def __init__(self, data: StatsData) -> None:
        self.data = data
        self._version = hashlib.sha256(
            b"".join(pd.util.hash_pandas_object(getattr(data, t), index=False).to_numpy().tobytes()
                     for t in ("cases", "participants", "exploitation", "route", "clusters"))
        ).hexdigest()[:16]  # fmt: skip

    def load(self, year: int | None = None) -> StatsData:
        return self.data

    def trend(self) -> pd.DataFrame:
        with engine_for(self.data) as engine:
            counts = engine.yearly_counts()
        return counts[counts["measure"].isin(["cases", "victims"])].reset_index(drop=True)

    def version(self) -> str:
        from alianza.stats.registry import data_version

        return f"frames:{self._version}:{data_version()}"


_source: StatsSource | None = None


def stats_source() -> StatsSource:
    if _source is not None:
        return _source
    from alianza.stats.registry import RegistrySource

    return RegistrySource()


def stats_source_set(source: StatsSource | None) -> StatsSource | None:
    """Read from `source` instead of the registry (None restores the registry); returns the old one."""
    global _source
    previous, _source = _source, source
    return previous


@contextmanager
def indicator_engine(*, year: int | None = None) -> Iterator[IndicatorEngine]:
    """An engine over every record, or over the cases of `year` only (much less to load)."""
    with engine_for(stats_source().load(year)) as engine:
        yield engine


def stats_trend() -> pd.DataFrame:
    """Cases and victims (raw and deduplicated) for every year."""
    return stats_source().trend()


def stats_version() -> str:
    return stats_source().version()


# --- person clusters ---------------------------------------------------------------------------


def person_cluster_frame(*, person_ids: Any = None) -> pd.DataFrame:
    """The person → cluster table, for every person or only `person_ids`."""
    clusters = PersonCluster.objects.all()
    if person_ids is not None:  # a subquery of person ids
        clusters = clusters.filter(person_id__in=person_ids)
    rows = list(clusters.values_list("person_id", "cluster_id"))
    return pd.DataFrame(rows, columns=["person_id", "cluster_id"])


def person_clusters_replace(*, acting_user: Any, clusters: Mapping[int, str]) -> int:
    """Replace the whole person → cluster mapping (linkage calls this after each confirmed change).

    Persons absent from `clusters` become clusters of their own. Returns the number of rows.
    Only the rows that differ are written, so that the statistics of the years those persons
    appear in are the only ones recomputed.
    """
    if acting_user is not None and not authz.has_perm(acting_user, authz.Perm.LINKAGE_REVIEW):
        raise PermissionDenied(_("You may not change how records are grouped into persons."))
    wanted = {int(person_id): str(cluster_id) for person_id, cluster_id in clusters.items()}
    with transaction.atomic(durable=True):
        if connection.vendor == "postgresql":  # one replacement at a time; readers go on
            with connection.cursor() as cursor:
                cursor.execute(
                    f'LOCK TABLE "{PersonCluster._meta.db_table}" IN SHARE ROW EXCLUSIVE MODE'
                )
        current = dict(PersonCluster.objects.values_list("person_id", "cluster_id"))
        stale = [p for p, c in current.items() if wanted.get(p) != c]
        for start in range(0, len(stale), 5000):
            PersonCluster.objects.filter(person_id__in=stale[start : start + 5000]).delete()
        PersonCluster.objects.bulk_create(
            (
                PersonCluster(person_id=p, cluster_id=c)
                for p, c in wanted.items()
                if current.get(p) != c
            ),
            batch_size=5000,
        )
        audit_record(actor=acting_user, action="stats.person_clusters_replace", object_type="stats.personcluster",
                     object_id=str(len(wanted)))  # fmt: skip
    return len(wanted)


# --- differential privacy ----------------------------------------------------------------------


def dp_budget() -> float:
    return float(getattr(settings, "ALIANZA_DP_EPSILON_BUDGET", DEFAULT_DP_BUDGET))


def dp_budget_spent(*, year: int) -> float:
    spent = PrivacyRelease.objects.filter(year=year).aggregate(total=Sum("epsilon"))["total"]
    return float(spent or 0)


def privacy_release_create(*, acting_user: Any, year: int, epsilon: float) -> PrivacyRelease:
    """Release victims by sex and age group for `year` with OpenDP noise, spending `epsilon`.

    Each person is in exactly one group, so one person changes the vector by at most one.
    """
    if not authz.has_perm(acting_user, authz.Perm.STATS_PUBLISH):
        raise PermissionDenied(_("You may not publish statistics."))
    if not 0 < epsilon <= 10:
        raise ValidationFailed(_("Epsilon must be greater than 0 and at most 10."))
    with transaction.atomic(durable=True):
        # Lock the year's releases so that two coordinators cannot overspend the budget together.
        list(
            PrivacyRelease.objects.select_for_update()
            .filter(year=year)
            .values_list("pk", flat=True)
        )
        spent = dp_budget_spent(year=year)
        if spent + epsilon > dp_budget() + 1e-9:
            raise ValidationFailed(
                _(
                    "This release would exceed the privacy budget for %(year)s: %(spent).2f of %(budget).2f already spent."
                )
                % {"year": year, "spent": spent, "budget": dp_budget()}
            )
        with indicator_engine(year=year) as engine:
            frame = engine.breakdown(year=year, by="sex_age")
        noisy = dp_counts(list(frame["deduplicated"]), epsilon=epsilon)
        release = PrivacyRelease.objects.create(
            table="victims_by_sex_age", year=year, epsilon=Decimal(str(epsilon)).quantize(Decimal("0.001")),
            values=dict(zip(frame["category"], noisy, strict=True)), created_by=acting_user,
        )  # fmt: skip
        audit_record(actor=acting_user, action="stats.privacy_release_create", obj=release)
    return release


# --- population --------------------------------------------------------------------------------

# Approximate, invented figures shaped like Bolivia's population (about 11.4 million in 2018,
# growing about 1.4% a year, roughly a third under 18). Not INE figures: replace them with the
# National Statistics Institute's projections before publishing rates.
_DEMO_POPULATION_2018 = {
    PopulationGroup.WOMEN: 3_790_000,
    PopulationGroup.MEN: 3_740_000,
    PopulationGroup.GIRLS: 1_910_000,
    PopulationGroup.BOYS: 1_980_000,
}
DEMO_POPULATION_SOURCE = "Approximate synthetic demo figures, not official INE data"


def population_demo_seed() -> int:
    """Seed 2018–2025 population figures (idempotent; never overwrites a figure someone entered)."""
    created = 0
    with transaction.atomic():
        for offset, year in enumerate(range(2018, 2026)):
            for group, base in _DEMO_POPULATION_2018.items():
                _, was_created = PopulationFigure.objects.get_or_create(
                    year=year, group=group,
                    defaults={"population": round(base * 1.014**offset, -3), "source": DEMO_POPULATION_SOURCE,
                              "is_synthetic": True},
                )  # fmt: skip
                created += was_created
    return created


def population_figure_update(
    *, acting_user: Any, figure: PopulationFigure, population: int, source: str
) -> PopulationFigure:
    if not authz.has_perm(acting_user, authz.Perm.STATS_PUBLISH):
        raise PermissionDenied(_("You may not change population figures."))
    if population <= 0:
        raise ValidationFailed(_("The population must be a positive number."))
    with transaction.atomic(durable=True):
        figure.population = population
        figure.source = source
        figure.is_synthetic = False
        figure.save(update_fields=["population", "source", "is_synthetic"])
        audit_record(actor=acting_user, action="stats.population_figure_update", obj=figure,
                     changed_fields=["population", "source"])  # fmt: skip
    return figure

"""The one service module through which Django uses the statistics libraries.

It loads the registry into plain tables (`StatsData`), runs the indicator engine over them, and
keeps the reference data and records that statistics need: person clusters from linkage,
population figures, and the privacy budget spent on differentially private releases.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Protocol, TypeVar, cast

import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from alianza.accounts import authz
from alianza.audit.services import audit_record
from alianza.core.errors import PermissionDenied, ValidationFailed
from alianza.stats.disclosure import dp_counts
from alianza.stats.indicators import IndicatorEngine, StatsData, YearFigures, engine_for
from alianza.stats.models import (
    PersonCluster,
    PopulationFigure,
    PopulationGroup,
    PrivacyRelease,
)

T = TypeVar("T")

DEFAULT_DP_BUDGET = 3.0  # total epsilon per data year; ALIANZA_DP_EPSILON_BUDGET overrides it


class StatsSource(Protocol):
    """Where the statistics read their records from, and the versions that key cached figures."""

    def load(self, year: int | None = None) -> StatsData:
        """All records, or those of the cases reported in `year`."""
        ...

    def load_versioned(self, year: int | None = None) -> tuple[StatsData, str]:
        """`load(year)` and the version of what it read, from one snapshot."""
        ...

    def figures_versioned(self, year: int) -> tuple[YearFigures, str]:
        """Every count, breakdown and flow of `year`, and their version, from one snapshot."""
        ...

    def versions(self) -> dict[int, str]:
        """Every year with cases → a version that changes whenever the year's figures may."""
        ...

    def year_version(self, year: int) -> str: ...

    def scope_version(self, scope: str) -> str:
        """The version of another scope: "plan" (the national plan's tables)."""
        ...

    def trend_versioned(
        self, years: list[int] | None = None
    ) -> tuple[pd.DataFrame, dict[int, str]]:
        """year, measure (cases, victims), raw, deduplicated for `years` (every year), with their versions."""
        ...

    def version(self) -> str:
        """Changes whenever any record the statistics read changes."""
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

    def load_versioned(self, year: int | None = None) -> tuple[StatsData, str]:
        return self.data, self.version()

    def figures_versioned(self, year: int) -> tuple[YearFigures, str]:
        with engine_for(self.data) as engine:
            return engine.year_figures(year=year), self.version()

    def versions(self) -> dict[int, str]:
        version = self.version()
        return {int(year): version for year in sorted(set(self.data.cases["year"]))}

    def year_version(self, year: int) -> str:
        return self.version()

    def scope_version(self, scope: str) -> str:
        return self.version()

    def trend_versioned(
        self, years: list[int] | None = None
    ) -> tuple[pd.DataFrame, dict[int, str]]:
        with engine_for(self.data) as engine:
            counts = engine.yearly_counts()
        counts = counts[counts["measure"].isin(["cases", "victims"])]
        if years is not None:
            counts = counts[counts["year"].isin(years)]
        counts = counts.reset_index(drop=True)
        return counts, dict.fromkeys((int(y) for y in counts["year"]), self.version())

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


# --- figures cached per year -------------------------------------------------------------------
#
# Cached entries are keyed by the version of the year they count (see `registry.year_versions`):
# a write raises the version of the years it touches in its own transaction, so an entry is
# never served after a write that changed it, and a write in one year leaves the others' valid.
# An entry is stored under the version read in the same snapshot as its data, or read before its
# data was, never after; an unknown version (no triggers) is never stored.

FIGURES_SECONDS = 24 * 3600
_MISSING = object()


def _key(kind: str, version: str, *parts: Any) -> str:
    return f"stats:{kind}:" + hashlib.sha256(repr((version, *parts)).encode()).hexdigest()


def _store(key: str, version: str, value: Any) -> None:
    if not version.startswith("unknown:"):
        cache.set(key, value, FIGURES_SECONDS)


def year_figures(*, year: int) -> YearFigures:
    """Every count, breakdown and flow of `year` (see `IndicatorEngine.year_figures`), cached."""
    source = stats_source()
    figures = cache.get(_key("figures", source.year_version(year), year))
    if figures is None:
        figures, version = source.figures_versioned(year)
        _store(_key("figures", version, year), version, figures)
    return figures


def year_cached(name: str, *, year: int, compute: Callable[[], T]) -> T:
    """`compute()`, cached until a write changes what is counted for `year`.

    For values computed from the registry (not from `year_figures`) whose inputs the year's
    version covers: the version is read first, so the value is at least as new as its key.
    """
    version = stats_source().year_version(year)
    key = _key(name, version, year)
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        _store(key, version, value)
    return cast(T, value)


def stats_trend() -> pd.DataFrame:
    """Cases and victims (raw and deduplicated) for every year, each year cached on its own."""
    source = stats_source()
    parts, missing = [], []
    for year, version in source.versions().items():
        part = cache.get(_key("trend", version, year))
        if part is None:
            figures = cache.get(_key("figures", version, year))
            if figures is not None:
                counts = figures.yearly_counts()
                part = counts[counts["measure"].isin(["cases", "victims"])].reset_index(drop=True)
                _store(_key("trend", version, year), version, part)
        if part is None:
            missing.append(year)
        else:
            parts.append(part)
    if missing:
        computed, versions = source.trend_versioned(missing)
        for year, version in versions.items():
            part = computed[computed["year"] == year].reset_index(drop=True)
            _store(_key("trend", version, year), version, part)
            parts.append(part)
    columns = ["year", "measure", "raw", "deduplicated"]
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(parts, ignore_index=True)[columns]
    return frame.sort_values(["year", "measure"], ignore_index=True).astype(
        {"year": "int64", "raw": "int64", "deduplicated": "int64"}
    )


def stats_versions() -> dict[int, str]:
    """Every year with cases → its version; a page built from them is keyed by all of them."""
    return stats_source().versions()


def stats_scope_version(scope: str) -> str:
    return stats_source().scope_version(scope)


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
        frame = year_figures(year=year).breakdown(year=year, by="sex_age")
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

"""Statistics services: clusters from linkage, population, privacy budget, SDG 16.2.2, dashboards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from alianza.accounts.roles import Role
from alianza.audit.models import AuditEntry
from alianza.core.errors import PermissionDenied, ValidationFailed
from alianza.stats import selectors, services
from alianza.stats.models import PersonCluster, PopulationFigure
from alianza.stats.services import FrameSource
from alianza.stats.synthetic import synthetic_data
from alianza.stats.tests.fixtures import small_data


def verified(user: Any) -> Any:
    user.is_verified = lambda: True
    return user


@pytest.fixture
def small_registry(db: Any) -> Iterator[None]:
    previous = services.stats_source_set(FrameSource(small_data()))
    yield
    services.stats_source_set(previous)


@pytest.fixture
def demo_registry(db: Any) -> Iterator[None]:
    previous = services.stats_source_set(FrameSource(synthetic_data()))
    yield
    services.stats_source_set(previous)


def test_linkage_fills_the_cluster_table(db: Any, make_user: Callable[..., Any]) -> None:
    investigator = verified(make_user(Role.INVESTIGATOR))
    services.person_clusters_replace(acting_user=investigator, clusters={101: "A", 201: "A"})
    assert set(PersonCluster.objects.values_list("person_id", "cluster_id")) == {
        (101, "A"),
        (201, "A"),
    }
    assert AuditEntry.objects.filter(action="stats.person_clusters_replace").exists()
    frame = services.person_cluster_frame()
    assert len(frame) == 2
    with pytest.raises(PermissionDenied):
        services.person_clusters_replace(acting_user=verified(make_user(Role.ANALYST)), clusters={})


def test_population_seed_is_marked_synthetic(db: Any) -> None:
    assert services.population_demo_seed() == 32  # 8 years × 4 groups
    assert services.population_demo_seed() == 0
    assert all(PopulationFigure.objects.values_list("is_synthetic", flat=True))


def test_sdg_16_2_2_rate(small_registry: None) -> None:
    PopulationFigure.objects.create(year=2023, group="girls", population=200_000, source="test")
    PopulationFigure.objects.create(year=2023, group="men", population=400_000, source="test")
    with services.indicator_engine() as engine:
        rows = {r["group"]: r for r in selectors.sdg_16_2_2(engine, year=2023)}
    assert rows["girls"]["rate"] == 0.5  # 1 girl per 200,000
    assert rows["men"]["rate"] == 0.5  # 2 men per 400,000
    assert rows["women"]["rate"] is None  # no population figure
    assert rows["total"]["victims"] == 3


def test_privacy_release_spends_and_records_the_budget(
    demo_registry: None, make_user: Callable[..., Any], settings: Any
) -> None:
    settings.ALIANZA_DP_EPSILON_BUDGET = 1.5
    coordinator = verified(make_user(Role.COORDINATOR))
    release = services.privacy_release_create(acting_user=coordinator, year=2022, epsilon=1.0)
    assert set(release.values) == {"women", "men", "girls", "boys", "unknown"}
    assert services.dp_budget_spent(year=2022) == 1.0
    with pytest.raises(ValidationFailed):
        services.privacy_release_create(acting_user=coordinator, year=2022, epsilon=1.0)
    assert services.dp_budget_spent(year=2022) == 1.0
    with pytest.raises(PermissionDenied):
        services.privacy_release_create(
            acting_user=verified(make_user(Role.ANALYST)), year=2022, epsilon=0.1
        )


def test_public_dashboard_has_no_small_cells(demo_registry: None) -> None:
    data = selectors.dashboard_data(acting_user=None, year=2022, public=True)
    values = [
        v
        for chart in data["charts"]
        for row in chart["rows"]
        for v in row[1:]
        if isinstance(v, int)
    ]
    values += [h["deduplicated"] for h in data["headline"] if h["deduplicated"] is not None]
    assert values and all(v == 0 or v >= 10 for v in values)
    flows = next(c for c in data["charts"] if c["key"] == "flows")
    assert any(row[-1] is None for row in flows["rows"])  # Spain's 7 victims are withheld
    assert all(h["raw"] is None for h in data["headline"])


def test_internal_dashboard_shows_raw_beside_deduplicated(
    small_registry: None, make_user: Callable[..., Any]
) -> None:
    analyst = verified(make_user(Role.ANALYST))
    data = selectors.dashboard_data(acting_user=analyst, year=2023)
    victims = next(h for h in data["headline"] if h["key"] == "victims")
    assert (victims["raw"], victims["deduplicated"]) == (4, 3)
    with pytest.raises(PermissionDenied):
        selectors.dashboard_data(acting_user=verified(make_user(Role.AUDITOR)))


def test_cached_aggregates_follow_writes(
    small_registry: None, make_user: Callable[..., Any]
) -> None:
    analyst = verified(make_user(Role.ANALYST))
    before = selectors.dashboard_data(acting_user=analyst, year=2023)
    services.stats_source_set(FrameSource(small_data(linked=False)))
    after = selectors.dashboard_data(acting_user=analyst, year=2023)
    assert next(h for h in before["headline"] if h["key"] == "victims")["deduplicated"] == 3
    assert next(h for h in after["headline"] if h["key"] == "victims")["deduplicated"] == 4

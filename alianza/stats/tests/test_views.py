"""Statistics pages as each kind of user sees them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from alianza.accounts.roles import Role
from alianza.stats import services
from alianza.stats.services import FrameSource
from alianza.stats.synthetic import synthetic_data
from alianza.stats.tests.fixtures import small_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_registry(db: Any) -> Iterator[None]:
    previous = services.stats_source_set(FrameSource(synthetic_data()))
    yield
    services.stats_source_set(previous)


def cell_numbers(html: str) -> list[int]:
    return [int(v) for v in re.findall(r"data-cell>(\d+)<", html)]


def test_public_dashboard_needs_no_login_and_shows_no_small_cell(demo_registry: None) -> None:
    response = Client().get("/stats/public/?year=2022")
    assert response.status_code == 200
    html = response.content.decode()
    numbers = cell_numbers(html)
    assert numbers and all(n == 0 or n >= 10 for n in numbers)
    assert "data-cell>—<" in html  # something was withheld (Spain's 7 victims and its complement)
    assert "Recorded by the agencies" not in html and "Registrado por" not in html


def test_analyst_sees_raw_beside_deduplicated(client_for: Callable[..., Client]) -> None:
    previous = services.stats_source_set(FrameSource(small_data()))
    try:
        html = client_for(Role.ANALYST).get("/stats/?year=2023").content.decode()
    finally:
        services.stats_source_set(previous)
    victims = re.search(
        r'data-testid="headline-victims".*?data-cell>(\d+)<.*?stats-raw">(\d+)', html, re.S
    )
    assert victims and victims.groups() == ("3", "4")


def test_glotip_download(demo_registry: None, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.ANALYST)
    xlsx = client.get("/stats/glotip/?year=2022&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    csv = client.get("/stats/glotip/?year=2022&format=csv")
    assert csv.content.decode().startswith("year,table,category,label,raw,deduplicated")


def test_coordinator_releases_with_differential_privacy(
    demo_registry: None, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.COORDINATOR)
    response = client.post("/stats/privacy/", {"year": 2022, "epsilon": "0.5"})
    assert response.status_code == 302
    page = client.get("/stats/privacy/").content.decode()
    assert "0.5" in page or "0,5" in page
    assert services.dp_budget_spent(year=2022) == 0.5


def test_population_is_editable(db: Any, client_for: Callable[..., Client]) -> None:
    from alianza.stats.models import PopulationFigure

    services.population_demo_seed()
    figure = PopulationFigure.objects.get(year=2023, group="girls")
    client = client_for(Role.COORDINATOR)
    client.post(
        "/stats/population/",
        {"figure": figure.pk, "population": 2_000_000, "source": "INE proyecciones"},
    )
    figure.refresh_from_db()
    assert (figure.population, figure.is_synthetic) == (2_000_000, False)


def test_pages_work_on_an_empty_registry(client_for: Callable[..., Client]) -> None:
    assert Client().get("/stats/public/").status_code == 200
    assert Client().get("/stats/public/?year=0").status_code == 200
    analyst = client_for(Role.ANALYST)
    assert analyst.get("/stats/").status_code == 200
    assert analyst.get("/stats/glotip/?format=csv").status_code == 200

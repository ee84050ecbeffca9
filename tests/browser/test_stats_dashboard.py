"""The analysts' statistics dashboard and the plan page with data, at desktop and phone width:
raw and deduplicated columns side by side with the explanation, charts drawn, no sideways
scrolling, basic accessibility. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import UserFactory
from alianza.plan.services import plan_demo_seed
from alianza.stats import services
from alianza.stats.services import FrameSource
from alianza.stats.synthetic import synthetic_data
from tests.browser.conftest import ARTIFACTS_DIR, _unavailable
from tests.browser.test_shell import _check_page, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extra installs it
    _unavailable("the playwright package is not installed (pip install -e '.[dev]').")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_figures() -> Iterator[None]:
    previous = services.stats_source_set(FrameSource(synthetic_data()))
    yield
    services.stats_source_set(previous)


@pytest.mark.parametrize("width", [1280, 375])
def test_analyst_dashboard_and_plan(
    demo_figures: None, new_page: Callable[..., Any], width: int
) -> None:
    plan = plan_demo_seed()
    page = new_page(viewport={"width": width, "height": 800})
    sign_in(page, UserFactory(role=Role.ANALYST))
    page.goto("/stats/?year=2022")
    expect(page.locator("body")).to_have_attribute("data-charts-ready", "true")
    header = page.locator('[data-testid="table-sex_age"] thead').inner_text()
    assert "Registrado por las instituciones" in header and "Personas (sin duplicados)" in header
    assert "doble conteo" in page.locator("main").inner_text()
    for key in ("trend", "sex_age", "exploitation", "flows", "institution", "plan"):
        expect(page.locator(f"#chart-{key}")).to_have_attribute("data-rendered", "true")
    _check_page(page, f"stats-dashboard-{width}")
    page.screenshot(path=ARTIFACTS_DIR / f"stats-dashboard-{width}.png", full_page=True)

    page.goto(f"/plan/{plan.pk}/")
    expect(page.locator("h1")).to_contain_text("2021")
    assert page.locator("main table").count() == 5  # one per goal of the demo plan
    _check_page(page, f"plan-{width}")
    page.screenshot(path=ARTIFACTS_DIR / f"plan-{width}.png", full_page=True)

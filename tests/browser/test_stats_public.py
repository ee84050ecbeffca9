"""The public statistics dashboard in a real browser: no login, no small cell, charts drawn
from the bundled library and country shapes. Saves a screenshot to test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from alianza.stats import services
from alianza.stats.disclosure import DEFAULT_MIN_CELL
from alianza.stats.services import FrameSource
from alianza.stats.synthetic import synthetic_data
from tests.browser.conftest import ARTIFACTS_DIR, _unavailable

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extra installs it
    _unavailable("the playwright package is not installed (pip install -e '.[dev]').")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_figures() -> Iterator[None]:
    # The live server runs in a thread of this process, so it reads the same source.
    previous = services.stats_source_set(FrameSource(synthetic_data()))
    yield
    services.stats_source_set(previous)


def test_public_dashboard_without_login_has_no_cell_under_the_threshold(
    demo_figures: None, new_page: Callable[..., Any]
) -> None:
    page = new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/stats/public/?year=2022")
    expect(page.locator("body")).to_have_attribute("data-charts-ready", "true")
    assert "/accounts/login" not in page.url

    cells = page.locator("[data-cell]").all_inner_texts()
    assert len(cells) > 20
    withheld = [c for c in cells if c.strip() == "—"]
    numbers = [int(re.sub(r"\D", "", c)) for c in cells if c.strip() != "—"]
    assert withheld, "the demo data has small cells, which must show as withheld"
    small = [n for n in numbers if 0 < n < DEFAULT_MIN_CELL]
    assert small == [], f"cells under the threshold on the public page: {small}"

    for key in ("trend", "sex_age", "exploitation", "flows"):
        expect(page.locator(f"#chart-{key}")).to_have_attribute("data-rendered", "true")
        assert page.locator(f"#chart-{key} canvas").count() >= 1
    base = page.url.split("/stats/")[0]
    assert all(
        url.startswith(base) or url.startswith("data:") or url.startswith("blob:")
        for url in requests
    ), "the dashboard fetched something from outside the app"

    with page.expect_download() as download:
        page.locator('[data-download="csv"][data-chart="sex_age"]').click()
    assert download.value.suggested_filename == "alianza-sex_age-2022.csv"

    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS_DIR / "stats-public-dashboard.png", full_page=True)

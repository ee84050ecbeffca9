"""Browser tests: Playwright drives Debian's Chromium against a live Alianza server.

Chromium comes from the system (apt-get install chromium), never from `playwright install`, so
that the tests work offline. Without it the tests skip on a developer machine and fail in CI
(CI=true), where a skipped browser test would hide a broken UI.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from django.conf import settings

ARTIFACTS_DIR = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI and the dev containers run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 15_000


def chromium_executable() -> str | None:
    """$CHROMIUM if set (and only that), else `chromium` on the PATH, else /usr/bin/chromium."""
    configured = os.environ.get("CHROMIUM")
    candidates = [configured] if configured else [shutil.which("chromium"), "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(
            f"{reason} CI=true, so the browser tests fail instead of skipping.", pytrace=False
        )
    pytest.skip(f"browser tests skipped: {reason}", allow_module_level=True)


def _require_compiled_catalogues() -> None:
    """The UI is asserted in Spanish and English, which needs the compiled catalogues."""
    for language in ("es", "en", "pt"):
        po = Path(settings.BASE_DIR) / "alianza" / "locale" / language / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            pytest.fail(
                f"{mo.relative_to(settings.BASE_DIR)} is missing or older than its .po: "
                "run `make messages` (compilemessages) before the browser tests.",
                pytrace=False,
            )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_executable()
    if executable is None:
        where = os.environ.get("CHROMIUM") or "`chromium` on the PATH and /usr/bin/chromium"
        _unavailable(
            f"no Chromium executable at {where}. Install it with `apt-get install chromium`, "
            "or set CHROMIUM to its path."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]').")
    _require_compiled_catalogues()
    # While Playwright's sync API is open its event loop counts as running in this thread, which
    # Django's async-safety check mistakes for async code calling the ORM; the tests and the live
    # server stay synchronous. The variable is set only for that time: left set, it would reach
    # other tests (`check --deploy` refuses it) and hide real async misuse.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            # Each launch gets a fresh temporary --user-data-dir from Playwright (which refuses
            # the flag in args), so no profile state carries over between runs.
            browser = playwright.chromium.launch(
                executable_path=executable,
                headless=True,
                chromium_sandbox=False,
                args=CHROMIUM_ARGS,
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def base_url(live_server: Any) -> str:
    return str(live_server.url)


@pytest.fixture
def new_page(
    browser: Any, base_url: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Any]]:
    """Opens a page in a fresh browser context (own cookies); Spanish-speaking by default.

    A failed test leaves a screenshot of each of its pages in test-artifacts/.
    """
    contexts = []

    def open_page(*, locale: str = "es-BO", viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(
            base_url=base_url,
            locale=locale,
            viewport=viewport or {"width": 1280, "height": 800},
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    report = getattr(request.node, "rep_call", None)
    for index, context in enumerate(contexts):
        if report is not None and report.failed:
            ARTIFACTS_DIR.mkdir(exist_ok=True)
            for number, page in enumerate(context.pages):
                page.screenshot(
                    path=ARTIFACTS_DIR / f"failed-{request.node.name}-{index}-{number}.png",
                    full_page=True,
                )
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report

"""The UI shell in a real browser: sign-in, language switch, navigation per role, refusals,
two-factor enrolment, keyboard use and phone width.

Users are created in the test and committed (transactional database), because the live server
reads them from another thread.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from alianza.accounts import authz
from alianza.accounts.models import User
from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import TEST_PASSWORD, UserFactory
from alianza.core.navigation import NAV_ITEMS
from tests.browser.conftest import ARTIFACTS_DIR, _unavailable

try:
    from playwright.sync_api import expect

    from tests.browser.helpers import sign_in, sign_in_with_second_factor
except ImportError:  # pragma: no cover - the dev extra installs it
    _unavailable("the playwright package is not installed (pip install -e '.[dev]').")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The case worker's page that an analyst must not reach: the case form once the case registry
# provides it, until then a page outside the analyst's rules.
CASE_WORKER_PAGE = "cases:case_create"
FALLBACK_REFUSED_PAGE = "audit:entry_list"


def switch_language(page: Any, code: str) -> None:
    page.select_option("#language-select", code)
    page.locator(".language-form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def visible_nav(page: Any) -> set[str]:
    return set(
        page.locator("nav#main-nav a[data-nav]").evaluate_all("els => els.map(e => e.dataset.nav)")
    )


def expected_nav(user: User) -> set[str]:
    """The entries whose route exists in this build and whose rule the user meets."""
    names = set()
    for item in NAV_ITEMS:
        rule = authz.route_rule(item.url_name)
        try:
            reverse(item.url_name)
        except NoReverseMatch:
            continue
        if rule is not None and rule.allows(user):
            names.add(item.url_name)
    return names


def test_case_worker_switches_language_and_sees_case_worker_navigation(page: Any) -> None:
    worker = UserFactory(role=Role.CASE_WORKER, first_name="Ana", last_name="Prueba Quispe")
    sign_in(page, worker)

    expect(page).to_have_url(re.compile(re.escape(reverse("core:home")) + "$"))
    nav = page.locator("nav#main-nav")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenido/a, Ana Prueba Quispe")
    expect(page.locator("main")).to_contain_text("Inició sesión como Gestor/a de casos")
    expect(nav.locator('[data-nav="core:home"]')).to_have_text("Inicio")
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()
    spanish_nav = visible_nav(page)
    assert spanish_nav == expected_nav(worker)
    assert "core:home" in spanish_nav
    assert not spanish_nav & {"audit:entry_list", "admin:index"}, (
        "a case worker sees no audit or admin"
    )

    switch_language(page, "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ana Prueba Quispe")
    expect(page.locator("main")).to_contain_text("You are signed in as Case worker")
    expect(nav.locator('[data-nav="core:home"]')).to_have_text("Home")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main navigation")).to_be_visible()
    assert visible_nav(page) == spanish_nav

    switch_language(page, "pt")
    expect(page.get_by_role("heading", level=1)).to_have_text("Boas-vindas, Ana Prueba Quispe")
    expect(nav.locator('[data-nav="core:home"]')).to_have_text("Início")

    switch_language(page, "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenido/a, Ana Prueba Quispe")
    expect(nav.locator('[data-nav="core:home"]')).to_have_text("Inicio")
    expect(page.get_by_role("navigation", name="Navegación principal")).to_be_visible()
    assert visible_nav(page) == spanish_nav


def refused_page_for_analyst() -> str:
    name = CASE_WORKER_PAGE if CASE_WORKER_PAGE in authz.ROUTE_RULES else FALLBACK_REFUSED_PAGE
    try:
        return reverse(name)
    except NoReverseMatch:
        return reverse(FALLBACK_REFUSED_PAGE)


def test_analyst_is_refused_a_case_worker_page(page: Any) -> None:
    analyst = UserFactory(role=Role.ANALYST)
    url = refused_page_for_analyst()
    sign_in(page, analyst)
    expect(page.locator("nav#main-nav")).to_be_visible()

    response = page.goto(url)

    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Acceso denegado")
    expect(page.locator("main")).to_contain_text("Su rol no le da acceso a esta página.")
    expect(page.locator(f'nav#main-nav a[href="{url}"]')).to_have_count(0)


def test_coordinator_must_enrol_a_second_factor_before_anything_else(page: Any) -> None:
    coordinator = UserFactory(role=Role.COORDINATOR)
    sign_in(page, coordinator)

    setup_url = re.compile(re.escape(reverse("accounts:mfa_setup")) + "$")
    expect(page).to_have_url(setup_url)
    expect(page.locator("nav#main-nav")).to_have_count(0)
    page.goto(reverse("core:home"))
    expect(page).to_have_url(setup_url)  # no way round the second factor

    secret = page.locator("[data-testid=totp-secret]").inner_text().strip()
    code = f"{totp(base64.b32decode(secret)):06d}"
    page.get_by_label("Código de seis dígitos de su aplicación de autenticación").fill(code)
    page.get_by_role("button", name="Confirmar").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("core:home")) + "$"))
    expect(page.get_by_role("status")).to_contain_text(
        "La autenticación de dos factores ya está activa."
    )
    expect(page.locator('nav#main-nav [data-nav="core:home"]')).to_have_text("Inicio")
    assert TOTPDevice.objects.filter(user=coordinator, confirmed=True).count() == 1


def _focused(page: Any) -> dict[str, str]:
    return dict(
        page.evaluate(
            "() => ({id: document.activeElement.id, cls: document.activeElement.className,"
            " text: document.activeElement.textContent.trim()})"
        )
    )


_FIRST_TABBABLE = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])';
  const first = [...document.querySelectorAll(selector)].find(el => !el.disabled);
  return first ? first.className : null;
}"""


def test_sign_in_with_the_keyboard_alone(page: Any) -> None:
    worker = UserFactory(role=Role.CASE_WORKER)
    page.goto(reverse("accounts:login"))
    assert page.evaluate(_FIRST_TABBABLE) == "skip-link"
    assert _focused(page)["id"] == "id_username", "the sign-in page starts in the username field"

    # An empty submission: each error is next to its field and tied to it for screen readers.
    page.keyboard.press("Enter")
    expect(page.get_by_label("Nombre de usuario")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Contraseña")).to_have_attribute("aria-invalid", "true")
    for field_id in ("id_username", "id_password"):
        described_by = page.locator(f"#{field_id}").get_attribute("aria-describedby") or ""
        assert f"{field_id}_error" in described_by.split()
        error = page.locator(f".field:has(#{field_id}) #{field_id}_error")
        expect(error).to_have_text("Este campo es obligatorio.")
        expect(error).to_have_attribute("role", "alert")

    assert _focused(page)["id"] == "id_username"
    page.keyboard.type(worker.username)
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "id_password"
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(reverse("core:home")) + "$"))

    # On a page without a starting field, the first Tab reaches the skip link, which is then
    # visible and moves focus past the header to the page's own controls.
    page.goto(reverse("accounts:profile"))
    page.keyboard.press("Tab")
    assert _focused(page) == {"id": "", "cls": "skip-link", "text": "Saltar al contenido principal"}
    skip_box = page.locator(".skip-link").bounding_box()
    assert skip_box is not None and skip_box["x"] >= 0 and skip_box["y"] >= 0, (
        "the focused skip link is on screen"
    )
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "main"
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "id_name", (
        "Tab after the skip link goes to the first field of the page"
    )


def _assert_no_horizontal_scroll(page: Any, name: str) -> None:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS_DIR / f"phone-{name}.png", full_page=True)
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert widths["scroll"] <= widths["client"], (
        f"{name}: the page scrolls sideways at phone width ({widths})"
    )


@pytest.mark.parametrize("width", [375, 320])
def test_usable_at_phone_width(new_page: Callable[..., Any], width: int) -> None:
    """375 px is a common phone; 320 px is the narrowest WCAG 1.4.10 (reflow) asks for."""
    auditor = UserFactory(role=Role.AUDITOR, username="auditora.prueba.con.un.nombre.largo")
    page = new_page(viewport={"width": width, "height": 740})

    page.goto(reverse("accounts:login"))
    _assert_no_horizontal_scroll(page, f"login-{width}")
    sign_in(page, auditor)
    expect(page.locator("nav#main-nav")).to_be_visible()
    _assert_no_horizontal_scroll(page, f"home-{width}")
    page.goto(reverse("accounts:profile"))
    _assert_no_horizontal_scroll(page, f"profile-{width}")
    page.goto(reverse("audit:entry_list"))
    expect(page.locator("table.data tbody tr").first).to_be_visible()
    _assert_no_horizontal_scroll(page, f"audit-{width}")
    response = page.goto(reverse("admin:index"))
    assert response is not None and response.status == 403
    _assert_no_horizontal_scroll(page, f"forbidden-{width}")


# Checks a page can fail without a full audit tool: what a screen-reader or keyboard user needs first.
_BASIC_A11Y_PROBLEMS = """() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push('html has no lang');
  if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
  const controls = document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea');
  for (const el of controls) {
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!named) problems.push(`unlabelled ${el.tagName.toLowerCase()} ${el.name || el.id}`);
    const describedBy = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
    for (const id of describedBy) {
      if (!document.getElementById(id) && el.getAttribute('aria-invalid') === 'true') {
        problems.push(`${el.name}: aria-describedby points at missing #${id}`);
      }
    }
  }
  for (const el of document.querySelectorAll('button, a[href]')) {
    if (!(el.innerText || el.getAttribute('aria-label') || el.title || '').trim()) {
      problems.push(`nameless ${el.tagName.toLowerCase()} ${el.outerHTML.slice(0, 60)}`);
    }
  }
  for (const label of document.querySelectorAll('label[for]')) {
    if (!document.getElementById(label.htmlFor)) problems.push(`label "${label.textContent.trim()}" is for nothing`);
  }
  const groups = {};
  for (const el of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
    (groups[el.name] = groups[el.name] || []).push(el);
  }
  for (const [name, members] of Object.entries(groups)) {
    const fieldset = members[0].closest('fieldset');
    if (members.length > 1 && !(fieldset && fieldset.querySelector('legend'))) {
      problems.push(`options of ${name} are not grouped under a legend`);
    }
  }
  for (const img of document.querySelectorAll('img:not([alt])')) problems.push(`img without alt ${img.src}`);
  return problems;
}"""


def _check_page(page: Any, name: str) -> None:
    _assert_no_horizontal_scroll(page, name)
    problems = page.evaluate(_BASIC_A11Y_PROBLEMS)
    assert not problems, f"{name}: {problems}"


@pytest.mark.parametrize(
    "role",
    [
        Role.CASE_WORKER,
        Role.INVESTIGATOR,
        Role.PROSECUTOR,
        Role.ANALYST,
        Role.AUDITOR,
        Role.COORDINATOR,
        Role.PARTNER_LIAISON,
    ],
)
def test_every_page_in_a_roles_navigation_fits_a_phone(
    new_page: Callable[..., Any], role: str
) -> None:
    """Each page a role can reach from its navigation: no sideways scrolling at 375 px, labelled
    controls, one h1. New apps' pages are covered as soon as they join the navigation."""
    user = UserFactory(role=role)
    page = new_page(viewport={"width": 375, "height": 740})
    if user.mfa_required:
        sign_in_with_second_factor(page, user)
    else:
        sign_in(page, user)
    expect(page.locator("nav#main-nav")).to_be_visible()
    links = page.locator("nav#main-nav a[data-nav]").evaluate_all(
        "els => els.map(e => [e.dataset.nav, e.getAttribute('href')])"
    )
    assert links, "the role has a navigation"
    # The navigation pages, then the pages they link to from their content (forms such as "new
    # agreement"), each once.
    queue = [href for _name, href in links]
    seen: set[str] = set()
    while queue and len(seen) < 40:
        href = queue.pop(0)
        if href in seen:
            continue
        seen.add(href)
        # Same cookies as the page; files (CSV, XLSX, PDF, JSON) are not pages to look at.
        probe = page.request.get(href)
        assert probe.status == 200, f"{href} answered {probe.status}"
        if not probe.headers.get("content-type", "").startswith("text/html"):
            continue
        response = page.goto(href)
        assert response is not None and response.status == 200, (
            f"{href} answered {response and response.status}"
        )
        _check_page(page, f"{role}-{href.strip('/').replace('/', '-') or 'home'}")
        if href in {h for _name, h in links}:
            queue += page.locator("main a[href^='/']:not([download])").evaluate_all(
                "els => els.map(e => e.getAttribute('href').split('#')[0].split('?')[0])"
            )

"""The case registry in a real browser: a case worker registers a case with a victim, a suspect,
two route events and a form of exploitation through the forms; finds it again by the victim's
surname typed without accents; an analyst of another institution then sees the case with the
victim's identity masked, and cannot find it by the victim's name.

Data is committed (transactional database) because the live server reads it from another thread.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import InstitutionFactory, UserFactory
from alianza.cases.models import Case
from alianza.cases.reference import reference_data_load
from tests.browser.conftest import _unavailable

try:
    from playwright.sync_api import expect

    from tests.browser.helpers import sign_in_verified
except ImportError:  # pragma: no cover - the dev extra installs it
    _unavailable("the playwright package is not installed (pip install -e '.[dev]').")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Synthetic people: invented names with the accents and tilde that records often lose.
VICTIM_GIVEN, VICTIM_FIRST, VICTIM_SECOND = "Rosa Ñusta", "Quispé", "Ñáñez"
SUSPECT_GIVEN, SUSPECT_FIRST = "Hugo Efraín", "Tárqui"


def add_person(page: Any, *, role: str, given: str, first: str, second: str = "", sex: str,
               extra: Callable[[Any], None] | None = None) -> None:
    page.get_by_role("link", name="Agregar una persona").click()
    page.locator("#id_role").select_option(role)
    page.locator("#id_given_names").fill(given)
    page.locator("#id_first_surname").fill(first)
    if second:
        page.locator("#id_second_surname").fill(second)
    page.locator("#id_sex").select_option(sex)
    if extra is not None:
        extra(page)
    page.get_by_role("button", name="Agregar la persona").click()
    expect(page.locator(".messages")).to_contain_text("Se agregó la persona al caso")


def add_route_event(page: Any, *, event_type: str, country: str, city: str, fill: Callable[[Any], None] | None = None) -> None:
    page.get_by_role("link", name="Agregar un evento de la ruta").click()
    page.locator("#id_event_type").select_option(event_type)
    page.locator("#id_country").fill(country)
    page.locator("#id_city").fill(city)
    if fill is not None:
        fill(page)
    page.get_by_role("button", name="Agregar el evento").click()
    expect(page.locator(".messages")).to_contain_text("Se agregó el evento de la ruta")


def test_case_worker_registers_finds_and_analyst_sees_it_masked(new_page: Callable[..., Any]) -> None:
    reference_data_load()
    ngo = InstitutionFactory(name="Fundación Sintética Warmi")
    worker = UserFactory(role=Role.CASE_WORKER, institution=ngo)
    analyst = UserFactory(role=Role.ANALYST, institution=InstitutionFactory(name="Unidad Sintética de Estadística"))

    page = new_page()
    sign_in_verified(page, worker)
    nav = page.get_by_role("navigation", name="Navegación principal")
    nav.get_by_role("link", name="Nuevo caso").click()
    page.locator("#id_crime_type").select_option("trafficking")
    page.locator("#id_reported_on").fill("2024-08-12")
    page.locator("#id_first_incident_on").fill("2024-06")
    page.locator("#id_department").select_option("BO-L")
    page.locator("#id_municipality").fill("El Alto")
    page.locator("#id_source").select_option("complaint")
    page.locator("#id_narrative").fill("Captada con una oferta de empleo en una peña; trasladada a Buenos Aires.")
    page.get_by_role("checkbox", name="Explotación sexual").check()
    page.get_by_role("button", name="Registrar el caso").click()
    expect(page.locator(".messages")).to_contain_text("Se registró el caso")
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get(owner_institution=ngo)

    def victim_details(p: Any) -> None:
        p.locator("#id_birth_date").fill("2007-03-09")
        p.locator("#id_citizenships").fill("Bolivia")
        p.locator("#id_document_type").select_option("CI")
        p.locator("#id_document_number").fill("8123456 LP")
        p.locator("#id_trafficking_status").select_option("ActualVictimOfTrafficking")
        p.locator("fieldset", has_text="Formas de explotación").get_by_role("checkbox", name="Explotación sexual").check()

    add_person(page, role="victim", given=VICTIM_GIVEN, first=VICTIM_FIRST, second=VICTIM_SECOND, sex="F", extra=victim_details)
    add_person(page, role="suspect", given=SUSPECT_GIVEN, first=SUSPECT_FIRST, sex="M",
               extra=lambda p: p.get_by_role("checkbox", name="Captador/a o intermediario/a").check())
    add_route_event(page, event_type="Recruitment", country="BOL", city="El Alto",
                    fill=lambda p: (p.locator("#id_department").select_option("BO-L"), p.locator("#id_date").fill("2024-06")))
    add_route_event(page, event_type="Exploitation", country="Argentina", city="Buenos Aires",
                    fill=lambda p: p.locator("#id_transport_mode").select_option("Bus"))

    people = page.locator("section[aria-labelledby=participants-heading]")
    expect(people).to_contain_text(f"{VICTIM_GIVEN} {VICTIM_FIRST} {VICTIM_SECOND}")
    expect(people).to_contain_text(f"{SUSPECT_GIVEN} {SUSPECT_FIRST}")
    expect(people).to_contain_text("Edad al momento de la trata: 17")  # born 2007-03, recruited 2024-06
    route = page.locator("ol.route-timeline li")
    expect(route).to_have_count(2)
    expect(route.nth(0)).to_contain_text("Origen")
    expect(route.nth(1)).to_contain_text("Destino")
    expect(route.nth(1)).to_contain_text("ARG")
    expect(people).to_contain_text("Rol en el proceso: Captador/a o intermediario/a.")  # the label, not the HTCDS code
    # The remove buttons can be seen: they once had the header's white text on the white page.
    for button in page.locator("main").get_by_role("button", name="Quitar").all():
        assert button.evaluate("b => getComputedStyle(b).color") != "rgb(255, 255, 255)"
    expect(page.locator("main").get_by_role("button", name="Quitar")).to_have_count(4)

    # Found by the victim's surname typed without accents, tilde or capitals, and not by another.
    nav.get_by_role("link", name="Casos", exact=True).click()
    search = page.get_by_role("searchbox", name="Buscar")
    for query in ("quispe", "NANEZ", "rosa nusta quispe"):
        search.fill(query)
        page.locator("form[role=search]").get_by_role("button", name="Buscar").click()
        expect(page.locator("#case-table tbody")).to_contain_text(case.reference)
        expect(page.locator("#case-table caption")).to_have_text("1 caso")
    search.fill("mamani")
    page.locator("form[role=search]").get_by_role("button", name="Buscar").click()
    expect(page.locator("#case-table tbody")).to_contain_text("Ningún caso coincide")

    # The analyst sees the case, its route and forms of exploitation, never who the victim is.
    analyst_page = new_page()
    sign_in_verified(analyst_page, analyst)
    analyst_page.goto(reverse("cases:case_detail", args=[case.pk]))
    main = analyst_page.locator("main")
    expect(main.locator("h1")).to_contain_text(case.reference)
    expect(main).to_contain_text("Explotación sexual")
    masked = main.locator("section[aria-labelledby=participants-heading] span.masked")
    expect(masked).to_have_text(["Persona sospechosa 1", "Víctima 1"])
    expect(main).to_contain_text("(identidad no visible para su rol)")
    for name in (VICTIM_FIRST, VICTIM_SECOND, "Quispe", "Nanez", "Rosa", "8123456"):
        expect(main).not_to_contain_text(name)
    expect(main.locator("a[href*='/people/']")).to_have_count(0)
    # A name search must not reveal who is in a case, even with the accents right.
    analyst_page.goto(reverse("cases:case_list") + "?q=Quisp%C3%A9")
    expect(analyst_page.locator("#case-table tbody")).not_to_contain_text(case.reference)

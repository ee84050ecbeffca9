"""Victim protection in a real browser: consent, support plan, a referral to another
institution's shelter, what the receiving institution sees, and the overdue alert once the
first-contact deadline has passed (the test moves the clock with time-machine).

Data is committed (transactional database) because the live server reads it from another thread.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import TEST_PASSWORD, InstitutionFactory, UserFactory
from alianza.cases.tests.factories import CaseFactory, ParticipationFactory, PersonFactory
from alianza.protection.models import Referral
from alianza.protection.tests.factories import ServiceProviderFactory
from tests.browser.conftest import _unavailable

try:
    import time_machine
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extra installs them
    _unavailable("playwright and time-machine are needed (pip install -e '.[dev]').")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, user: Any) -> None:
    page.goto(reverse("accounts:login"))
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


def test_consent_plan_referral_acceptance_and_overdue_alert(new_page: Callable[..., Any]) -> None:
    owner = InstitutionFactory(name="Fundación Sintética de Apoyo")
    worker = UserFactory(role=Role.CASE_WORKER, institution=owner)
    shelter_institution = InstitutionFactory(name="Red Sintética de Albergues")
    shelter_worker = UserFactory(role=Role.CASE_WORKER, institution=shelter_institution)
    shelter = ServiceProviderFactory(
        institution=shelter_institution, name="Albergue Sintético Illimani"
    )
    person = PersonFactory(
        owner_institution=owner,
        given_names="Rosa Elena",
        first_surname="Quispeticona",
        birth_date="1998-05-04",
        citizenships=["BOL"],
    )
    victim = ParticipationFactory(case=CaseFactory(owner_institution=owner), person=person)

    page = new_page()
    sign_in(page, worker)
    page.goto(reverse("protection:victim_detail", args=[victim.pk]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quispeticona")

    # Referring without consent is refused with a message saying what to do.
    page.get_by_role("link", name="Derivar a la persona").click()
    page.locator("#id_to_provider").select_option(label=str(shelter))
    page.locator("input[name=granted][value=sex_and_age]").check()
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("alert")).to_contain_text("no ha dado su consentimiento")

    # Consent for support.
    page.goto(reverse("protection:victim_detail", args=[victim.pk]))
    page.get_by_role("link", name="Registrar consentimiento").click()
    page.locator("#id_purpose").select_option("support")
    page.locator("#id_given_on").fill(timezone.localdate().isoformat())
    page.locator("#id_informed_of_withdrawal").check()
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator("#consents")).to_contain_text("vigente")

    # A support plan with a first action.
    page.get_by_role("link", name="Nuevo plan de asistencia").click()
    page.locator("#id_plan_type").select_option("SocialCare")
    page.locator("#id_objectives").fill("Alojamiento seguro y acompañamiento psicosocial")
    page.locator("#id_first_action").fill("Ingreso al albergue")
    page.locator("#id_first_action_on").fill(
        (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    )
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator("article.plan")).to_contain_text("Alojamiento seguro")

    # The referral to the other institution's shelter, sharing sex and age only.
    page.get_by_role("link", name="Derivar a la persona").click()
    page.locator("#id_to_provider").select_option(label=str(shelter))
    page.locator("input[name=granted][value=sex_and_age]").check()
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator(".messages")).to_contain_text("Derivación propuesta")
    referral = Referral.objects.get()

    # The shelter's case worker accepts it and sees only what it grants.
    receiver = new_page()
    sign_in(receiver, shelter_worker)
    receiver.goto(reverse("protection:dashboard"))
    receiver.get_by_role("link", name=f"Derivación n.º {referral.pk}").click()
    receiver.get_by_role("button", name="Aceptar").click()
    expect(receiver.locator("#referral-state")).to_have_text("Aceptada")
    shared = receiver.locator("#shared-fields")
    expect(shared.locator("[data-grant]")).to_have_count(1)
    expect(shared.locator("[data-grant=sex_and_age]")).to_contain_text("Mujer")
    expect(receiver.locator("main")).not_to_contain_text("Quispeticona")
    expect(receiver.locator("main")).not_to_contain_text("Rosa Elena")

    # No alert before the deadline; after 72 hours without first contact, the alert appears.
    page.goto(reverse("protection:dashboard"))
    expect(page.locator("#overdue-referrals [role=alert]")).to_have_count(0)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=73), tick=True):
        page.goto(reverse("protection:dashboard"))
        if "/accounts/login/" in page.url:  # the session has timed out meanwhile
            sign_in(page, worker)
            page.goto(reverse("protection:dashboard"))
        alert = page.locator(f"#overdue-referrals [role=alert][data-referral='{referral.pk}']")
        expect(alert).to_be_visible()
        expect(alert).to_contain_text("Sin primer contacto")

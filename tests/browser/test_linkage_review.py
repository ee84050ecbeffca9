"""The linkage review queue in a real browser: a reviewer confirms one candidate pair and rejects
another, and the person page then shows the merged person.

The registry run scores chosen pairs (the `scores` stand-in for the engine, so the pairs land in
the review band whatever the engine's tuning); everything after it goes through the UI. Data is
committed (transactional database) because the live server reads it from another thread.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from alianza.audit.models import AuditEntry
from alianza.cases.models import CaseShare
from alianza.linkage import services
from alianza.linkage.models import CandidatePair, PairStatus
from alianza.linkage.tests.world import World, scores, world  # noqa: F401
from alianza.people.choices import ParticipationRole
from tests.browser.conftest import _unavailable

try:
    from playwright.sync_api import expect

    from tests.browser.helpers import sign_in_verified
except ImportError:  # pragma: no cover - the dev extra installs it
    _unavailable("the playwright package is not installed (pip install -e '.[dev]').")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_confirms_one_pair_rejects_another_and_sees_the_merged_person(
    page: Any, world: World, scores: Any  # noqa: F811 - fixtures
) -> None:
    # The police and an NGO recorded the same woman; the NGO shares its victims' identities with
    # the police, so the reviewer may see both records.
    police = world.person(world.police_case, given_names="Rosa Elena", first_surname="Quispe", second_surname="Mamani",
                          birth_date="1996-04-12", document="4567890 LP")  # fmt: skip
    ngo = world.person(world.ngo_case, given_names="Rosa", first_surname="Quispe", second_surname="",
                       birth_date="1996-04-12", document="4567890")  # fmt: skip
    for category in ("victim_identity", "case_summary"):
        CaseShare.objects.create(case=world.ngo_case, institution=world.police, category=category)
    # Two different women with similar names, both in police cases.
    juana = world.person(world.police_case, given_names="Juana", first_surname="Condori", second_surname="Apaza",
                         birth_date="1988-02-03")  # fmt: skip
    other = world.person(world.police_case, role=ParticipationRole.WITNESS, given_names="Juana", first_surname="Condori",
                         second_surname="Choque", birth_date="1983-11-30")  # fmt: skip
    scores.update({(police.pk, ngo.pk): 0.93, (juana.pk, other.pk): 0.41})
    services.linkage_run()
    to_confirm = CandidatePair.objects.get(left_id=min(police.pk, ngo.pk))
    to_reject = CandidatePair.objects.get(left_id=min(juana.pk, other.pk))

    sign_in_verified(page, world.investigator)
    page.locator('nav#main-nav a[data-nav="linkage:review_queue"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revisión de vinculación")
    rows = page.locator("#pair-table tbody tr[data-pair]")
    expect(rows).to_have_count(2)
    expect(page.locator("#pair-table")).not_to_contain_text("Rosa")  # the list names nobody

    # The most likely pair comes first; its page shows both records side by side, field by field.
    page.get_by_role("link", name=f"Revisar el par {to_confirm.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Par candidato {to_confirm.pk}")
    fields = page.locator("#field-table")
    expect(fields.locator('tr[data-field="given_names"]')).to_contain_text("Rosa Elena")
    expect(fields.locator('tr[data-field="given_names"]')).to_contain_text("Coincidencia fuerte")
    expect(fields.locator('tr[data-field="document"] td').nth(0)).to_contain_text("4567890")
    expect(fields).to_contain_text("Peso inicial")
    page.get_by_role("button", name="Confirmar: misma persona").click()

    # Confirming moves on to the next pair awaiting review; this one is rejected with the keyboard.
    expect(page.locator(".messages")).to_contain_text("Confirmado: los dos registros son ahora una sola persona.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Par candidato {to_reject.pk}")
    reject = page.get_by_role("button", name="Rechazar: personas distintas")
    reject.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Rechazado: los dos registros siguen siendo personas distintas.")
    expect(page).to_have_url(re.compile(re.escape(reverse("linkage:review_queue")) + "$"))
    expect(page.locator("#pair-table")).to_contain_text("No hay pares aquí.")
    page.get_by_role("link", name=re.compile("^Confirmado")).click()
    expect(page.locator(f'#pair-table tr[data-pair="{to_confirm.pk}"]')).to_have_count(1)

    # The person page shows the merged person: the NGO's record and its case.
    page.goto(reverse("people:person_detail", args=[police.pk]))
    same = page.locator("#same-person")
    expect(same.get_by_role("heading", level=2)).to_have_text("La misma persona en otros registros")
    expect(same).to_contain_text("Rosa Quispe")
    expect(same).to_contain_text(world.ngo_case.reference)
    expect(same).to_contain_text(world.ngo.short_name)
    # The rejected pair stays two persons.
    page.goto(reverse("people:person_detail", args=[juana.pk]))
    expect(page.locator("#same-person")).to_have_count(0)

    to_confirm.refresh_from_db()
    to_reject.refresh_from_db()
    assert (to_confirm.status, to_reject.status) == (PairStatus.CONFIRMED, PairStatus.REJECTED)
    assert set(AuditEntry.objects.filter(object_type="linkage.candidatepair").values_list("action", flat=True)) == {
        "linkage.pair_confirm", "linkage.pair_reject",
    }  # fmt: skip

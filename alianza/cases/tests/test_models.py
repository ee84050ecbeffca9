from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from alianza.cases.choices import CrimeType, LegalArticle, Vocabulary
from alianza.cases.models import BorderCrossing, ReferenceTerm
from alianza.cases.tests.factories import CaseFactory


@pytest.mark.django_db
def test_database_refuses_a_trafficking_case_filed_under_the_smuggling_article() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory(crime_type=CrimeType.TRAFFICKING, legal_article=LegalArticle.SMUGGLING_321_BIS)
    CaseFactory(crime_type=CrimeType.SMUGGLING, legal_article=LegalArticle.SMUGGLING_321_BIS)


@pytest.mark.django_db
def test_loadreference_is_idempotent_and_keeps_the_administrators_edits(capsys: Any) -> None:
    call_command("loadreference")
    count = ReferenceTerm.objects.count()
    assert ReferenceTerm.objects.filter(vocabulary=Vocabulary.EXPLOITATION_FORM, code="organ_removal").exists()
    assert ReferenceTerm.objects.filter(vocabulary=Vocabulary.EXPLOITATION_FORM, code="slavery").exists()
    assert BorderCrossing.objects.filter(code="desaguadero", neighbour_country="PER").exists()
    ReferenceTerm.objects.filter(code="organ_removal").update(label_en="Removal of organs")
    call_command("loadreference")
    assert ReferenceTerm.objects.count() == count
    assert ReferenceTerm.objects.get(code="organ_removal").label_en == "Removal of organs"
    call_command("loadreference", "--overwrite")
    assert ReferenceTerm.objects.get(code="organ_removal").label_en == "Organ removal"


def test_every_term_maps_to_an_htcds_value() -> None:
    from pathlib import Path

    tsv = Path("/work/shared/reference/htcds-2.0-fields.tsv")
    if not tsv.exists():
        pytest.skip("the HTCDS field list is not available here")
    from alianza.cases.reference import VOCABULARY_FILES, _rows

    text = tsv.read_text("utf-8")
    for filename in VOCABULARY_FILES.values():
        for row in _rows(filename):
            assert row["htcds_value"] in text, row

"""A small registry for the platform-linkage tests: three institutions, their reviewers, cases
and synthetic persons; and `scores`, a stand-in for the engine that scores chosen pairs.

The stand-in lets tests state exactly which pairs score what, so that thresholds, re-runs and
decisions are tested without depending on the engine's tuning (tested in test_engine.py); a few
tests run the real engine end to end.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest

from alianza.accounts.models import Institution, User
from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import InstitutionFactory, UserFactory
from alianza.cases.choices import Sensitivity
from alianza.cases.models import Case
from alianza.cases.tests.factories import CaseFactory, ParticipationFactory, PersonFactory
from alianza.linkage import services
from alianza.linkage.engine import LinkResult, default_model
from alianza.people.choices import ParticipationRole
from alianza.people.models import IdentityDocument, Person


def verified(user: User) -> User:
    """As django-otp marks a user who passed the second factor."""
    user.is_verified = lambda: True  # type: ignore[method-assign]
    return user


@dataclass
class World:
    police: Institution
    ngo: Institution
    ministry: Institution
    investigator: User  # police
    ngo_investigator: User
    coordinator: User  # ministry, national scope
    analyst: User
    police_case: Case
    ngo_case: Case
    restricted_case: Case  # the NGO's, restricted

    def person(
        self, case: Case, *, role: str = ParticipationRole.VICTIM, document: str = "", **fields: Any
    ) -> Person:
        defaults: dict[str, Any] = {
            "given_names": "Rosa Elena", "first_surname": "Quispe", "second_surname": "Mamani",
            "birth_date": "1996-04-12", "citizenships": ["BOL"], "sex": "F",
        }  # fmt: skip
        person = PersonFactory(owner_institution=case.owner_institution, **{**defaults, **fields})
        if document:
            IdentityDocument.objects.create(
                person=person, document_type="CI", issuing_country="BOL", number_as_entered=document,
                number_normalized="".join(c for c in document if c.isdigit()),
            )  # fmt: skip
        ParticipationFactory(case=case, person=person, role=role)
        return person


@pytest.fixture
def world(db: Any) -> World:
    services._pending_ids().clear()  # ids left by earlier tests' rolled-back transactions
    police = InstitutionFactory(name="Policía Sintética", short_name="POL")
    ngo = InstitutionFactory(name="Fundación Sintética", short_name="FUN")
    ministry = InstitutionFactory(name="Ministerio Sintético", short_name="MIN")
    return World(
        police=police, ngo=ngo, ministry=ministry,
        investigator=UserFactory(role=Role.INVESTIGATOR, institution=police),
        ngo_investigator=UserFactory(role=Role.INVESTIGATOR, institution=ngo),
        coordinator=verified(UserFactory(role=Role.COORDINATOR, institution=ministry)),
        analyst=UserFactory(role=Role.ANALYST, institution=ministry),
        police_case=CaseFactory(owner_institution=police),
        ngo_case=CaseFactory(owner_institution=ngo),
        restricted_case=CaseFactory(owner_institution=ngo, sensitivity=Sensitivity.RESTRICTED),
    )  # fmt: skip


Scores = dict[tuple[int, int], float]


@pytest.fixture
def scores(monkeypatch: pytest.MonkeyPatch) -> Scores:
    """Pairs of person ids → match probability; the registry run scores exactly these."""
    table: Scores = {}

    def fake_dedupe(records: pd.DataFrame, *, threshold: float, explain: bool = False,
                    progress: Callable[[str], None] | None = None, **_: Any) -> LinkResult:  # fmt: skip
        present = set(records["record_id"])
        rows = []
        for (a, b), probability in table.items():
            if probability >= threshold and str(a) in present and str(b) in present:
                weight = math.log2(probability / (1 - probability)) if probability < 1 else 40.0
                rows.append({
                    "left_id": str(b), "right_id": str(a), "match_probability": probability, "match_weight": weight,
                    "prior": -10.0, "surnames": 4.0, "given_names": weight + 10.0 - 4.0 + 2.0,
                    "birth_date": -2.0, "document": 0.0,
                })  # fmt: skip
        columns = ["left_id", "right_id", "match_probability", "match_weight", "prior", "surnames", "given_names",
                   "birth_date", "document"]  # fmt: skip
        explanation = pd.DataFrame(rows, columns=columns)
        return LinkResult(pairs=explanation[columns[:3]], model=default_model(), explanation=explanation)

    monkeypatch.setattr(services, "dedupe", fake_dedupe)
    return table

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from alianza.accounts.models import Institution, User
from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import InstitutionFactory, UserFactory
from alianza.cases.tests.factories import CaseFactory, ParticipationFactory, PersonFactory
from alianza.people.models import Participation
from alianza.protection.choices import ServiceKind
from alianza.protection.models import ServiceProvider
from alianza.protection.tests.factories import ServiceProviderFactory


@dataclass
class World:
    owner: Institution
    worker: User
    shelter_institution: Institution
    shelter_worker: User
    shelter: ServiceProvider
    defensoria: ServiceProvider
    defensoria_worker: User
    victim: Participation
    child: Participation
    outsider: User
    coordinator: User


@pytest.fixture
def world(db: Any) -> World:
    owner = InstitutionFactory(name="Fundación de prueba (sintética)")
    shelter_inst = InstitutionFactory(name="Albergue de prueba (sintético)")
    dna = InstitutionFactory(name="Defensoría de la Niñez de prueba", type="LocalGovernmentOrganisation")
    case = CaseFactory(owner_institution=owner)
    adult = PersonFactory(owner_institution=owner, birth_date="1995-04-02", citizenships=["BOL"])
    minor = PersonFactory(owner_institution=owner, birth_date="2012", citizenships=["BOL"])
    return World(
        owner=owner,
        worker=UserFactory(role=Role.CASE_WORKER, institution=owner),
        shelter_institution=shelter_inst,
        shelter_worker=UserFactory(role=Role.CASE_WORKER, institution=shelter_inst),
        shelter=ServiceProviderFactory(institution=shelter_inst, name="Casa de acogida de prueba"),
        defensoria=ServiceProviderFactory(institution=dna, name="DNA de prueba", kind=ServiceKind.CHILD_PROTECTION,
                                          beds=None, occupied_beds=0),
        defensoria_worker=UserFactory(role=Role.CASE_WORKER, institution=dna),
        victim=ParticipationFactory(case=case, person=adult),
        child=ParticipationFactory(case=case, person=minor),
        outsider=UserFactory(role=Role.CASE_WORKER, institution=InstitutionFactory()),
        coordinator=UserFactory(role=Role.COORDINATOR, institution=InstitutionFactory()),
    )


@pytest.fixture(autouse=True)
def _verified(monkeypatch: Any) -> None:
    # Services take users straight from the tests; treat them as past their second factor.
    monkeypatch.setattr(User, "is_verified", lambda self: True, raising=False)

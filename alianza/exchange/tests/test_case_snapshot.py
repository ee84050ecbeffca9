"""The adapter from the case registry: what a liaison may see of a case, consents, provenance."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from alianza.cases.tests.factories import (
    CaseFactory,
    ParticipationFactory,
    PersonFactory,
    RouteEventFactory,
)
from alianza.exchange import services
from alianza.exchange.case_snapshot import case_snapshot
from alianza.exchange.models import ReceivedRecord
from alianza.exchange.tests.conftest import Partner
from alianza.exchange.tests.test_services import _from_partner
from alianza.people.choices import ParticipationRole
from alianza.protection.choices import ConsentPurpose
from alianza.protection.models import Consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(liaison: Any) -> Any:
    case = CaseFactory(owner_institution=liaison.institution, narrative="Relato con el nombre de Juana Mamani")
    consenting = ParticipationFactory(
        case=case, person=PersonFactory(given_names="Juana", birth_date="2010-02-01", owner_institution=liaison.institution)
    )
    Consent.objects.create(participation=consenting, purpose=ConsentPurpose.SHARE_WITH_PARTNER,
                           partner_country="PER", given_on=dt.date(2024, 3, 20), recorded_by=liaison)
    ParticipationFactory(case=case, person=PersonFactory(given_names="Luz", owner_institution=liaison.institution))
    ParticipationFactory(case=case, role=ParticipationRole.SUSPECT,
                         person=PersonFactory(given_names="Rolando", sex="M", owner_institution=liaison.institution))
    RouteEventFactory(case=case, position=1, event_type="Recruitment", country="BOL", city="El Alto")
    RouteEventFactory(case=case, position=2, event_type="Exploitation", country="PER", city="Juliaca")
    return case


def _prepare(liaison: Any, case: Any, partner: Partner, legal_basis: str = "") -> services.PreparedPackage:
    return services.package_prepare(
        acting_user=liaison, snapshot=case_snapshot(acting_user=liaison, case_id=case.pk), partner=partner.node,
        purpose="investigation", source_grading="B", information_grading="2", legal_basis=legal_basis,
    )


def test_a_registry_case_goes_out_under_the_policy(liaison: Any, case: Any, peru: Partner) -> None:
    document = _prepare(liaison, case, peru).document
    content = document["content"]
    assert [v["given_names"] for v in content["victims"]] == ["Juana"]  # only she consented to Peru
    assert [s["given_names"] for s in content["suspects"]] == ["Rolando"]
    assert [step["place"] for step in content["route"]] == ["El Alto", "Juliaca"]
    assert content["statistics"]["victims_by_sex_age"] == {"girls": 1, "unknown": 1}  # Luz has no birth date
    assert "Relato" not in str(document)  # the narrative never leaves


def test_a_person_linked_to_an_h2_record_from_peru_stays_out_of_packages_to_argentina(
    liaison: Any, case: Any, peru: Partner, argentina: Partner
) -> None:
    inbound = services.package_receive(token=_from_partner(peru)).inbound
    assert inbound is not None
    suspect = case.participations.get(role=ParticipationRole.SUSPECT).person
    services.inbound_import(acting_user=liaison, inbound=inbound, links={"S-1": f"person:{suspect.pk}"})
    assert ReceivedRecord.objects.get(record_id="S-1").handling_code == "H2"
    to_argentina = _prepare(liaison, case, argentina, legal_basis="judicial_order")
    assert "suspects" not in to_argentina.document["content"]
    assert [w.reason for w in to_argentina.withheld if w.section == "suspects"] == ["onward_transfer_forbidden"]
    back_to_peru = _prepare(liaison, case, peru)
    assert [s["given_names"] for s in back_to_peru.document["content"]["suspects"]] == ["Rolando"]

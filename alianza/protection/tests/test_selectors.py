from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import UserFactory
from alianza.protection import selectors, services
from alianza.protection.children import victim_is_child, youngest_possible_age
from alianza.protection.choices import (
    ConsentPurpose,
    ReferralGrant,
    ReferralKind,
    ReferralReason,
    ServiceKind,
)
from alianza.protection.tests.factories import ServiceProviderFactory

TODAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    ("birth_date", "age_when_trafficked", "child"),
    [
        ("2008-11-29", None, True),  # 18 tomorrow
        ("2008-11-28", None, False),  # 18 today
        ("2008", None, True),  # may be born in December 2008
        ("2008-10", None, False),  # 18 by the end of October at the latest
        ("2008-11", None, True),
        ("1990", 15, False),
        ("", 15, True),  # nothing shows they have come of age
        ("", 19, False),
        ("", None, False),
    ],
)
def test_child_flag_is_conservative_with_partial_dates(birth_date: str, age_when_trafficked: int | None,
                                                       child: bool) -> None:
    assert victim_is_child(birth_date=birth_date, age_when_trafficked=age_when_trafficked, today=TODAY) is child


def test_youngest_possible_age() -> None:
    assert youngest_possible_age(birth_date="2008", today=TODAY) == 17
    assert youngest_possible_age(birth_date="2000-01-15", today=TODAY) == 26
    assert youngest_possible_age(birth_date="", today=TODAY) is None


@pytest.mark.django_db
def test_provider_filters(world: Any) -> None:
    ServiceProviderFactory(kind=ServiceKind.LEGAL_AID, department="BO-S", beds=None, occupied_beds=0)
    ServiceProviderFactory(name="Solo niñas", max_age=17, accepted_sex="F", accepted_nationalities="BOL,PER",
                           beds=5, occupied_beds=5)
    user = world.worker

    def names(**kwargs: Any) -> set[str]:
        return {p.name for p in selectors.provider_list(acting_user=user, filters=selectors.ProviderFilter(**kwargs))}

    assert "Solo niñas" in names(kind=ServiceKind.SHELTER, age=12, sex="F", nationality="PER")
    assert "Solo niñas" not in names(age=30)
    assert "Solo niñas" not in names(sex="M")
    assert "Solo niñas" not in names(nationality="ARG")
    assert "Solo niñas" not in names(with_free_beds=True)
    assert len(names(department="BO-S")) == 1


@pytest.mark.django_db
def test_overdue_alert_after_the_deadline(world: Any) -> None:
    services.consent_record(acting_user=world.worker, participation=world.victim, purpose=ConsentPurpose.SUPPORT,
                            given_on=TODAY, informed_of_withdrawal=True)
    referral = services.referral_create(
        acting_user=world.worker, participation=world.victim, kind=ReferralKind.NATIONAL,
        reason=ReferralReason.ADDITIONAL_SERVICES, granted=[ReferralGrant.SEX_AND_AGE], to_provider=world.shelter,
    )
    now = timezone.now()
    assert selectors.overdue_referrals(acting_user=world.worker, now=now + dt.timedelta(hours=71)) == []
    later = now + dt.timedelta(hours=73)
    assert [v.referral for v in selectors.overdue_referrals(acting_user=world.worker, now=later)] == [referral]
    assert [v.referral for v in selectors.dashboard(acting_user=world.shelter_worker, now=later).overdue] == [referral]


@pytest.mark.django_db
def test_child_identity_is_for_case_workers_only(world: Any) -> None:
    investigator = UserFactory(role=Role.INVESTIGATOR, institution=world.owner)
    child = selectors.victim_access(acting_user=investigator, participation=world.child)
    adult = selectors.victim_access(acting_user=investigator, participation=world.victim)
    assert child.is_child and not child.identity_visible
    assert adult.identity_visible
    assert selectors.victim_access(acting_user=world.worker, participation=world.child).identity_visible


@pytest.mark.django_db
def test_dashboard_lists_my_victims_and_shelters(world: Any, django_assert_max_num_queries: Any) -> None:
    from alianza.cases.tests.factories import CaseFactory, ParticipationFactory

    for _ in range(8):
        ParticipationFactory(case=CaseFactory(owner_institution=world.owner))
    with django_assert_max_num_queries(8):  # the same with 10 victims as with 2: no query per victim
        board = selectors.dashboard(acting_user=world.worker)
    assert {world.victim, world.child} <= {a.participation for a in board.victims}
    assert len(board.victims) == 10
    assert world.shelter in board.shelters
    assert selectors.dashboard(acting_user=world.outsider).victims == []

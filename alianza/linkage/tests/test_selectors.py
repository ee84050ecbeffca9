"""What reviewers and the person page see of linked records: never more than authz allows."""

from __future__ import annotations

from typing import Any

import pytest

from alianza.accounts.roles import Role
from alianza.accounts.tests.factories import UserFactory
from alianza.audit.models import AuditEntry
from alianza.cases.models import CaseShare
from alianza.core.errors import NotFound
from alianza.linkage import selectors, services
from alianza.linkage.models import CandidatePair
from alianza.linkage.tests.world import World
from alianza.people.choices import ParticipationRole
from alianza.people.selectors import person_get

pytestmark = pytest.mark.django_db


def _pair(a: Any, b: Any) -> CandidatePair:
    return CandidatePair.objects.get(left_id=min(a.pk, b.pk), right_id=max(a.pk, b.pk))


def _reveals() -> list[str]:
    return list(AuditEntry.objects.filter(action="victim_identity.view").values_list("object_id", flat=True))


def test_a_reviewer_sees_values_only_of_records_they_may_identify(world: World, scores: Any) -> None:
    mine = world.person(world.police_case, document="5550001 LP")
    theirs = world.person(world.ngo_case, given_names="Rosa", second_surname="", document="5550001")
    scores[(mine.pk, theirs.pk)] = 0.8
    services.linkage_run()
    detail = selectors.pair_get(acting_user=world.investigator, pair_id=_pair(mine, theirs).pk)
    sides = {detail.left.access.person.pk: detail.left, detail.right.access.person.pk: detail.right}
    assert sides[mine.pk].access.identity_visible and not sides[theirs.pk].access.visible
    ours_on_left = detail.pair.left_id == mine.pk
    by_name = {f.name: f for f in detail.fields}
    given = by_name["given_names"]
    assert (given.left, given.right) == (("Rosa Elena", None) if ours_on_left else (None, "Rosa Elena"))
    assert by_name["document"].left is None or by_name["document"].right is None
    assert all(f.left is None or f.right is None for f in detail.fields)
    assert given.band == "strong-agreement" and by_name["birth_date"].band == "disagreement"
    assert detail.prior == -10.0
    # Showing our victim's identity is a read of victim identity, audited like the person page.
    assert _reveals() == [str(mine.pk)]


def test_the_coordinator_reviews_with_weights_only_and_no_identity_is_read(world: World, scores: Any) -> None:
    a, b = world.person(world.police_case), world.person(world.ngo_case, first_surname="Quispe", document="1")
    scores[(a.pk, b.pk)] = 0.6
    services.linkage_run()
    detail = selectors.pair_get(acting_user=world.coordinator, pair_id=_pair(a, b).pk)
    assert detail.left.access.visible and detail.right.access.visible  # national scope sees the cases...
    assert not detail.left.access.identity_visible and not detail.right.access.identity_visible  # ...not who
    assert all(f.left is None and f.right is None for f in detail.fields)
    assert {f.name for f in detail.fields} == {"surnames", "given_names", "birth_date", "document"}
    assert _reveals() == []
    # The list never shows identities either, and counts the coordinator's pairs.
    row = selectors.pair_rows(acting_user=world.coordinator, pairs=selectors.pair_queue(acting_user=world.coordinator))[0]
    assert row.left.access.label == "Victim 1" and row.agreeing == ["Surnames", "Given names"]
    assert row.disagreeing == ["Date of birth"]
    assert selectors.pair_status_counts(acting_user=world.coordinator)["pending"] == 1


def test_a_child_victim_is_not_named_to_the_reviewer_even_in_their_own_case(world: World, scores: Any) -> None:
    child = world.person(world.police_case, birth_date="2015-02-02")
    other = world.person(world.police_case, birth_date="2015-02-02", first_surname="Quispe", second_surname="")
    scores[(child.pk, other.pk)] = 0.7
    services.linkage_run()
    detail = selectors.pair_get(acting_user=world.investigator, pair_id=_pair(child, other).pk)
    assert not detail.left.access.identity_visible and not detail.right.access.identity_visible
    assert all(f.left is None for f in detail.fields) and _reveals() == []


def test_each_reviewer_has_the_pairs_of_records_they_may_know(world: World, scores: Any) -> None:
    police = world.person(world.police_case)
    ngo = world.person(world.ngo_case)
    secret = world.person(world.restricted_case)
    secret_too = world.person(world.restricted_case, first_surname="Copa")
    scores.update({(police.pk, ngo.pk): 0.7, (ngo.pk, secret.pk): 0.6, (secret.pk, secret_too.pk): 0.5})
    services.linkage_run()
    queue = {u: set(selectors.pair_queue(acting_user=u)) for u in (world.investigator, world.ngo_investigator, world.coordinator)}
    assert queue[world.investigator] == {_pair(police, ngo)}
    assert queue[world.ngo_investigator] == {_pair(police, ngo), _pair(ngo, secret), _pair(secret, secret_too)}
    # National scope never reaches a restricted case: the pair of two restricted records is hidden.
    assert queue[world.coordinator] == {_pair(police, ngo), _pair(ngo, secret)}
    with pytest.raises(NotFound):
        selectors.pair_get(acting_user=world.coordinator, pair_id=_pair(secret, secret_too).pk)
    assert list(selectors.pair_queue(acting_user=world.analyst)) == []
    # A share of victim identities lets the police see the NGO's record too.
    CaseShare.objects.create(case=world.ngo_case, institution=world.police, category="victim_identity")
    CaseShare.objects.create(case=world.ngo_case, institution=world.police, category="case_summary")
    detail = selectors.pair_get(acting_user=world.investigator, pair_id=_pair(police, ngo).pk)
    assert detail.left.access.identity_visible and detail.right.access.identity_visible
    assert all(f.left is not None and f.right is not None for f in detail.fields)


def test_the_person_page_shows_the_merged_person_as_far_as_the_viewer_may_see(world: World, scores: Any) -> None:
    police = world.person(world.police_case, document="5550002 LP")
    police_again = world.person(world.police_case, role=ParticipationRole.WITNESS, given_names="Rosa")
    ngo = world.person(world.ngo_case, given_names="Rosa", second_surname="")
    elsewhere = world.person(world.restricted_case)
    scores.update({(police.pk, police_again.pk): 0.999, (police.pk, ngo.pk): 0.7, (ngo.pk, elsewhere.pk): 0.995})
    services.linkage_run()
    services.pair_confirm(acting_user=world.investigator, pair_id=_pair(police, ngo).pk)
    detail = person_get(acting_user=world.investigator, person_id=police.pk)
    assert [a.person.pk for a in detail.same_person] == [police_again.pk]
    assert detail.same_person[0].identity_visible and detail.same_person[0].label == "Rosa Quispe Mamani"
    assert detail.same_person_hidden == 2  # the NGO's records, one of them in a restricted case
    # Both of our records' identities were shown: each read is audited.
    assert sorted(_reveals()) == sorted([str(police.pk), str(police_again.pk)])
    # The NGO sees all four records, the police ones masked unless shared.
    ngo_view = person_get(acting_user=world.ngo_investigator, person_id=ngo.pk)
    assert {a.person.pk for a in ngo_view.same_person} == {elsewhere.pk}
    assert ngo_view.same_person_hidden == 2
    coordinator_view = person_get(acting_user=world.coordinator, person_id=police.pk)
    assert {a.person.pk for a in coordinator_view.same_person} == {police_again.pk, ngo.pk}
    assert not any(a.identity_visible for a in coordinator_view.same_person)
    assert coordinator_view.same_person_hidden == 1


def test_a_stranger_learns_nothing_from_a_cluster(world: World, scores: Any) -> None:
    a, b = world.person(world.police_case), world.person(world.ngo_case)
    scores[(a.pk, b.pk)] = 0.999
    services.linkage_run()
    stranger = UserFactory(role=Role.CASE_WORKER)
    with pytest.raises(NotFound):
        person_get(acting_user=stranger, person_id=a.pk)

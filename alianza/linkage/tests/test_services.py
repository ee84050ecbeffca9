"""Registry-wide linkage: thresholds, idempotent re-runs, reviewers' decisions, clusters and
missing-person alerts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from alianza.audit.models import AuditEntry
from alianza.core.errors import Conflict, NotFound, PermissionDenied
from alianza.linkage import selectors, services
from alianza.linkage.models import CandidatePair, MatchAlert, MissingPersonMatch, PairStatus
from alianza.linkage.tests.world import World
from alianza.people.choices import ParticipationRole
from alianza.people.models import Participation
from alianza.people.services import ParticipationInput, participation_create_in_transaction
from alianza.stats.models import PersonCluster

pytestmark = pytest.mark.django_db


def _pair(a: Any, b: Any) -> CandidatePair:
    return CandidatePair.objects.get(left_id=min(a.pk, b.pk), right_id=max(a.pk, b.pk))


def _clusters() -> dict[int, str]:
    return dict(PersonCluster.objects.values_list("person_id", "cluster_id"))


def test_registry_frame_carries_the_stored_values_and_leaves_out_records_without_any(world: World) -> None:
    rosa = world.person(world.police_case, document="4567890 LP", citizenships=["BOL", "ARG"], sex="X")
    world.person(world.ngo_case, given_names="", first_surname="", second_surname="")
    frame = services.registry_person_frame()
    assert list(frame["record_id"]) == [str(rosa.pk)]
    row = frame.iloc[0]
    assert (row.given_names, row.first_surname, row.birth_date, row.nationality) == ("Rosa Elena", "Quispe", "1996-04-12", "BOL")
    assert (row.document_type, row.document_number, row.sex, row.birth_place) == ("CI", "4567890", "", "")


def test_pairs_are_merged_queued_or_discarded_by_the_two_thresholds(world: World, scores: Any, settings: Any) -> None:
    settings.ALIANZA_LINKAGE_LOWER_THRESHOLD, settings.ALIANZA_LINKAGE_UPPER_THRESHOLD = 0.3, 0.95
    a, b, c, d, e, f = (world.person(world.police_case, first_surname=f"Apaza{i}") for i in "abcdef")
    scores.update({(a.pk, b.pk): 0.97, (c.pk, d.pk): 0.95, (c.pk, e.pk): 0.3, (e.pk, f.pk): 0.29})
    run = services.linkage_run()
    assert _pair(a, b).status == PairStatus.AUTOMATIC
    assert _pair(c, d).status == PairStatus.AUTOMATIC  # "at or above" the upper threshold
    assert _pair(c, e).status == PairStatus.PENDING  # from the lower threshold up
    assert not CandidatePair.objects.filter(left_id=e.pk, right_id=f.pk).exists()
    assert (run.records, run.pairs_scored, run.pairs_new) == (6, 3, 3)
    stored = _pair(c, e)
    assert stored.explanation["prior"] == -10.0 and set(stored.explanation) >= {"surnames", "given_names"}
    assert AuditEntry.objects.filter(action="linkage.run", object_id=str(run.pk)).count() == 1
    # Automatic pairs form clusters at once: {a, b} and {c, d}; e, waiting for review, stays alone.
    clusters = _clusters()
    assert clusters[a.pk] == clusters[b.pk] != clusters[c.pk] == clusters[d.pk] and e.pk not in clusters


def test_thresholds_must_make_sense(settings: Any) -> None:
    settings.ALIANZA_LINKAGE_LOWER_THRESHOLD, settings.ALIANZA_LINKAGE_UPPER_THRESHOLD = 0.9, 0.5
    with pytest.raises(ImproperlyConfigured, match="0 < lower <= upper < 1"):
        services.linkage_thresholds()


def test_a_rerun_keeps_decisions_adds_new_pairs_and_retires_those_that_no_longer_score(
    world: World, scores: Any
) -> None:
    a, b, c, d, e, f, g, h = (world.person(world.police_case, first_surname=f"Choque{i}") for i in "abcdefgh")
    scores.update({(a.pk, b.pk): 0.6, (c.pk, d.pk): 0.7, (e.pk, f.pk): 0.999, (g.pk, h.pk): 0.4})
    first = services.linkage_run()
    reviewer = world.investigator
    services.pair_reject(acting_user=reviewer, pair_id=_pair(a, b).pk)
    services.pair_confirm(acting_user=reviewer, pair_id=_pair(c, d).pk)
    assert _clusters()[c.pk] == _clusters()[d.pk]

    # The same records again: nothing changes, not even the stored scores.
    again = services.linkage_run()
    assert (again.pairs_new, again.pairs_retired) == (0, 0)
    assert set(CandidatePair.objects.values_list("scored_in", flat=True)) == {first.pk}

    # Now a-b scores higher, c-d and e-f no longer score, g-h rises above the upper threshold, and
    # a new pair appears.
    scores.clear()
    scores.update({(a.pk, b.pk): 0.98, (g.pk, h.pk): 0.995, (b.pk, h.pk): 0.5})
    run = services.linkage_run()
    assert _pair(a, b).status == PairStatus.REJECTED  # never back in the queue
    assert _pair(c, d).status == PairStatus.CONFIRMED and not _pair(c, d).is_current  # stays merged
    assert _pair(e, f).status == PairStatus.RETIRED
    assert _pair(g, h).status == PairStatus.AUTOMATIC and _pair(g, h).scored_in_id == run.pk
    assert _pair(b, h).status == PairStatus.PENDING
    assert (run.pairs_new, run.pairs_retired) == (1, 1)
    clusters = _clusters()
    assert clusters[c.pk] == clusters[d.pk] and clusters[g.pk] == clusters[h.pk]
    assert e.pk not in clusters and a.pk not in clusters
    assert selectors.pair_queue(acting_user=reviewer).get() == _pair(b, h)


def test_confirm_reject_and_undo_are_audited_and_reversible(world: World, scores: Any) -> None:
    a, b, c = (world.person(world.police_case, first_surname=f"Condori{i}") for i in "abc")
    scores.update({(a.pk, b.pk): 0.8, (b.pk, c.pk): 0.999})
    services.linkage_run()
    reviewer = world.investigator
    pair = services.pair_confirm(acting_user=reviewer, pair_id=_pair(a, b).pk, expected_version=1)
    assert pair.status == PairStatus.CONFIRMED and pair.decided_by == reviewer and pair.version == 2
    assert len({_clusters()[p.pk] for p in (a, b, c)}) == 1  # a-b confirmed, b-c automatic
    with pytest.raises(Conflict):
        services.pair_reject(acting_user=reviewer, pair_id=pair.pk, expected_version=1)  # stale version
    with pytest.raises(Conflict):
        services.pair_reject(acting_user=reviewer, pair_id=pair.pk)  # decided: undo first
    undone = services.pair_undo(acting_user=reviewer, pair_id=pair.pk, expected_version=2)
    assert undone.status == PairStatus.PENDING and undone.decided_by is None
    assert a.pk not in _clusters() and _clusters()[b.pk] == _clusters()[c.pk]
    # Rejecting an automatic match separates its records; undoing brings the match back.
    automatic = _pair(b, c)
    services.pair_reject(acting_user=reviewer, pair_id=automatic.pk)
    assert c.pk not in _clusters()
    assert services.pair_undo(acting_user=reviewer, pair_id=automatic.pk).status == PairStatus.AUTOMATIC
    with pytest.raises(Conflict):
        services.pair_undo(acting_user=reviewer, pair_id=automatic.pk)  # nothing to undo
    actions = list(
        AuditEntry.objects.filter(object_type="linkage.candidatepair").order_by("seq").values_list("action", "object_id")
    )
    assert actions == [
        ("linkage.pair_confirm", str(pair.pk)), ("linkage.pair_undo", str(pair.pk)),
        ("linkage.pair_reject", str(automatic.pk)), ("linkage.pair_undo", str(automatic.pk)),
    ]  # fmt: skip
    assert AuditEntry.objects.filter(action="stats.person_clusters_replace", actor_id=reviewer.pk).count() == 4


def test_only_reviewers_who_may_know_a_record_decide_its_pairs(world: World, scores: Any) -> None:
    mine, theirs = world.person(world.police_case), world.person(world.ngo_case)
    secret, hidden = world.person(world.restricted_case), world.person(world.restricted_case, first_surname="Tarqui")
    scores.update({(mine.pk, theirs.pk): 0.8, (secret.pk, hidden.pk): 0.8})
    services.linkage_run()
    # The police investigator knows one record of the first pair: they may decide it.
    services.pair_reject(acting_user=world.investigator, pair_id=_pair(mine, theirs).pk)
    # Nobody outside the NGO knows of its restricted case's records, not even the coordinator.
    for outsider in (world.investigator, world.coordinator):
        with pytest.raises(NotFound):
            services.pair_confirm(acting_user=outsider, pair_id=_pair(secret, hidden).pk)
    services.pair_confirm(acting_user=world.ngo_investigator, pair_id=_pair(secret, hidden).pk)
    with pytest.raises(PermissionDenied):
        services.pair_undo(acting_user=world.analyst, pair_id=_pair(mine, theirs).pk)
    with pytest.raises(PermissionDenied):
        services.linkage_run(acting_user=world.analyst)


def test_clusters_are_connected_components_and_keep_rows_linkage_did_not_write(world: World) -> None:
    assert services.clusters_from_pairs([(5, 9), (9, 2), (7, 8)]) == {
        2: "link-2", 5: "link-2", 9: "link-2", 7: "link-7", 8: "link-7",
    }  # fmt: skip
    PersonCluster.objects.create(person_id=1001, cluster_id="demo-1")
    PersonCluster.objects.create(person_id=1002, cluster_id="demo-1")
    PersonCluster.objects.create(person_id=1003, cluster_id="link-1003")  # an old linkage cluster
    services.person_clusters_rebuild()
    assert _clusters() == {1001: "demo-1", 1002: "demo-1"}


def test_the_real_engine_merges_the_same_person_recorded_twice(world: World) -> None:
    police = world.person(world.police_case, document="6543210 LP", given_names="María Luz", first_surname="Mamani",
                          second_surname="Quispe", birth_date="1999-07-21")  # fmt: skip
    ngo = world.person(world.ngo_case, document="6543210", given_names="Maria", first_surname="Mamani",
                       second_surname="", birth_date="1999-07-21")  # fmt: skip
    for i, (given, first, second, born) in enumerate([
        ("Juana", "Condori", "Apaza", "1985-02-03"), ("Wilson", "Choque", "Limachi", "1970-11-30"),
        ("Ana", "Ticona", "Flores", "2001-01-15"), ("Luz", "Gutiérrez", "Vargas", "1993-06-09"),
    ]):  # fmt: skip
        world.person(world.police_case if i % 2 else world.ngo_case, given_names=given, first_surname=first,
                     second_surname=second, birth_date=born)  # fmt: skip
    services.linkage_run()
    pair = _pair(police, ngo)
    assert pair.status == PairStatus.AUTOMATIC and pair.match_probability >= 0.99
    assert pair.explanation["document"] > 0 and pair.explanation["birth_date"] > 0
    assert CandidatePair.objects.count() == 1
    assert _clusters()[police.pk] == _clusters()[ngo.pk]


# --- missing persons and victims ------------------------------------------------------------------


def _add(world: World, case: Any, role: str, **fields: Any) -> Participation:
    person = world.person(case, role=role, **fields)
    return Participation.objects.get(person=person)


def test_a_new_missing_person_report_alerts_both_institutions_after_commit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    victim = _add(world, world.police_case, ParticipationRole.VICTIM, given_names="Wara", first_surname="Mamani",
                  second_surname="Quispe", birth_date="2003-05-04", document="7712345 LP")  # fmt: skip
    _add(world, world.police_case, ParticipationRole.VICTIM, given_names="Juan", first_surname="Copa",
         second_surname="Nina", birth_date="1980-01-01", sex="M")  # fmt: skip
    report = world.person(world.ngo_case, role=ParticipationRole.WITNESS, given_names="Wara", first_surname="Mamani",
                          second_surname="", birth_date="2003-05-04", document="7712345")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        missing = participation_create_in_transaction(
            acting_user=None, case=world.ngo_case, person=report,
            data=ParticipationInput(role=ParticipationRole.MISSING_PERSON, last_seen_place="El Alto"),
        )  # fmt: skip
        assert not MissingPersonMatch.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1
    found = MissingPersonMatch.objects.get()
    assert (found.missing_id, found.victim_id) == (missing.pk, victim.pk) and found.match_probability >= 0.5
    assert set(MatchAlert.objects.values_list("institution_id", flat=True)) == {world.police.pk, world.ngo.pk}
    assert AuditEntry.objects.filter(action="linkage.missing_person_match", object_id=str(found.pk)).exists()
    # Checking again raises nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        services.missing_person_matches_check(participation_ids=[missing.pk, victim.pk, 999_999])
    assert MissingPersonMatch.objects.count() == 1 and MatchAlert.objects.count() == 2


def test_a_new_victim_is_checked_against_the_missing_person_reports(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    missing = _add(world, world.ngo_case, ParticipationRole.MISSING_PERSON, given_names="Nayeli", first_surname="Huanca",
                   second_surname="Colque", birth_date="2006-09-17")  # fmt: skip
    person = world.person(world.police_case, role=ParticipationRole.WITNESS, given_names="Nayeli",
                          first_surname="Colque", second_surname="Huanca", birth_date="2006-09-17")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        victim = participation_create_in_transaction(
            acting_user=None, case=world.police_case, person=person, data=ParticipationInput(role=ParticipationRole.VICTIM)
        )  # fmt: skip
    found = MissingPersonMatch.objects.get()
    assert (found.missing_id, found.victim_id) == (missing.pk, victim.pk)
    # The same person record in both roles is a certain match (another case of the same person).
    with django_capture_on_commit_callbacks(execute=True):
        again = participation_create_in_transaction(
            acting_user=None, case=world.restricted_case, person=missing.person,
            data=ParticipationInput(role=ParticipationRole.VICTIM),
        )  # fmt: skip
    certain = MissingPersonMatch.objects.get(victim=again)
    assert certain.match_probability == 1.0
    assert list(MatchAlert.objects.filter(match=certain).values_list("institution_id", flat=True)) == [world.ngo.pk]


def test_one_check_per_transaction_and_none_for_a_rolled_back_savepoint(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    checked: list[set[int]] = []
    monkeypatch.setattr(services, "_check", lambda ids: checked.append(ids) or [])
    first, second, third = (world.person(world.ngo_case, role=ParticipationRole.WITNESS, first_surname=s) for s in "xyz")
    with django_capture_on_commit_callbacks(execute=True):
        a = participation_create_in_transaction(
            acting_user=None, case=world.police_case, person=first, data=ParticipationInput(role=ParticipationRole.VICTIM)
        )  # fmt: skip
        try:
            with transaction.atomic():
                participation_create_in_transaction(
                    acting_user=None, case=world.police_case, person=second,
                    data=ParticipationInput(role=ParticipationRole.MISSING_PERSON),
                )  # fmt: skip
                raise RuntimeError("this row is refused")
        except RuntimeError:
            pass
        participation_create_in_transaction(
            acting_user=None, case=world.police_case, person=third, data=ParticipationInput(role=ParticipationRole.WITNESS)
        )  # fmt: skip
    assert len(checked) == 1
    # The refused row's id may be pending too (and even reused by a later row); only existing
    # victims and missing persons are ever compared.
    roles = [ParticipationRole.VICTIM, ParticipationRole.MISSING_PERSON]
    assert set(Participation.objects.filter(pk__in=checked[0], role__in=roles).values_list("pk", flat=True)) == {a.pk}


def test_alerts_name_the_cases_and_nothing_more(world: World, django_capture_on_commit_callbacks: Any) -> None:
    _add(world, world.police_case, ParticipationRole.MISSING_PERSON, given_names="Micaela", first_surname="Yujra",
         second_surname="Callisaya", birth_date="2004-12-01")  # fmt: skip
    person = world.person(world.restricted_case, role=ParticipationRole.WITNESS, given_names="Micaela",
                          first_surname="Yujra", second_surname="Callisaya", birth_date="2004-12-01")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        participation_create_in_transaction(
            acting_user=None, case=world.restricted_case, person=person, data=ParticipationInput(role=ParticipationRole.VICTIM)
        )  # fmt: skip
    police_view = selectors.match_alert_views(
        acting_user=world.investigator, alerts=list(selectors.match_alert_list(acting_user=world.investigator))
    )[0]
    assert police_view.missing.mine and police_view.missing.named
    assert not police_view.victim.mine and not police_view.victim.named  # the NGO's case is restricted
    ngo_view = selectors.match_alert_views(
        acting_user=world.ngo_investigator, alerts=list(selectors.match_alert_list(acting_user=world.ngo_investigator))
    )[0]
    assert ngo_view.missing.named and ngo_view.victim.named  # a normal case is named, the restricted one is theirs
    assert selectors.match_alert_open_count(acting_user=world.coordinator) == 0  # not the ministry's cases
    assert selectors.match_alert_open_count(acting_user=world.analyst) == 0
    alert = MatchAlert.objects.get(institution=world.police)
    with pytest.raises(NotFound):
        services.match_alert_update(acting_user=world.ngo_investigator, alert_id=alert.pk, handled=True)
    services.match_alert_update(acting_user=world.investigator, alert_id=alert.pk, handled=True)
    assert selectors.match_alert_open_count(acting_user=world.investigator) == 0
    assert AuditEntry.objects.filter(action="linkage.alert_close", object_id=str(alert.pk)).exists()


def test_a_registry_run_on_realistic_records_finds_the_duplicates(world: World) -> None:
    """End to end with the real engine on 1,200 synthetic records (u estimated on the registry)."""
    from itertools import combinations

    from alianza.linkage.engine import synth
    from alianza.normalize import NormalizationError, normalize_date
    from alianza.people.models import IdentityDocument, Person

    def stored_date(value: str) -> str:  # as the people services store it
        try:
            return normalize_date(value).isoformat() if value else ""
        except NormalizationError:
            return ""

    records = synth.dedupe_dataset(1_200, seed=5)
    persons = Person.objects.bulk_create([
        Person(given_names=r.given_names, first_surname=r.first_surname, second_surname=r.second_surname,
               sex=r.sex if r.sex in ("M", "F") else "", birth_date=stored_date(r.birth_date),
               citizenships=[r.nationality] if r.nationality else [], owner_institution=world.police)
        for r in records.itertuples()
    ])  # fmt: skip
    IdentityDocument.objects.bulk_create([
        IdentityDocument(person=p, document_type=r.document_type[:10], number_as_entered=r.document_number,
                         number_normalized=r.document_number)
        for p, r in zip(persons, records.itertuples(), strict=True) if r.document_number
    ])  # fmt: skip
    truth_of = {p.pk: r.person_id for p, r in zip(persons, records.itertuples(), strict=True)}
    by_truth: dict[Any, list[int]] = {}
    for pk, truth in truth_of.items():
        by_truth.setdefault(truth, []).append(pk)
    true_pairs = {pair for pks in by_truth.values() for pair in combinations(sorted(pks), 2)}

    run = services.linkage_run()
    assert run.records == 1_200 and run.model["format"] == "alianza.linkage.model"
    automatic = set(CandidatePair.objects.filter(status=PairStatus.AUTOMATIC).values_list("left_id", "right_id"))
    candidates = set(CandidatePair.objects.values_list("left_id", "right_id"))
    precision = len(automatic & true_pairs) / len(automatic)
    recall = len(candidates & true_pairs) / len(true_pairs)
    assert precision >= 0.97, precision
    assert recall >= 0.85, recall


def test_the_ids_condition_selects_exactly_the_ids_in_runs_and_singles(db: Any) -> None:
    from alianza.linkage.services import _ids_condition

    ids = {1, 2, 3, 4, 7, 9, 10, 20, 21, 22}
    condition = _ids_condition(ids)
    # Runs of three or more become ranges; the rest stay a list.
    assert str(condition).count("pk__range") == 2 and "[7, 9, 10]" in str(condition)
    assert _ids_condition(set()) is not None

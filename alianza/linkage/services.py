"""The one module through which Django uses the linkage library (`alianza.linkage.engine`).

* `registry_person_frame` turns the registry's person records (every agency's) into the canonical
  person-record frame the engine reads, record_id being the person's id.
* `linkage_run` deduplicates the whole registry. Pairs scored at or above the upper threshold are
  merged automatically, pairs from the lower threshold up to the upper one wait in the review
  queue, the rest are discarded. Running it again keeps every reviewer's decision (a rejected
  pair never comes back, a confirmed one stays merged), adds new candidates and retires those
  that no longer score.
* `pair_confirm`, `pair_reject` and `pair_undo` are the reviewers' decisions: audited in the same
  transaction, and reversible.
* `person_clusters_rebuild` groups the merged pairs into persons (connected components) and
  writes them through `alianza.stats.services.person_clusters_replace`, which statistics read.
* `missing_person_matches_check` compares new missing-person reports with the victims
  registered anywhere, and new victims with the missing-person reports, and alerts the
  institutions that own both cases.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from alianza.accounts import authz
from alianza.audit.services import audit_record
from alianza.core.errors import Conflict, NotFound, PermissionDenied
from alianza.linkage import selectors
from alianza.linkage.engine import (
    CANONICAL_COLUMNS,
    LinkageModel,
    ModelFileError,
    dedupe,
    default_model,
    match,
)
from alianza.linkage.models import (
    MERGING_STATUSES,
    CandidatePair,
    LinkageRun,
    MatchAlert,
    MissingPersonMatch,
    PairStatus,
)
from alianza.people.choices import ParticipationRole
from alianza.people.models import IdentityDocument, Participation, Person
from alianza.stats.models import PersonCluster
from alianza.stats.services import person_clusters_replace

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]
T = TypeVar("T")

# Cluster ids linkage writes; rows with other ids (written by something else, such as clusters
# received from elsewhere for records without names) are kept for the records linkage has not grouped.
CLUSTER_PREFIX = "link-"
_BATCH = 500
# Below this many records, u is not estimated on the registry (see `_score`).
SMALL_REGISTRY = 1000
_SEXES = {"M", "F"}


@dataclass(frozen=True)
class Thresholds:
    lower: float
    upper: float
    alert: float


def linkage_thresholds() -> Thresholds:
    """The thresholds from the settings, checked (0 < lower <= upper < 1, 0 < alert < 1)."""
    lower = float(settings.ALIANZA_LINKAGE_LOWER_THRESHOLD)
    upper = float(settings.ALIANZA_LINKAGE_UPPER_THRESHOLD)
    alert = float(settings.ALIANZA_LINKAGE_ALERT_THRESHOLD)
    if not 0.0 < lower <= upper < 1.0:
        raise ImproperlyConfigured(
            "ALIANZA_LINKAGE_LOWER_THRESHOLD and ALIANZA_LINKAGE_UPPER_THRESHOLD must be match "
            f"probabilities with 0 < lower <= upper < 1 (they are {lower} and {upper})."
        )
    if not 0.0 < alert < 1.0:
        raise ImproperlyConfigured(
            f"ALIANZA_LINKAGE_ALERT_THRESHOLD must be between 0 and 1 (it is {alert})."
        )
    return Thresholds(lower=lower, upper=upper, alert=alert)


def _chunks(items: Sequence[T], size: int = _BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _noop(_: str) -> None:
    return None


# --- the canonical frame -----------------------------------------------------------------------


def registry_person_frame(*, persons: QuerySet[Person] | None = None) -> pd.DataFrame:
    """The registry's person records (all, or `persons`) as canonical person records.

    The values are those the people services stored through the platform's normalisers (display
    names, ISO dates and countries, the documents' normalised numbers); the engine folds and keys
    them with the same normalisers. Records with neither a name nor a document have nothing to
    compare and are left out. A person's first document and first citizenship are used.
    """
    persons = Person.objects.all() if persons is None else persons
    documents: dict[int, tuple[str, str]] = {}
    rows = (
        IdentityDocument.objects.filter(person__in=persons.values("pk"))
        .order_by("person_id", "id")
        .values_list("person_id", "document_type", "number_normalized", "number_as_entered")
    )
    for person_id, document_type, normalized, entered in rows.iterator(chunk_size=5000):
        documents.setdefault(person_id, (document_type, normalized or entered))
    records = []
    values = persons.order_by("id").values_list(
        "id", "given_names", "first_surname", "second_surname", "sex", "birth_date", "citizenships"
    )
    for person_id, given, first, second, sex, birth, citizenships in values.iterator(chunk_size=5000):
        document_type, number = documents.get(person_id, ("", ""))
        if not (given or first or second or number):
            continue
        records.append(
            (str(person_id), given, first, second, sex if sex in _SEXES else "", birth,
             citizenships[0] if citizenships else "", document_type if number else "", number, "")
        )  # fmt: skip
    return pd.DataFrame.from_records(records, columns=list(CANONICAL_COLUMNS))


# --- registry-wide deduplication -----------------------------------------------------------------


@dataclass
class ScoredPairs:
    """Pairs at or above the lower threshold: left < right (person ids), probability, weight, and
    each comparison's contribution in bits (with the prior)."""

    left: list[int]
    right: list[int]
    probability: list[float]
    weight: list[float]
    explanation: list[dict[str, float]]


def _score(frame: pd.DataFrame, *, lower: float, progress: Progress) -> tuple[ScoredPairs, LinkageModel | None]:
    empty = ScoredPairs([], [], [], [], [])
    if len(frame) < 2:
        return empty, None
    if len(frame) < SMALL_REGISTRY:
        # Too few pairs to estimate u: in a handful of records the one true pair can be most of
        # the pairs that agree on a document, which would make agreeing look like chance. The
        # shipped model, estimated on realistic data, is applied as is.
        result = dedupe(frame, model=default_model(), train=False, threshold=lower, explain=True, progress=progress)
    else:
        result = dedupe(frame, threshold=lower, explain=True, progress=progress)
    explanation = result.explanation
    if explanation is None or explanation.empty:
        return empty, result.model
    ids = explanation[["left_id", "right_id"]].astype("int64").to_numpy()
    lows, highs = ids.min(axis=1), ids.max(axis=1)
    parts = [c for c in explanation.columns if c not in ("left_id", "right_id", "match_probability", "match_weight")]
    contributions = explanation[parts].astype(float).round(3).to_dict("records")
    seen: set[tuple[int, int]] = set()
    scored = ScoredPairs([], [], [], [], [])
    for low, high, probability, weight, contribution in zip(
        lows.tolist(), highs.tolist(), explanation["match_probability"].astype(float).round(6).tolist(),
        explanation["match_weight"].astype(float).round(3).tolist(), contributions, strict=True,
    ):  # fmt: skip
        if (low, high) in seen or low == high:
            continue
        seen.add((low, high))
        scored.left.append(low)
        scored.right.append(high)
        scored.probability.append(probability)
        scored.weight.append(weight)
        scored.explanation.append({str(k): float(v) for k, v in contribution.items()})
    return scored, result.model


def linkage_run(*, acting_user: Any = None, progress: Progress | None = None) -> LinkageRun:
    """Deduplicate every agency's person records and refresh the candidate pairs and clusters.

    `acting_user` is None for scheduled runs (`alianza linkage run`). Idempotent: on unchanged
    records a second run changes nothing; reviewers' decisions are never changed by a run.
    """
    if acting_user is not None and not authz.has_perm(acting_user, authz.Perm.LINKAGE_REVIEW):
        raise PermissionDenied(_("Your role does not allow you to run linkage."))
    limits = linkage_thresholds()
    report = progress or _noop
    started = timezone.now()
    report("reading the registry")
    frame = registry_person_frame()
    scored, model = _score(frame, lower=limits.lower, progress=report)
    report("saving candidate pairs")
    with transaction.atomic(durable=True):
        run = LinkageRun.objects.create(
            started_at=started, started_by=acting_user, lower_threshold=limits.lower,
            upper_threshold=limits.upper, records=len(frame), pairs_scored=len(scored.left),
            model=model.to_dict() if model is not None else {},
        )  # fmt: skip
        run.pairs_new, run.pairs_retired = _pairs_store(run, scored, limits)
        run.finished_at = timezone.now()
        run.save(update_fields=["pairs_new", "pairs_retired", "finished_at"])
        audit_record(actor=acting_user, action="linkage.run", obj=run, changed_fields=["candidate_pairs"])
    report("grouping records into persons")
    person_clusters_rebuild(acting_user=acting_user)
    return run


def _pairs_store(run: LinkageRun, scored: ScoredPairs, limits: Thresholds) -> tuple[int, int]:
    """Write a run's pairs; returns (new pairs, pairs retired). Statuses change in set-based updates
    that never touch a reviewer's decision, even one made while the run was scoring."""
    existing: dict[tuple[int, int], tuple[int, float]] = {
        (left, right): (pk, probability)
        for pk, left, right, probability in CandidatePair.objects.values_list(
            "pk", "left_id", "right_id", "match_probability"
        ).iterator(chunk_size=5000)
    }
    new_pairs: list[CandidatePair] = []
    rescored: list[CandidatePair] = []
    current: set[int] = set()
    for left, right, probability, weight, explanation in zip(
        scored.left, scored.right, scored.probability, scored.weight, scored.explanation, strict=True
    ):
        found = existing.get((left, right))
        if found is None:
            status = PairStatus.AUTOMATIC if probability >= limits.upper else PairStatus.PENDING
            new_pairs.append(CandidatePair(
                left_id=left, right_id=right, status=status, match_probability=probability,
                match_weight=weight, explanation=explanation, scored_in=run, is_current=True,
            ))  # fmt: skip
            continue
        pk, old_probability = found
        current.add(pk)
        if abs(old_probability - probability) > 1e-9:
            rescored.append(CandidatePair(
                pk=pk, match_probability=probability, match_weight=weight, explanation=explanation, scored_in=run
            ))  # fmt: skip
    CandidatePair.objects.bulk_create(new_pairs, batch_size=1000, ignore_conflicts=True)
    CandidatePair.objects.bulk_update(
        rescored, ["match_probability", "match_weight", "explanation", "scored_in"], batch_size=_BATCH
    )
    stale = [pk for pk, _ in existing.values() if pk not in current]
    for chunk in _chunks(stale):
        CandidatePair.objects.filter(pk__in=chunk, is_current=True).update(is_current=False)
    for chunk in _chunks(sorted(current)):
        CandidatePair.objects.filter(pk__in=chunk, is_current=False).update(is_current=True)
    undecided = CandidatePair.objects.exclude(status__in=[PairStatus.CONFIRMED, PairStatus.REJECTED])
    undecided.filter(is_current=True, match_probability__gte=limits.upper).exclude(
        status=PairStatus.AUTOMATIC
    ).update(status=PairStatus.AUTOMATIC)
    undecided.filter(is_current=True, match_probability__lt=limits.upper).exclude(
        status=PairStatus.PENDING
    ).update(status=PairStatus.PENDING)
    retired = undecided.filter(is_current=False).exclude(status=PairStatus.RETIRED).update(
        status=PairStatus.RETIRED
    )
    return len(new_pairs), retired


# --- clusters ------------------------------------------------------------------------------------


def clusters_from_pairs(pairs: Iterable[tuple[int, int]]) -> dict[int, str]:
    """Connected components of the pairs: person id → cluster id ("link-" and the smallest id)."""
    edges = np.array(list(pairs), dtype=np.int64).reshape(-1, 2)
    if not len(edges):
        return {}
    nodes, inverse = np.unique(edges, return_inverse=True)
    inverse = inverse.reshape(-1, 2)
    graph = coo_matrix(
        (np.ones(len(edges), dtype=np.int8), (inverse[:, 0], inverse[:, 1])), shape=(len(nodes), len(nodes))
    )
    count, labels = connected_components(graph, directed=False)
    smallest = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(smallest, labels, nodes)
    return {int(node): f"{CLUSTER_PREFIX}{int(smallest[label])}" for node, label in zip(nodes, labels, strict=True)}


def _merging_pairs() -> list[tuple[int, int]]:
    return sorted(CandidatePair.objects.filter(status__in=MERGING_STATUSES).values_list("left_id", "right_id"))


def person_clusters_rebuild(*, acting_user: Any = None) -> int:
    """Write the persons that automatic and confirmed pairs form; returns the rows written.

    Call it after the decision's transaction has committed. If another decision changes the pairs
    meanwhile, it writes again, so the last writer always leaves the clusters of the latest pairs.
    """
    written = 0
    for _attempt in range(5):
        pairs = _merging_pairs()
        clusters = clusters_from_pairs(pairs)
        kept = {
            person_id: cluster_id
            for person_id, cluster_id in PersonCluster.objects.exclude(cluster_id__startswith=CLUSTER_PREFIX)
            .values_list("person_id", "cluster_id")
            .iterator(chunk_size=5000)
            if person_id not in clusters
        }
        written = person_clusters_replace(acting_user=acting_user, clusters={**kept, **clusters})
        if _merging_pairs() == pairs:
            break
    return written


# --- reviewers' decisions ---------------------------------------------------------------------------


def _pair_for_decision(*, acting_user: Any, pair_id: int, expected_version: int | None) -> CandidatePair:
    if not authz.has_perm(acting_user, authz.Perm.LINKAGE_REVIEW):
        raise PermissionDenied(_("Your role does not allow you to review linkage."))
    pair = CandidatePair.objects.select_for_update().select_related("left", "right").filter(pk=pair_id).first()
    if pair is None or not selectors.pair_reviewable(acting_user=acting_user, pair=pair):
        raise NotFound(_("There is no such candidate pair, or you may not review it."))
    if expected_version is not None and pair.version != expected_version:
        raise Conflict(
            _("Someone else decided this pair while you were looking at it. Nothing was changed: reload the page."),
            extra={"current_version": pair.version},
        )
    return pair


def _decide(*, acting_user: Any, pair_id: int, expected_version: int | None, status: str, action: str) -> CandidatePair:
    with transaction.atomic(durable=True):
        pair = _pair_for_decision(acting_user=acting_user, pair_id=pair_id, expected_version=expected_version)
        if pair.status not in (PairStatus.PENDING, PairStatus.AUTOMATIC):
            raise Conflict(
                _("This pair is no longer open for a decision (%(status)s). Undo the decision first.")
                % {"status": pair.get_status_display()},
                extra={"current_version": pair.version},
            )
        pair.status = status
        pair.decided_by = acting_user
        pair.decided_at = timezone.now()
        pair.version += 1
        pair.save(update_fields=["status", "decided_by", "decided_at", "version"])
        audit_record(actor=acting_user, action=action, obj=pair, changed_fields=["status"])
    person_clusters_rebuild(acting_user=acting_user)
    return pair


def pair_confirm(*, acting_user: Any, pair_id: int, expected_version: int | None = None) -> CandidatePair:
    """The two records are the same person: they stay merged whatever later runs score."""
    return _decide(acting_user=acting_user, pair_id=pair_id, expected_version=expected_version,
                   status=PairStatus.CONFIRMED, action="linkage.pair_confirm")  # fmt: skip


def pair_reject(*, acting_user: Any, pair_id: int, expected_version: int | None = None) -> CandidatePair:
    """The two records are different persons: the pair never returns to the queue, and an automatic
    match is undone."""
    return _decide(acting_user=acting_user, pair_id=pair_id, expected_version=expected_version,
                   status=PairStatus.REJECTED, action="linkage.pair_reject")  # fmt: skip


def pair_undo(*, acting_user: Any, pair_id: int, expected_version: int | None = None) -> CandidatePair:
    """Withdraw a confirmation or rejection: the pair goes back to where its latest score puts it."""
    limits = linkage_thresholds()
    with transaction.atomic(durable=True):
        pair = _pair_for_decision(acting_user=acting_user, pair_id=pair_id, expected_version=expected_version)
        if pair.status not in (PairStatus.CONFIRMED, PairStatus.REJECTED):
            raise Conflict(_("This pair has no decision to undo."), extra={"current_version": pair.version})
        if not pair.is_current:
            pair.status = PairStatus.RETIRED
        elif pair.match_probability >= limits.upper:
            pair.status = PairStatus.AUTOMATIC
        else:
            pair.status = PairStatus.PENDING
        pair.decided_by = None
        pair.decided_at = None
        pair.version += 1
        pair.save(update_fields=["status", "decided_by", "decided_at", "version"])
        audit_record(actor=acting_user, action="linkage.pair_undo", obj=pair, changed_fields=["status"])
    person_clusters_rebuild(acting_user=acting_user)
    return pair


# --- missing persons and victims ---------------------------------------------------------------------

_pending = threading.local()


def _pending_ids() -> set[int]:
    ids: set[int] | None = getattr(_pending, "ids", None)
    if ids is None:
        ids = _pending.ids = set()
    return ids


def missing_person_matches_check(*, participation_ids: Iterable[int]) -> list[MissingPersonMatch]:
    """Compare new missing-person reports with every victim, and new victims with every report.

    The hook for every path that records participations (forms, API, imports). Inside a
    transaction the check waits until it commits (side effects only after commit) and runs once
    for all the ids that transaction passed; outside one it runs now and returns the new matches.
    Ids that are not missing persons or victims, or no longer exist, are ignored, and a match
    found before is not raised again, so passing an id twice is harmless.
    """
    ids = {int(i) for i in participation_ids}
    if not ids:
        return []
    if transaction.get_connection().in_atomic_block:
        _pending_ids().update(ids)
        # One callback per call: a savepoint rolled back takes its own callback with it, and
        # whichever callback runs first checks every id still pending.
        transaction.on_commit(_check_pending)
        return []
    return _check(ids)


def _check_pending() -> None:
    pending = _pending_ids()
    ids = set(pending)
    pending.clear()
    if not ids:
        return
    try:
        _check(ids)
    except Exception:  # the records are saved; a failed check must not turn that into an error page
        logger.exception("missing-person check failed", extra={"participations": len(ids)})


def _check_model() -> LinkageModel:
    """The latest registry run's model (u and prior estimated on the whole registry), applied as
    is, since the frames of a check are too small to estimate anything on; before any run, the
    shipped model."""
    run = LinkageRun.objects.filter(finished_at__isnull=False).exclude(model={}).order_by("-started_at", "-id").first()
    if run is not None:
        try:
            return LinkageModel.from_dict(run.model)
        except ModelFileError:
            logger.warning("the latest linkage run's model cannot be read; using the shipped model")
    return default_model()


@dataclass(frozen=True)
class _Found:
    missing: int  # participation ids
    victim: int
    probability: float
    institutions: frozenset[int]


def _ids_condition(ids: set[int]) -> Q:
    """`pk IN ids`, with each run of consecutive ids as a range: an import's ids are one run, and
    a list of a hundred thousand parameters costs seconds to build and send."""
    ordered = sorted(ids)
    singles: list[int] = []
    condition = Q(pk__in=[])
    start = 0
    for end in range(1, len(ordered) + 1):
        if end < len(ordered) and ordered[end] == ordered[end - 1] + 1:
            continue
        run = ordered[start:end]
        if len(run) >= 3:
            condition |= Q(pk__range=(run[0], run[-1]))
        else:
            singles.extend(run)
        start = end
    return condition | Q(pk__in=singles) if singles else condition


def _check(ids: set[int]) -> list[MissingPersonMatch]:
    # New victims are compared with missing-person reports and new reports with victims: a role
    # is only worth reading among the new ids if the other role is recorded somewhere (a bulk
    # import of victims into a registry without reports reads nothing).
    pairs = {ParticipationRole.MISSING_PERSON: ParticipationRole.VICTIM, ParticipationRole.VICTIM: ParticipationRole.MISSING_PERSON}
    roles = [role for role, other in pairs.items() if Participation.objects.filter(role=other).exists()]
    if not roles:
        return []
    new = list(
        Participation.objects.filter(_ids_condition(ids), role__in=roles)
        .values_list("pk", "person_id", "case_id", "case__owner_institution_id", "role")
    )
    if not new:
        return []
    found: list[_Found] = []
    for role, other_role in (
        (ParticipationRole.MISSING_PERSON, ParticipationRole.VICTIM),
        (ParticipationRole.VICTIM, ParticipationRole.MISSING_PERSON),
    ):
        mine = [row for row in new if row[4] == role]
        if mine:
            found.extend(_matches_for(mine, other_role=other_role, new_are_missing=role == ParticipationRole.MISSING_PERSON))
    return _alerts_raise(found)


def _matches_for(new: list[tuple[Any, ...]], *, other_role: str, new_are_missing: bool) -> list[_Found]:
    """Match the persons of the `new` participations with those of every `other_role` one."""
    limits = linkage_thresholds()
    new_ids = {row[0] for row in new}
    others = Participation.objects.filter(role=other_role).exclude(pk__in=new_ids)
    new_persons = {row[1] for row in new}
    other_persons = set(others.values_list("person_id", flat=True))
    if not other_persons:
        return []
    # The same person record in both roles is certain; other pairs are scored by the engine.
    person_pairs: dict[tuple[int, int], float] = dict.fromkeys(
        ((person, person) for person in new_persons & other_persons), 1.0
    )
    left = registry_person_frame(persons=Person.objects.filter(pk__in=new_persons))
    right = registry_person_frame(persons=Person.objects.filter(pk__in=others.values("person_id")))
    if len(left) and len(right):
        result = match(left, right, model=_check_model(), train=False, threshold=limits.alert)
        for left_id, right_id, probability in result.pairs.itertuples(index=False):
            key = (int(left_id), int(right_id))
            person_pairs[key] = max(person_pairs.get(key, 0.0), float(probability))
    if not person_pairs:
        return []
    by_person: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for pk, person_id, case_id, institution_id in others.filter(
        person_id__in={pair[1] for pair in person_pairs}
    ).values_list("pk", "person_id", "case_id", "case__owner_institution_id"):
        by_person[person_id].append((pk, case_id, institution_id))
    found = []
    for pk, person_id, case_id, institution_id, _role in new:
        for (left_person, right_person), probability in person_pairs.items():
            if left_person != person_id:
                continue
            for other_pk, other_case, other_institution in by_person[right_person]:
                if other_case == case_id:
                    continue  # the same case: its owner already knows
                missing, victim = (pk, other_pk) if new_are_missing else (other_pk, pk)
                found.append(_Found(missing, victim, probability, frozenset({institution_id, other_institution})))
    return found


def _alerts_raise(found: list[_Found]) -> list[MissingPersonMatch]:
    created: list[MissingPersonMatch] = []
    if not found:
        return created
    with transaction.atomic(durable=True):
        for item in found:
            found_match, is_new = MissingPersonMatch.objects.get_or_create(
                missing_id=item.missing, victim_id=item.victim, defaults={"match_probability": item.probability}
            )
            if not is_new:
                continue
            MatchAlert.objects.bulk_create(
                [MatchAlert(match=found_match, institution_id=i) for i in sorted(item.institutions)],
                ignore_conflicts=True,
            )
            audit_record(actor=None, action="linkage.missing_person_match", obj=found_match, changed_fields=["alerts"])
            created.append(found_match)
    return created


def match_alert_update(*, acting_user: Any, alert_id: int, handled: bool) -> MatchAlert:
    """Mark an alert of the user's institution as handled, or open it again."""
    with transaction.atomic(durable=True):
        alert = MatchAlert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None or not authz.match_alert_visible(acting_user, institution_id=alert.institution_id):
            raise NotFound(_("There is no such alert, or it is not for your institution."))
        if handled == (alert.closed_at is not None):
            return alert
        alert.closed_at = timezone.now() if handled else None
        alert.closed_by = acting_user if handled else None
        alert.save(update_fields=["closed_at", "closed_by"])
        audit_record(actor=acting_user, action="linkage.alert_close" if handled else "linkage.alert_reopen",
                     obj=alert, changed_fields=["closed_at"])  # fmt: skip
    return alert

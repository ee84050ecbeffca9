"""Reading linkage results through the acting user's authorization.

A reviewer sees the candidate pairs of which they may know at least one record (the person
pages' rule, `people.selectors.person_access_many`). Each record's identity is shown only where
the person page would show it, and that display is audited like the person page's; otherwise the
reviewer sees, for each compared field, how much it weighed and how well it agreed, without the
values. The queue list never shows identities.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from alianza.accounts import authz
from alianza.audit.models import AuditEntry
from alianza.cases.models import Case
from alianza.cases.selectors import visible_cases
from alianza.core.errors import NotFound
from alianza.linkage.models import CandidatePair, MatchAlert, PairStatus
from alianza.people.choices import ParticipationRole
from alianza.people.models import Participation, Person
from alianza.people.selectors import PersonAccess, person_access_many, person_identity_audit

# The engine's comparisons, as reviewers read them. A comparison without a label here (a newer
# engine's) is shown under its own name.
COMPARISON_LABELS: dict[str, Promise] = {
    "given_names": gettext_lazy("Given names"),
    "surnames": gettext_lazy("Surnames"),
    "birth_date": gettext_lazy("Date of birth"),
    "document": gettext_lazy("Identity document"),
    "sex": gettext_lazy("Sex"),
    "nationality": gettext_lazy("Nationality"),
    "birth_place": gettext_lazy("Place of birth"),
}

# How strongly a field's contribution (bits of match weight) speaks for or against a match.
BAND_LABELS: dict[str, Promise] = {
    "strong-agreement": pgettext_lazy("linkage evidence", "Strong agreement"),
    "agreement": pgettext_lazy("linkage evidence", "Agreement"),
    "neutral": pgettext_lazy("linkage evidence", "Little or no evidence"),
    "disagreement": pgettext_lazy("linkage evidence", "Disagreement"),
    "strong-disagreement": pgettext_lazy("linkage evidence", "Strong disagreement"),
}


def agreement_band(weight: float) -> str:
    """A field that adds 4 bits or more multiplies the odds of a match by 16 or more."""
    if weight >= 4.0:
        return "strong-agreement"
    if weight >= 0.5:
        return "agreement"
    if weight > -0.5:
        return "neutral"
    if weight > -4.0:
        return "disagreement"
    return "strong-disagreement"


def _comparisons(pair: CandidatePair) -> list[tuple[str, float]]:
    return [(name, float(weight)) for name, weight in pair.explanation.items() if name != "prior"]


def comparison_label(name: str) -> str:
    return str(COMPARISON_LABELS.get(name, name.replace("_", " ")))


# --- which pairs a reviewer has ------------------------------------------------------------------


def known_persons(acting_user: Any) -> QuerySet[Person]:
    """The person records `acting_user` may know of: in a case they may see, or recorded by their
    institution when their role sees identities (as `person_access_many` decides)."""
    if not authz.has_perm(acting_user, authz.Perm.CASE_VIEW):
        return Person.objects.none()
    condition = Q(pk__in=Participation.objects.filter(case__in=visible_cases(acting_user)).values("person_id"))
    if authz.ROLE_CATEGORIES.get(acting_user.role, frozenset()) >= authz.IDENTITY_CATEGORIES:
        condition |= Q(owner_institution_id=acting_user.institution_id)
    return Person.objects.filter(condition)


def _reviewable(acting_user: Any) -> QuerySet[CandidatePair]:
    if not authz.has_perm(acting_user, authz.Perm.LINKAGE_REVIEW):
        return CandidatePair.objects.none()
    known = known_persons(acting_user).values("pk")
    return CandidatePair.objects.filter(Q(left_id__in=known) | Q(right_id__in=known))


def pair_queue(*, acting_user: Any, status: str = PairStatus.PENDING) -> QuerySet[CandidatePair]:
    """The pairs of `status` the user may review, most likely matches first."""
    return (
        _reviewable(acting_user)
        .filter(status=status)
        .select_related("left__owner_institution", "right__owner_institution")
        .order_by("-match_probability", "id")
    )


def pair_status_counts(*, acting_user: Any) -> dict[str, int]:
    counts = dict.fromkeys(PairStatus.values, 0)
    for row in _reviewable(acting_user).order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def pair_reviewable(*, acting_user: Any, pair: CandidatePair) -> bool:
    access = person_access_many(acting_user=acting_user, persons=[pair.left, pair.right])
    return authz.linkage_pair_reviewable(
        acting_user, knows_left=access[pair.left_id].visible, knows_right=access[pair.right_id].visible
    )


def pair_find(*, acting_user: Any, pair_id: int, with_documents: bool = False) -> CandidatePair:
    """A pair the user may review, whatever its status (NotFound otherwise)."""
    pairs = _reviewable(acting_user).select_related("left__owner_institution", "right__owner_institution")
    if with_documents:
        pairs = pairs.prefetch_related("left__documents", "right__documents")
    pair = pairs.filter(pk=pair_id).first()
    if pair is None:
        raise NotFound(_("There is no such candidate pair, or you may not review it."))
    return pair


def pair_next(*, acting_user: Any, after: CandidatePair) -> CandidatePair | None:
    """The next pair awaiting review after `after` in queue order (or the first one)."""
    queue = pair_queue(acting_user=acting_user).exclude(pk=after.pk)
    later = queue.filter(
        Q(match_probability__lt=after.match_probability)
        | Q(match_probability=after.match_probability, id__gt=after.pk)
    ).first()
    return later or queue.first()


# --- the queue list ------------------------------------------------------------------------------


@dataclass
class RecordSummary:
    """One side of a pair in the list: never the identity, only where the record comes from."""

    access: PersonAccess
    institution: str
    roles: list[str]
    references: list[str]


@dataclass
class PairRow:
    pair: CandidatePair
    left: RecordSummary
    right: RecordSummary
    agreeing: list[str]
    disagreeing: list[str]


def _summary(access: PersonAccess) -> RecordSummary:
    roles = sorted({str(c.participation.get_role_display()) for c in access.cases})
    institution = access.person.owner_institution
    return RecordSummary(
        access=access,
        institution=institution.short_name or institution.name,
        roles=roles,
        references=[c.case.reference for c in access.cases[:3]],
    )


def pair_rows(*, acting_user: Any, pairs: Iterable[CandidatePair]) -> list[PairRow]:
    """The list's rows, in a fixed number of queries whatever the page size."""
    pairs = list(pairs)
    persons = {p.pk: p for pair in pairs for p in (pair.left, pair.right)}
    access = person_access_many(acting_user=acting_user, persons=persons.values())
    rows = []
    for pair in pairs:
        comparisons = _comparisons(pair)
        rows.append(
            PairRow(
                pair=pair,
                left=_summary(access[pair.left_id]),
                right=_summary(access[pair.right_id]),
                agreeing=[comparison_label(n) for n, w in comparisons if w >= 0.5],
                disagreeing=[comparison_label(n) for n, w in comparisons if w <= -0.5],
            )
        )
    return rows


# --- one pair --------------------------------------------------------------------------------------


@dataclass
class FieldComparison:
    name: str
    label: str
    weight: float
    band: str
    band_label: str
    left: str | None  # None when the reviewer may not see that record's identity
    right: str | None


@dataclass
class PairDetail:
    pair: CandidatePair
    left: RecordSummary
    right: RecordSummary
    fields: list[FieldComparison] = field(default_factory=list)
    prior: float = 0.0
    history: list[AuditEntry] = field(default_factory=list)

    @property
    def decidable(self) -> bool:
        return self.pair.status in (PairStatus.PENDING, PairStatus.AUTOMATIC)

    @property
    def undoable(self) -> bool:
        return self.pair.status in (PairStatus.CONFIRMED, PairStatus.REJECTED)


def _values(person: Person) -> dict[str, str]:
    return {
        "given_names": person.given_names,
        "surnames": " ".join(p for p in (person.first_surname, person.second_surname) if p),
        "birth_date": person.birth_date,
        "document": "; ".join(f"{d.document_type} {d.number_as_entered}".strip() for d in person.documents.all()),
        "sex": str(person.get_sex_display()) if person.sex else "",
        "nationality": ", ".join(person.citizenships),
        "birth_place": "",  # the registry does not record it
    }


def pair_get(*, acting_user: Any, pair_id: int) -> PairDetail:
    """One pair side by side with each field's contribution. Audits each victim identity shown."""
    pair = pair_find(acting_user=acting_user, pair_id=pair_id, with_documents=True)
    access = person_access_many(acting_user=acting_user, persons=[pair.left, pair.right])
    left, right = access[pair.left_id], access[pair.right_id]
    left_values = _values(pair.left) if left.identity_visible else None
    right_values = _values(pair.right) if right.identity_visible else None
    fields = []
    for name, weight in _comparisons(pair):
        band = agreement_band(weight)
        fields.append(
            FieldComparison(
                name=name, label=comparison_label(name), weight=weight, band=band, band_label=str(BAND_LABELS[band]),
                left=left_values.get(name, "") if left_values is not None else None,
                right=right_values.get(name, "") if right_values is not None else None,
            )
        )  # fmt: skip
    history = list(
        AuditEntry.objects.filter(object_type="linkage.candidatepair", object_id=str(pair.pk)).order_by("-seq")[:50]
    )
    person_identity_audit(acting_user=acting_user, accesses=[left, right])
    return PairDetail(
        pair=pair, left=_summary(left), right=_summary(right), fields=fields,
        prior=float(pair.explanation.get("prior", 0.0)), history=history,
    )  # fmt: skip


# --- missing-person alerts ---------------------------------------------------------------------------


@dataclass
class AlertSide:
    role: str  # "missing_person" or "victim"
    participation: Participation
    case: Case
    institution: str
    named: bool  # whether the alert may give the case's reference
    mine: bool


@dataclass
class AlertView:
    alert: MatchAlert
    missing: AlertSide
    victim: AlertSide

    @property
    def sides(self) -> list[AlertSide]:
        return [self.missing, self.victim]


def _alerts(acting_user: Any) -> QuerySet[MatchAlert]:
    if not authz.has_perm(acting_user, authz.Perm.LINKAGE_ALERTS):
        return MatchAlert.objects.none()
    return MatchAlert.objects.filter(institution_id=acting_user.institution_id)


def match_alert_open_count(*, acting_user: Any) -> int:
    return _alerts(acting_user).filter(closed_at__isnull=True).count()


def _side(acting_user: Any, participation: Participation, role: str) -> AlertSide:
    case = participation.case
    institution = case.owner_institution
    return AlertSide(
        role=role,
        participation=participation,
        case=case,
        institution=institution.short_name or institution.name,
        named=authz.match_alert_names_case(
            acting_user, owner_institution_id=case.owner_institution_id, restricted=case.is_restricted
        ),
        mine=case.owner_institution_id == acting_user.institution_id,
    )


def match_alert_list(*, acting_user: Any, handled: bool = False) -> QuerySet[MatchAlert]:
    """The alerts of the user's institution, open ones (or handled ones), newest first."""
    return (
        _alerts(acting_user)
        .filter(closed_at__isnull=not handled)
        .select_related(
            "match__missing__case__owner_institution", "match__victim__case__owner_institution", "closed_by"
        )
        .order_by("-created_at", "-id")
    )


def match_alert_views(*, acting_user: Any, alerts: Sequence[MatchAlert]) -> list[AlertView]:
    """What each alert may say: case references and institutions, never who is in the cases."""
    return [
        AlertView(
            alert=alert,
            missing=_side(acting_user, alert.match.missing, ParticipationRole.MISSING_PERSON),
            victim=_side(acting_user, alert.match.victim, ParticipationRole.VICTIM),
        )
        for alert in alerts
    ]

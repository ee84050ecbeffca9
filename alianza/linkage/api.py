"""API operations of the linkage review queue and the missing-person alerts.

They go through the same selectors and services as the pages. The API never returns identities:
a pair's records come with their person id where the reviewer may know of them (the person's own
operation, `person_read`, shows the identity to whoever may see it, and audits it); decisions
carry the `version` they were based on, and a stale one is answered with 409.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from alianza.api.pagination import MAX_LIMIT, MAX_OFFSET
from alianza.api.schemas import ErrorOut, InputSchema
from alianza.api.security import request_user
from alianza.linkage import selectors, services
from alianza.linkage.models import CandidatePair, PairStatus

router = Router(tags=["linkage"])
ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class PairQuery(Schema):
    status: PairStatus = Field(PairStatus.PENDING, description="pending, automatic, confirmed, rejected or retired.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Items per page.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


class RecordOut(Schema):
    person_id: int | None = Field(description="Null when you may not know of this record.")
    institution: str = Field(description="The institution that recorded it.")
    roles: list[str] = Field(description="Its roles in the cases you may see.")
    case_references: list[str] = Field(description="References of up to three cases you may see.")


class ComparisonOut(Schema):
    name: str = Field(description="The engine's comparison: given_names, surnames, birth_date, document, ...")
    weight: float = Field(description="Contribution to the match weight, in bits.")
    agreement: str = Field(description="strong-agreement, agreement, neutral, disagreement or strong-disagreement.")


class PairOut(Schema):
    id: int
    status: str
    match_probability: float
    match_weight: float
    prior: float = Field(description="The starting weight in bits; with the comparisons it adds up to match_weight.")
    comparisons: list[ComparisonOut]
    left: RecordOut
    right: RecordOut
    version: int
    decided_at: dt.datetime | None


class PairListOut(Schema):
    count: int
    items: list[PairOut]


class DecisionIn(InputSchema):
    version: int = Field(ge=0, le=2**31, description="The version you read; a newer one on the server means 409.")


def _record(summary: selectors.RecordSummary) -> RecordOut:
    return RecordOut(
        person_id=summary.access.person.pk if summary.access.visible else None,
        institution=summary.institution,
        roles=[c.participation.role for c in summary.access.cases],
        case_references=summary.references,
    )


def _pair_out(row: selectors.PairRow) -> PairOut:
    pair = row.pair
    return PairOut(
        id=pair.pk, status=pair.status, match_probability=pair.match_probability, match_weight=pair.match_weight,
        prior=float(pair.explanation.get("prior", 0.0)),
        comparisons=[
            ComparisonOut(name=name, weight=float(weight), agreement=selectors.agreement_band(float(weight)))
            for name, weight in pair.explanation.items() if name != "prior"
        ],
        left=_record(row.left), right=_record(row.right), version=pair.version, decided_at=pair.decided_at,
    )  # fmt: skip


def _read(request: HttpRequest, pair: CandidatePair) -> PairOut:
    rows = selectors.pair_rows(acting_user=request_user(request), pairs=[pair])
    return _pair_out(rows[0])


@router.get("/linkage/pairs", response={200: PairListOut, **ERRORS})
def linkage_pair_list(request: HttpRequest, query: Query[PairQuery]) -> PairListOut:
    """Candidate pairs you may review, most likely matches first, without identities."""
    user = request_user(request)
    pairs = selectors.pair_queue(acting_user=user, status=query.status)
    page = list(pairs[query.offset : query.offset + query.limit])
    return PairListOut(count=pairs.count(), items=[_pair_out(r) for r in selectors.pair_rows(acting_user=user, pairs=page)])


@router.get("/linkage/pairs/{pair_id}", response={200: PairOut, **ERRORS})
def linkage_pair_read(request: HttpRequest, pair_id: int) -> PairOut:
    """One candidate pair: each comparison's weight and agreement, without the values."""
    return _read(request, selectors.pair_find(acting_user=request_user(request), pair_id=pair_id))


@router.post("/linkage/pairs/{pair_id}/confirm", response={200: PairOut, **ERRORS})
def linkage_pair_confirm(request: HttpRequest, pair_id: int, payload: DecisionIn) -> PairOut:
    """The two records are the same person. 409 when the pair was decided meanwhile."""
    pair = services.pair_confirm(acting_user=request_user(request), pair_id=pair_id, expected_version=payload.version)
    return _read(request, pair)


@router.post("/linkage/pairs/{pair_id}/reject", response={200: PairOut, **ERRORS})
def linkage_pair_reject(request: HttpRequest, pair_id: int, payload: DecisionIn) -> PairOut:
    """The two records are different persons. 409 when the pair was decided meanwhile."""
    pair = services.pair_reject(acting_user=request_user(request), pair_id=pair_id, expected_version=payload.version)
    return _read(request, pair)


@router.post("/linkage/pairs/{pair_id}/undo", response={200: PairOut, **ERRORS})
def linkage_pair_undo(request: HttpRequest, pair_id: int, payload: DecisionIn) -> PairOut:
    """Withdraw a confirmation or rejection. 409 when there is none, or the version is stale."""
    pair = services.pair_undo(acting_user=request_user(request), pair_id=pair_id, expected_version=payload.version)
    return _read(request, pair)


class AlertQuery(Schema):
    handled: bool = Field(False, description="List handled alerts instead of open ones.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Items per page.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


class AlertCaseOut(Schema):
    case_id: int | None = Field(description="Null when the case is another institution's restricted case.")
    reference: str | None = Field(description="Null when the case is another institution's restricted case.")
    institution: str
    yours: bool


class AlertOut(Schema):
    id: int
    missing_person_case: AlertCaseOut
    victim_case: AlertCaseOut
    match_probability: float
    created_at: dt.datetime
    handled_at: dt.datetime | None


class AlertListOut(Schema):
    count: int
    items: list[AlertOut]


class AlertUpdateIn(InputSchema):
    handled: bool = Field(description="True marks the alert as handled; false opens it again.")


def _alert_case(side: selectors.AlertSide) -> AlertCaseOut:
    return AlertCaseOut(
        case_id=side.case.pk if side.named else None, reference=side.case.reference if side.named else None,
        institution=side.institution, yours=side.mine,
    )  # fmt: skip


def _alert_out(view: selectors.AlertView) -> AlertOut:
    return AlertOut(
        id=view.alert.pk, missing_person_case=_alert_case(view.missing), victim_case=_alert_case(view.victim),
        match_probability=view.alert.match.match_probability, created_at=view.alert.created_at,
        handled_at=view.alert.closed_at,
    )  # fmt: skip


@router.get("/linkage/alerts", response={200: AlertListOut, **ERRORS})
def linkage_alert_list(request: HttpRequest, query: Query[AlertQuery]) -> AlertListOut:
    """Missing-person match alerts of your institution: case references, never identities."""
    user = request_user(request)
    alerts = selectors.match_alert_list(acting_user=user, handled=query.handled)
    page = list(alerts[query.offset : query.offset + query.limit])
    return AlertListOut(
        count=alerts.count(), items=[_alert_out(v) for v in selectors.match_alert_views(acting_user=user, alerts=page)]
    )


@router.post("/linkage/alerts/{alert_id}", response={200: AlertOut, **ERRORS})
def linkage_alert_update(request: HttpRequest, alert_id: int, payload: AlertUpdateIn) -> AlertOut:
    """Mark an alert of your institution as handled, or open it again."""
    user = request_user(request)
    services.match_alert_update(acting_user=user, alert_id=alert_id, handled=payload.handled)
    alert = selectors.match_alert_list(acting_user=user, handled=payload.handled).get(pk=alert_id)
    return _alert_out(selectors.match_alert_views(acting_user=user, alerts=[alert])[0])

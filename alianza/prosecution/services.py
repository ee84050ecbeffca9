"""Recording how the proceeding against each suspect advances, stage by stage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from alianza.audit.services import audit_record
from alianza.cases.services import case_for_update, case_touch
from alianza.core.errors import NotFound, ValidationFailed
from alianza.people.choices import ParticipationRole
from alianza.people.models import Participation
from alianza.prosecution.models import STAGE_DATE_FIELD, Proceeding, ProceedingStage


def proceeding_record_stage_in_transaction(
    *, acting_user: Any, participation: Participation, stage: str, on: dt.date | None
) -> Proceeding:
    if participation.role != ParticipationRole.SUSPECT:
        raise ValidationFailed(_("Proceedings are recorded for suspects only."))
    if stage not in ProceedingStage.values:
        raise ValidationFailed(_("Choose investigated, charged, prosecuted, convicted or acquitted."))
    proceeding, _created = Proceeding.objects.get_or_create(participation=participation)
    proceeding.stage = stage
    date_field = STAGE_DATE_FIELD[ProceedingStage(stage)]
    if on is not None:
        setattr(proceeding, date_field, on)
    proceeding.save()
    audit_record(
        actor=acting_user, action="case.proceeding_stage", obj=participation.case,
        changed_fields=["proceeding.stage", f"proceeding.{date_field}"],
    )
    return proceeding


def proceeding_record_stage(
    *, acting_user: Any, participation_id: int, stage: str, on: dt.date | None = None
) -> Proceeding:
    """Move the proceeding against a suspect to `stage`, reached on date `on`."""
    with transaction.atomic(durable=True):
        case_id = Participation.objects.filter(pk=participation_id).values_list("case_id", flat=True).first()
        if case_id is None:
            raise NotFound(_("There is no such participation."))
        case = case_for_update(acting_user=acting_user, case_id=case_id, expected_version=None)
        participation = Participation.objects.get(pk=participation_id)
        participation.case = case
        proceeding = proceeding_record_stage_in_transaction(
            acting_user=acting_user, participation=participation, stage=stage, on=on
        )
        case_touch(case)
    return proceeding

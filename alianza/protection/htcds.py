"""How protection records map to HTCDS 2.0 fields (support plan spl_*, consent con_*, referral
cas_*Referral*), for the case registry's HTCDS export and for partners.

Our values for plan types and referral reasons are the HTCDS picklist values themselves.
"""

from __future__ import annotations

from typing import Any

from alianza.protection.choices import ReferralAction, ReferralKind
from alianza.protection.models import Consent, Referral, SupportPlan


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return (value.date() if hasattr(value, "date") and callable(value.date) else value).isoformat()


def support_plan_htcds(plan: SupportPlan) -> dict[str, Any]:
    actions = [f"{a.planned_on.isoformat()}: {a.description}" for a in plan.actions.all()]
    return {
        "spl_Type": plan.plan_type,
        "spl_Objectives": plan.objectives,
        "spl_ActionPlan": "\n".join(filter(None, [plan.action_plan, *actions])),
        "spl_PlannedEndDate": _iso(plan.planned_end_on),
        "spl_ActualEndDate": _iso(plan.actual_end_on),
    }


def consent_htcds(consents: list[Consent]) -> dict[str, Any]:
    """con_Consent is one checkbox in HTCDS; it is true while any consent of the person stands."""
    return {"con_Consent": any(c.withdrawn_at is None for c in consents)}


def referral_htcds(referral: Referral) -> dict[str, Any]:
    accepted = next((e for e in referral.events.all() if e.action == ReferralAction.ACCEPT), None)
    referred = (
        referral.to_institution.name if referral.kind == ReferralKind.NATIONAL and referral.to_institution
        else referral.partner_country
    )
    return {
        "cas_ReferringOrganisation": referral.from_institution.name,
        "cas_ReferredOrganisation": referred,
        "cas_OutgoingReferralDate": _iso(referral.proposed_at),
        "cas_ReasonForOutgoingReferral": referral.reason,
        "cas_OutgoingReferralDetails": referral.details,
        "cas_IncomingReferralDate": _iso(accepted.at) if accepted else None,
    }

"""Enumerations of the protection context. Values that exist in HTCDS 2.0 are kept verbatim."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceKind(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    HEALTH = "health", _("Health care")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    EDUCATION = "education", _("Education")
    LIVELIHOOD = "livelihood", _("Livelihood")
    REPATRIATION = "repatriation", _("Repatriation")
    FAMILY_REUNIFICATION = "family_reunification", _("Family reunification")
    # The Defensoría de la Niñez y Adolescencia: every child's referral must involve one.
    CHILD_PROTECTION = "child_protection", _("Child-protection authority")


class ProfileSex(models.TextChoices):
    FEMALE = "F", _("Women and girls")
    MALE = "M", _("Men and boys")


class ScreeningMethod(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    SCREENING_TOOL = "screening_tool", _("Screening questionnaire (IOM tool)")
    DOCUMENT_REVIEW = "document_review", _("Review of documents and records")
    REFERRAL_INFORMATION = "referral_information", _("Information from the referring agency")


class RiskDomain(models.TextChoices):
    # HTCDS 2.0 "Assessment and Planning": individual, household and community risk.
    INDIVIDUAL = "individual", _("Individual")
    FAMILY = "family", _("Family and household")
    COMMUNITY = "community", _("Community")


class RiskAnswer(models.TextChoices):
    YES = "yes", _("Yes, a risk factor")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class ConsentPurpose(models.TextChoices):
    SUPPORT = "support", _("Support, including referral to service providers")
    SHARE_WITH_PARTNER = "share_with_partner", _("Sharing with a partner country")
    CONTACT_BY_AUTHORITIES = "contact_by_authorities", _("Contact by the authorities")


class SupportPlanType(models.TextChoices):
    # HTCDS 2.0 spl_Type, verbatim.
    EDUCATION = "Education", _("Education")
    FINANCIAL = "Financial", _("Financial")
    HEALTH = "Health", _("Health")
    LABOUR_REHABILITATION = "LabourExploitationRehabilitation", _("Labour exploitation rehabilitation")
    LEGAL = "Legal", _("Legal")
    LIVELIHOOD = "Livelihood", _("Livelihood")
    RIGHTS_TRAINING = "RightsBasedTraining", _("Rights-based training")
    SEXUAL_REHABILITATION = "SexualExploitationRehabilitation", _("Sexual exploitation rehabilitation")
    SOCIAL_CARE = "SocialCare", _("Social care")


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed without completion")


class ReferralKind(models.TextChoices):
    NATIONAL = "national", _("National")
    TRANSNATIONAL = "transnational", _("Transnational")


class ReferralReason(models.TextChoices):
    # HTCDS 2.0 cas_ReasonForOutgoingReferral, verbatim.
    ADDITIONAL_SERVICES = "AdditionalServicesRequired", _("Additional services required")
    MIGRATION = "MigrationOrChangeOfLocation", _("Migration or change of location")
    OTHER = "Other", _("Other")


class ReferralState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    IN_SERVICE = "in_service", _("In service")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_REFERRAL_STATES = frozenset({ReferralState.PROPOSED, ReferralState.ACCEPTED, ReferralState.IN_SERVICE})


class ExchangeQueueStatus(models.TextChoices):
    NOT_APPLICABLE = "", _("Not applicable")
    QUEUED = "queued", _("Queued until the exchange can carry it")
    SENT = "sent", _("Sent")
    WITHHELD = "withheld", _("Withheld: consent withdrawn")


class ReferralGrant(models.TextChoices):
    """What a referral lets the receiving institution see of the victim."""

    NAME = "name", _("Name")
    SEX_AND_AGE = "sex_and_age", _("Sex and age")
    NATIONALITY = "nationality", _("Nationality")
    CONTACTS = "contacts", _("Contact details")
    RISK = "risk", _("Risk assessment")
    SUPPORT_PLAN = "support_plan", _("Support plan")
    CASE_SUMMARY = "case_summary", _("Case summary (crime and forms of exploitation)")


# Grants that reveal who the victim is; for a child they are limited further by authz.
IDENTITY_GRANTS = frozenset({ReferralGrant.NAME, ReferralGrant.CONTACTS})


class ReferralAction(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Reject")
    START = "start", _("Start the service")
    COMPLETE = "complete", _("Complete")
    CANCEL = "cancel", _("Cancel")
    FIRST_CONTACT = "first_contact", _("Record the first contact")


# How each step in a referral's history reads (ReferralEvent.action).
EVENT_LABELS = {
    "proposed": _("Proposed"),
    "consent_overridden": _("Consent overridden by a coordinator"),
    "consent_withdrawn": _("Consent withdrawn"),
    "first_contact": _("First contact made"),
    "dispatched": _("Sent to the partner country through the exchange"),
    ReferralAction.ACCEPT: _("Accepted"),
    ReferralAction.REJECT: _("Rejected"),
    ReferralAction.START: _("Service started"),
    ReferralAction.COMPLETE: _("Completed"),
    ReferralAction.CANCEL: _("Cancelled"),
}

"""Victim protection and support: the services directory, screening, risk, consent, support plans,
services delivered, and national and transnational referrals.

Writes go through `alianza.protection.services`, reads through `alianza.protection.selectors`,
which ask `alianza.accounts.authz` what each user may see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from alianza.accounts.models import Institution
from alianza.cases.choices import Department
from alianza.cases.models import MultilingualLabel
from alianza.people.choices import StatusDecidedBy, TraffickingStatus
from alianza.people.models import Participation
from alianza.protection.choices import (
    ConsentPurpose,
    ExchangeQueueStatus,
    PlanStatus,
    ProfileSex,
    ReferralKind,
    ReferralReason,
    ReferralState,
    RiskAnswer,
    RiskDomain,
    RiskLevel,
    ScreeningMethod,
    ServiceKind,
    SupportPlanType,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ServiceProvider(models.Model):
    """One service of an institution: a shelter, a health centre, legal aid and so on."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="service_providers"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of service"), max_length=24, choices=ServiceKind.choices)
    country = models.CharField(_("country"), max_length=3, default="BOL", help_text=_("ISO 3166-1 alpha-3."))
    department = models.CharField(_("department"), max_length=5, choices=Department.choices, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    beds = models.PositiveIntegerField(_("beds"), null=True, blank=True)
    occupied_beds = models.PositiveIntegerField(_("occupied beds"), default=0)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    # Blank accepts everyone.
    accepted_sex = models.CharField(_("accepts"), max_length=1, choices=ProfileSex.choices, blank=True)
    accepted_nationalities = models.CharField(
        _("accepted nationalities"), max_length=200, blank=True,
        help_text=_("ISO 3166-1 alpha-3 codes separated by commas; blank accepts every nationality."),
    )
    first_contact_hours = models.PositiveSmallIntegerField(
        _("first contact within (hours)"), default=72,
        help_text=_("How soon after a referral the provider must contact the person."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["country", "department", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="serviceprovider_unique_name"),
            models.CheckConstraint(
                condition=Q(beds__isnull=True) | Q(occupied_beds__lte=F("beds")),
                name="serviceprovider_occupancy_within_beds",
            ),
        ]
        indexes = [models.Index(fields=["kind", "department"])]

    def __str__(self) -> str:
        return self.name

    @property
    def nationality_codes(self) -> list[str]:
        return [c for c in self.accepted_nationalities.split(",") if c]

    @property
    def free_beds(self) -> int | None:
        return None if self.beds is None else max(self.beds - self.occupied_beds, 0)


def _user_fk(label: StrOrPromise, *, null: bool = False) -> models.ForeignKey[Any, Any]:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=label, on_delete=models.PROTECT, related_name="+",
        null=null, blank=null,
    )


class Screening(models.Model):
    """An identification screening: who screened the person, how, and the HTCDS status decision."""

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="screenings")
    screened_by = _user_fk(_("screened by"))
    screened_on = models.DateField(_("date of screening"))
    method = models.CharField(_("method"), max_length=24, choices=ScreeningMethod.choices)
    result = models.CharField(_("result"), max_length=32, choices=TraffickingStatus.choices)
    decided_by = models.CharField(_("status decided by"), max_length=40, choices=StatusDecidedBy.choices)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("identification screening")
        verbose_name_plural = _("identification screenings")
        ordering = ["-screened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.participation_id}: {self.result}"


class RiskQuestion(MultilingualLabel):
    """One question of the risk assessment form; reference data an administrator edits."""

    domain = models.CharField(_("domain"), max_length=12, choices=RiskDomain.choices)
    code = models.CharField(_("code"), max_length=40, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("risk question")
        verbose_name_plural = _("risk questions")
        ordering = ["domain", "sort_order", "code"]


class RiskAssessment(models.Model):
    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="risk_assessments")
    assessed_by = _user_fk(_("assessed by"))
    assessed_on = models.DateField(_("date of assessment"))
    level = models.CharField(_("overall risk"), max_length=8, choices=RiskLevel.choices)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.participation_id}: {self.level}"


class RiskAssessmentAnswer(models.Model):
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(RiskQuestion, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(_("answer"), max_length=8, choices=RiskAnswer.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question"], name="riskanswer_unique_question"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.answer}"


class Consent(models.Model):
    """Consent for one purpose (HTCDS con_Consent, per purpose). Withdrawal ends it at once."""

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=24, choices=ConsentPurpose.choices)
    partner_country = models.CharField(
        _("partner country"), max_length=3, blank=True, help_text=_("ISO 3166-1 alpha-3; for sharing only.")
    )
    given_on = models.DateField(_("date given"))
    informed_of_withdrawal = models.BooleanField(_("informed of how to withdraw consent"), default=False)
    recorded_by = _user_fk(_("recorded by"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = _user_fk(_("withdrawal recorded by"), null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose=ConsentPurpose.SHARE_WITH_PARTNER, partner_country__regex=r"^[A-Z]{3}$")
                | (~Q(purpose=ConsentPurpose.SHARE_WITH_PARTNER) & Q(partner_country="")),
                name="consent_partner_country_for_sharing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participation_id}: {self.purpose} {self.partner_country}".strip()

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class SupportPlan(models.Model):
    """A support plan (HTCDS spl_*): its type, objectives, actions and dates."""

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="support_plans")
    plan_type = models.CharField(_("type"), max_length=40, choices=SupportPlanType.choices)
    objectives = models.TextField(_("objectives"))
    action_plan = models.TextField(_("action plan"), blank=True)
    planned_start_on = models.DateField(_("planned start"), null=True, blank=True)
    planned_end_on = models.DateField(_("planned end"), null=True, blank=True)
    actual_end_on = models.DateField(_("actual end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    created_by = _user_fk(_("created by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.participation_id}: {self.plan_type}"


class SupportAction(models.Model):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("action"), max_length=300)
    provider = models.ForeignKey(
        ServiceProvider, verbose_name=_("service provider"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    planned_on = models.DateField(_("planned date"))
    done_on = models.DateField(_("actual date"), null=True, blank=True)

    class Meta:
        verbose_name = _("support action")
        verbose_name_plural = _("support actions")
        ordering = ["planned_on", "id"]

    def __str__(self) -> str:
        return self.description


class ServiceDelivery(models.Model):
    """A service actually delivered to the person."""

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="service_deliveries")
    provider = models.ForeignKey(
        ServiceProvider, verbose_name=_("service provider"), on_delete=models.PROTECT, related_name="deliveries"
    )
    plan = models.ForeignKey(
        SupportPlan, verbose_name=_("support plan"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="deliveries",
    )
    delivered_on = models.DateField(_("date delivered"))
    description = models.CharField(_("description"), max_length=300)
    recorded_by = _user_fk(_("recorded by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service delivered")
        verbose_name_plural = _("services delivered")
        ordering = ["-delivered_on", "-id"]

    def __str__(self) -> str:
        return self.description


class Referral(models.Model):
    """A referral of a victim to a provider of another institution or to a partner country's node."""

    participation = models.ForeignKey(Participation, on_delete=models.PROTECT, related_name="referrals")
    kind = models.CharField(_("kind"), max_length=16, choices=ReferralKind.choices)
    from_institution = models.ForeignKey(
        Institution, verbose_name=_("referring institution"), on_delete=models.PROTECT, related_name="+"
    )
    # National: the provider, and its institution (kept for the visibility queries).
    to_provider = models.ForeignKey(
        ServiceProvider, verbose_name=_("service provider"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="referrals",
    )
    to_institution = models.ForeignKey(
        Institution, verbose_name=_("receiving institution"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    # Transnational: the partner country whose node receives it.
    partner_country = models.CharField(_("partner country"), max_length=3, blank=True)
    # A child's referral also goes to the child-protection authority, which sees what is granted.
    child_protection_provider = models.ForeignKey(
        ServiceProvider, verbose_name=_("child-protection authority"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="child_referrals",
    )
    reason = models.CharField(_("reason"), max_length=32, choices=ReferralReason.choices)
    details = models.TextField(_("details"), blank=True)
    granted = models.JSONField(_("information granted"), default=list)
    consent = models.ForeignKey(
        Consent, verbose_name=_("consent"), on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    consent_override_reason = models.TextField(_("reason for proceeding without consent"), blank=True)
    consent_overridden_by = _user_fk(_("consent overridden by"), null=True)
    state = models.CharField(
        _("state"), max_length=12, choices=ReferralState.choices, default=ReferralState.PROPOSED
    )
    state_reason = models.TextField(_("reason for the last change"), blank=True)
    is_child = models.BooleanField(_("child at referral"), default=False)
    proposed_at = models.DateTimeField(_("proposed"))
    first_contact_due_at = models.DateTimeField(_("first contact due"))
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    exchange_status = models.CharField(
        _("exchange"), max_length=10, choices=ExchangeQueueStatus.choices, blank=True, default=""
    )
    # The exchange's request for assistance that carries a transnational referral.
    exchange_reference = models.CharField(_("exchange request"), max_length=80, blank=True, default="")
    created_by = _user_fk(_("referred by"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=ReferralKind.NATIONAL, to_provider__isnull=False, to_institution__isnull=False)
                    | Q(kind=ReferralKind.TRANSNATIONAL, partner_country__regex=r"^[A-Z]{3}$")
                ),
                name="referral_has_destination",
            ),
            models.CheckConstraint(
                condition=Q(consent__isnull=False) | ~Q(consent_override_reason=""),
                name="referral_consent_or_override",
            ),
        ]
        indexes = [
            models.Index(fields=["to_institution", "state"]),
            models.Index(fields=["from_institution", "state"]),
            models.Index(fields=["state", "first_contact_due_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.state}"


class ReferralEvent(models.Model):
    """The history of a referral, one row per change; each also has its audit entry."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    actor = _user_fk(_("by"), null=True)
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=12, choices=ReferralState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=ReferralState.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")
        ordering = ["referral", "at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.action}"

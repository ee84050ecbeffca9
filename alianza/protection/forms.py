"""Web forms of the protection pages. They only parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from alianza.cases.choices import Department
from alianza.people.choices import StatusDecidedBy, TraffickingStatus
from alianza.protection.choices import (
    ConsentPurpose,
    PlanStatus,
    ReferralGrant,
    ReferralReason,
    RiskAnswer,
    RiskLevel,
    ScreeningMethod,
    ServiceKind,
    SupportPlanType,
)
from alianza.protection.models import RiskQuestion, ServiceProvider

_DATE = forms.DateInput(attrs={"type": "date"})


def _blank(choices: Any, label: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class ProviderFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of service"), required=False,
                             choices=_blank(ServiceKind.choices, _("Any kind")))
    department = forms.ChoiceField(label=_("Department"), required=False,
                                   choices=_blank(Department.choices, _("Any department")))
    country = forms.CharField(label=_("Country"), required=False, max_length=3,
                              help_text=_("ISO 3166-1 alpha-3, e.g. BOL."))
    age = forms.IntegerField(label=_("Age of the person"), required=False, min_value=0, max_value=120)
    sex = forms.ChoiceField(label=_("Sex of the person"), required=False,
                            choices=[("", _("Any")), ("F", _("Female")), ("M", _("Male"))])
    with_free_beds = forms.BooleanField(label=_("Only shelters with free beds"), required=False)

    def clean_country(self) -> str:
        return str(self.cleaned_data.get("country") or "").upper()


class ScreeningForm(forms.Form):
    screened_on = forms.DateField(label=_("Date of screening"), widget=_DATE)
    method = forms.ChoiceField(label=_("Method"), choices=ScreeningMethod.choices)
    result = forms.ChoiceField(label=_("Result"), choices=TraffickingStatus.choices)
    decided_by = forms.ChoiceField(label=_("Status decided by"), choices=StatusDecidedBy.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RiskAssessmentForm(forms.Form):
    """One field per active question, grouped by domain; the questions are reference data."""

    assessed_on = forms.DateField(label=_("Date of assessment"), widget=_DATE)
    level = forms.ChoiceField(label=_("Overall risk"), required=False,
                              choices=_blank(RiskLevel.choices, _("Suggest from the answers")))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, questions: QuerySet[RiskQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q_{question.pk}"] = forms.ChoiceField(
                label=question.label, choices=RiskAnswer.choices, widget=forms.RadioSelect,
                initial=RiskAnswer.UNKNOWN,
            )

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data[f"q_{q.pk}"] for q in self.questions}

    def domains(self) -> list[tuple[str, list[forms.BoundField]]]:
        groups: dict[str, list[forms.BoundField]] = {}
        for question in self.questions:
            groups.setdefault(question.get_domain_display(), []).append(self[f"q_{question.pk}"])
        return list(groups.items())


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    partner_country = forms.CharField(label=_("Partner country"), required=False, max_length=60,
                                      help_text=_("For sharing only: ISO code or name, e.g. ARG or Argentina."))
    given_on = forms.DateField(label=_("Date given"), widget=_DATE)
    informed_of_withdrawal = forms.BooleanField(
        label=_("The person was told they may withdraw this consent at any time, and how."), required=True
    )


class SupportPlanForm(forms.Form):
    plan_type = forms.ChoiceField(label=_("Type of plan"), choices=SupportPlanType.choices)
    objectives = forms.CharField(label=_("Objectives"), widget=forms.Textarea(attrs={"rows": 3}))
    action_plan = forms.CharField(label=_("Action plan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    planned_start_on = forms.DateField(label=_("Planned start"), required=False, widget=_DATE)
    planned_end_on = forms.DateField(label=_("Planned end"), required=False, widget=_DATE)
    first_action = forms.CharField(label=_("First action"), required=False, max_length=300)
    first_action_on = forms.DateField(label=_("Planned date of the first action"), required=False, widget=_DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("first_action") and not data.get("first_action_on"):
            self.add_error("first_action_on", _("Give the planned date of the action."))
        return data


class PlanCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"), choices=[(PlanStatus.COMPLETED, PlanStatus.COMPLETED.label),
                                     (PlanStatus.CLOSED, PlanStatus.CLOSED.label)],
    )
    actual_end_on = forms.DateField(label=_("Actual end"), widget=_DATE)


class DeliveryForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("Service provider"), queryset=ServiceProvider.objects.none())
    delivered_on = forms.DateField(label=_("Date delivered"), widget=_DATE)
    description = forms.CharField(label=_("Description"), max_length=300)

    def __init__(self, *args: Any, providers: QuerySet[ServiceProvider], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]


class ReferralForm(forms.Form):
    to_provider = forms.ModelChoiceField(label=_("Service provider"), queryset=ServiceProvider.objects.none(),
                                         required=False)
    partner_country = forms.CharField(
        label=_("Or a partner country (transnational referral)"), required=False, max_length=60,
        help_text=_("Leave empty for a national referral."),
    )
    child_protection_provider = forms.ModelChoiceField(
        label=_("Child-protection authority"), required=False, queryset=ServiceProvider.objects.none(),
        help_text=_("Required when the person is a child."),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=ReferralReason.choices)
    granted = forms.MultipleChoiceField(
        label=_("What the receiving institution may see"), choices=ReferralGrant.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    details = forms.CharField(label=_("Details and arrangements"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, providers: QuerySet[ServiceProvider], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_provider"].queryset = providers.exclude(kind=ServiceKind.CHILD_PROTECTION)  # type: ignore[attr-defined]
        self.fields["child_protection_provider"].queryset = providers.filter(  # type: ignore[attr-defined]
            kind=ServiceKind.CHILD_PROTECTION
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("to_provider")) == bool(data.get("partner_country")):
            raise forms.ValidationError(_("Choose either a service provider or a partner country."))
        return data


class OverrideReferralForm(ReferralForm):
    consent_override_reason = forms.CharField(
        label=_("Why the referral goes ahead without consent"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the referral's history and the audit trail."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

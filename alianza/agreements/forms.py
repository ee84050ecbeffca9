"""Forms for the coordinators' agreement pages; the services do the validation that matters."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alianza.agreements.models import (
    CATEGORY_LABELS,
    Agreement,
    KeyUse,
    LegalBasis,
    PartnerNode,
    Purpose,
)

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgreementForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("Data categories"),
        choices=[(str(c), label) for c, label in CATEGORY_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes"), choices=Purpose.choices, widget=forms.CheckboxSelectMultiple
    )
    victim_legal_bases = forms.MultipleChoiceField(
        label=_("Legal bases for victim identity"),
        choices=LegalBasis.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Without one of these, victim identity goes only with the victim's recorded consent."),
    )

    class Meta:
        model = Agreement
        fields = [
            "reference", "partner_country", "title", "type", "signed_on", "in_force_from", "expires_on",
            "scope", "categories", "victim_legal_bases", "purposes", "handling_code", "retention_days",
            "focal_points",
        ]
        widgets = {"signed_on": _DATE, "in_force_from": _DATE, "expires_on": _DATE,
                   "focal_points": forms.Textarea(attrs={"rows": 3})}


class PartnerNodeForm(forms.ModelForm):
    inbox_url = forms.URLField(
        label=_("Inbox URL"), required=False, assume_scheme="https", max_length=500,
        help_text=_("The partner's …/api/v1/exchange/inbox address."),
    )

    class Meta:
        model = PartnerNode
        fields = ["node_id", "country", "name", "inbox_url"]


class PartnerKeyForm(forms.Form):
    use = forms.ChoiceField(label=_("Use"), choices=KeyUse.choices)
    jwk = forms.CharField(
        label=_("Public key (JWK, JSON)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The partner's public key as published with `alianza keys show`."),
    )
    valid_until = forms.DateTimeField(
        label=_("Valid until"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def clean_jwk(self) -> dict[str, Any]:
        try:
            value = json.loads(self.cleaned_data["jwk"])
        except ValueError as exc:
            raise forms.ValidationError(_("This is not valid JSON.")) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("A key must be a JSON object (a JWK)."))
        return value

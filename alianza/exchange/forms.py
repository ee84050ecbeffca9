"""Forms for liaisons: choosing a partner and the package's terms, requests, uploads."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alianza.agreements.models import HandlingCode, LegalBasis, PartnerNode, Purpose
from alianza.exchange.models import (
    AssistanceRequest,
    InformationGrading,
    RequestStatus,
    RequestType,
    SourceGrading,
)


class SendForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=PartnerNode.objects.filter(is_active=True))
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    source_grading = forms.ChoiceField(label=_("Source grading"), choices=SourceGrading.choices, initial="B")
    information_grading = forms.ChoiceField(
        label=_("Information grading"), choices=InformationGrading.choices, initial="2"
    )
    handling_code = forms.ChoiceField(
        label=_("Handling code"), required=False,
        choices=[("", _("As the agreement says")), *HandlingCode.choices],
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis for victim identity"), required=False,
        choices=[("", _("None: only victims who consented to this partner")), *LegalBasis.choices],
    )
    in_reply_to = forms.ModelChoiceField(
        label=_("Answers request"), required=False,
        queryset=AssistanceRequest.objects.filter(status=RequestStatus.OPEN, direction="incoming"),
    )
    preview_digest = forms.CharField(required=False, widget=forms.HiddenInput)


class RequestForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=PartnerNode.objects.filter(is_active=True))
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("outgoing", _("We ask the partner")), ("incoming", _("The partner asks us"))]
    )
    type = forms.ChoiceField(label=_("Type"), choices=RequestType.choices)
    reference = forms.CharField(
        label=_("Reference"), required=False, max_length=80,
        help_text=_("Leave empty for a new request of ours; for the partner's request, use their reference."),
    )
    case_reference = forms.CharField(label=_("Case"), required=False, max_length=40)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    details = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))


class UploadForm(forms.Form):
    package = forms.FileField(label=_("Package file (.jwe)"))

    def clean_package(self) -> Any:
        upload = self.cleaned_data["package"]
        if upload.size > 1_000_000:
            raise forms.ValidationError(_("This file is too large to be a package."))
        return upload

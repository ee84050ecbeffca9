"""Coordinators' pages for agreements, partner nodes and keys (no case data here)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alianza.agreements import keys, selectors, services
from alianza.agreements.forms import AgreementForm, PartnerKeyForm, PartnerNodeForm
from alianza.agreements.models import CATEGORY_LABELS, Agreement, PartnerKey
from alianza.core.errors import ApplicationError, NotFound


def _apply_errors(form: object, exc: ApplicationError) -> None:
    for field, errors in (exc.extra or {}).items():
        for error in errors if isinstance(errors, list) else [errors]:
            form.add_error(field if field in form.fields else None, str(error))  # type: ignore[attr-defined]
    if not exc.extra:
        form.add_error(None, exc.message)  # type: ignore[attr-defined]


def agreement_list(request: HttpRequest) -> HttpResponse:
    agreements = selectors.agreement_list(acting_user=request.user)
    return render(request, "agreements/agreement_list.html", {
        "agreements": agreements, "category_labels": {str(k): v for k, v in CATEGORY_LABELS.items()},
    })


def agreement_create(request: HttpRequest) -> HttpResponse:
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(acting_user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Agreement %(reference)s saved.") % {"reference": agreement.reference})
            return redirect("agreements:agreement_list")
    return render(request, "agreements/agreement_form.html", {"form": form, "agreement": None})


def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        agreement = selectors.agreement_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    # The form works on its own copy, so the service sees what actually changed.
    form = AgreementForm(request.POST or None, instance=Agreement.objects.get(pk=agreement.pk))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.AGREEMENT_FIELDS}
        data["categories"] = sorted(set(data["categories"]))
        data["purposes"] = sorted(set(data["purposes"]))
        data["victim_legal_bases"] = sorted(set(data["victim_legal_bases"]))
        try:
            services.agreement_update(acting_user=request.user, agreement=agreement, **data)
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Agreement %(reference)s saved.") % {"reference": agreement.reference})
            return redirect("agreements:agreement_list")
    return render(request, "agreements/agreement_form.html", {"form": form, "agreement": agreement})


def node_list(request: HttpRequest) -> HttpResponse:
    nodes = selectors.partner_node_list(acting_user=request.user)
    try:
        own_jwks = json.dumps(keys.public_jwks(), indent=2)
    except ApplicationError as exc:
        own_jwks, keys_error = "", exc.message
    else:
        keys_error = ""
    return render(request, "agreements/node_list.html", {
        "nodes": nodes, "own_jwks": own_jwks, "keys_error": keys_error,
    })


def node_create(request: HttpRequest) -> HttpResponse:
    form = PartnerNodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            node = services.partner_node_create(acting_user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("agreements:node_detail", pk=node.pk)
    return render(request, "agreements/node_form.html", {"form": form})


def node_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        node = selectors.partner_node_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    form = PartnerKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_key_add(
                acting_user=request.user, node=node, use=form.cleaned_data["use"],
                jwk=form.cleaned_data["jwk"], valid_until=form.cleaned_data["valid_until"],
            )
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Key added."))
            return redirect("agreements:node_detail", pk=node.pk)
    return render(request, "agreements/node_detail.html", {"node": node, "form": form})


@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(PartnerKey, pk=pk)
    services.partner_key_revoke(acting_user=request.user, key=key)
    messages.success(request, _("Key %(kid)s revoked.") % {"kid": key.kid})
    return redirect("agreements:node_detail", pk=key.node_id)

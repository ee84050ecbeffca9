"""Case workers' pages: dashboard, services directory, a victim's protection file, referrals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alianza.core.errors import ApplicationError, NotFound, PermissionDenied
from alianza.protection import selectors, services
from alianza.protection.choices import EVENT_LABELS, ReferralAction, ReferralGrant, ReferralKind
from alianza.protection.forms import (
    ConsentForm,
    DeliveryForm,
    OverrideReferralForm,
    PlanCloseForm,
    ProviderFilterForm,
    ReasonForm,
    ReferralForm,
    RiskAssessmentForm,
    ScreeningForm,
    SupportPlanForm,
)
from alianza.protection.models import Consent, Referral, ServiceProvider, SupportAction, SupportPlan


def _or_404(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except NotFound as exc:
        raise Http404 from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc


def _form_error(form: forms.Form, exc: ApplicationError) -> None:
    field = str((exc.extra or {}).get("field", ""))
    form.add_error(field if field in form.fields else None, exc.message)


def dashboard(request: HttpRequest) -> HttpResponse:
    board = selectors.dashboard(acting_user=request.user)
    return render(request, "protection/dashboard.html", {"board": board})


def provider_list(request: HttpRequest) -> HttpResponse:
    form = ProviderFilterForm(request.GET or None)
    filters = selectors.ProviderFilter(**form.cleaned_data) if form.is_valid() else selectors.ProviderFilter()
    providers = _or_404(lambda: selectors.provider_list(acting_user=request.user, filters=filters))
    return render(request, "protection/provider_list.html", {"form": form, "providers": providers})


def victim_detail(request: HttpRequest, participation_id: int) -> HttpResponse:
    access = _or_404(lambda: selectors.victim_get(
        acting_user=request.user, participation_id=participation_id, audit_identity=True
    ))
    participation = access.participation
    plans = list(participation.support_plans.prefetch_related("actions__provider"))
    for plan in plans:  # one form per plan, prefixed so that field ids stay unique on the page
        plan.close_form = PlanCloseForm(prefix=f"plan-{plan.pk}", initial={"actual_end_on": timezone.localdate()})
    return render(request, "protection/victim_detail.html", {
        "access": access,
        "victim": participation,
        "screenings": participation.screenings.select_related("screened_by"),
        "assessments": participation.risk_assessments.prefetch_related("answers__question"),
        "consents": participation.consents.all(),
        "plans": plans,
        "deliveries": participation.service_deliveries.select_related("provider"),
        "referrals": participation.referrals.select_related("to_provider", "to_institution"),
        "now": timezone.now(),
    })


def _victim_form(
    request: HttpRequest,
    participation_id: int,
    *,
    form_class: type[forms.Form],
    title: str,
    save: Callable[[Any, dict[str, Any]], Any],
    success: str,
    form_kwargs: Callable[[Any], dict[str, Any]] | None = None,
    template: str = "protection/victim_form.html",
) -> HttpResponse:
    access = _or_404(lambda: selectors.victim_get(acting_user=request.user, participation_id=participation_id))
    extra = form_kwargs(access) if form_kwargs else {}
    form = form_class(request.POST or None, **extra)
    context: dict[str, Any] = {"form": form, "access": access, "title": title}
    if request.method == "POST" and form.is_valid():
        try:
            save(access.participation, form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
            if (exc.extra or {}).get("reason") == "consent_missing":
                # The address a coordinator opens to override, for the case worker to pass on.
                context["override_url"] = request.build_absolute_uri(
                    reverse("protection:referral_override", args=[participation_id])
                )
        else:
            messages.success(request, success)
            return redirect("protection:victim_detail", participation_id=participation_id)
    return render(request, template, context)


def screening_create(request: HttpRequest, participation_id: int) -> HttpResponse:
    return _victim_form(
        request, participation_id, form_class=ScreeningForm, title=_("Identification screening"),
        save=lambda p, d: services.screening_record(acting_user=request.user, participation=p, **d),
        success=_("Screening recorded."),
    )


def risk_create(request: HttpRequest, participation_id: int) -> HttpResponse:
    def save(p: Any, d: dict[str, Any]) -> Any:
        form_answers = {int(k[2:]): v for k, v in d.items() if k.startswith("q_")}
        return services.risk_assessment_record(
            acting_user=request.user, participation=p, assessed_on=d["assessed_on"], answers=form_answers,
            level=d["level"], notes=d["notes"],
        )

    return _victim_form(
        request, participation_id, form_class=RiskAssessmentForm, title=_("Risk assessment"), save=save,
        success=_("Risk assessment recorded."), form_kwargs=lambda a: {"questions": selectors.risk_questions()},
        template="protection/risk_form.html",
    )


def consent_create(request: HttpRequest, participation_id: int) -> HttpResponse:
    return _victim_form(
        request, participation_id, form_class=ConsentForm, title=_("Record consent"),
        save=lambda p, d: services.consent_record(acting_user=request.user, participation=p, **d),
        success=_("Consent recorded."),
    )


@require_POST
def consent_withdraw(request: HttpRequest, consent_id: int) -> HttpResponse:
    consent = Consent.objects.filter(pk=consent_id).select_related("participation").first()
    if consent is None:
        raise Http404
    try:
        services.consent_withdraw(acting_user=request.user, consent=consent)
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Consent withdrawn. Nothing more is shared on its basis."))
    return redirect("protection:victim_detail", participation_id=consent.participation_id)


def plan_create(request: HttpRequest, participation_id: int) -> HttpResponse:
    def save(p: Any, d: dict[str, Any]) -> Any:
        actions = [services.ActionInput(d["first_action"], d["first_action_on"])] if d["first_action"] else []
        return services.support_plan_create(
            acting_user=request.user, participation=p, plan_type=d["plan_type"], objectives=d["objectives"],
            action_plan=d["action_plan"], planned_start_on=d["planned_start_on"],
            planned_end_on=d["planned_end_on"], actions=actions,
        )

    return _victim_form(request, participation_id, form_class=SupportPlanForm, title=_("New support plan"),
                        save=save, success=_("Support plan created."))


@require_POST
def action_done(request: HttpRequest, action_id: int) -> HttpResponse:
    action = SupportAction.objects.filter(pk=action_id).select_related("plan__participation").first()
    if action is None:
        raise Http404
    _or_404(lambda: services.support_action_done(acting_user=request.user, action=action,
                                                 done_on=timezone.localdate()))
    messages.success(request, _("Action marked as done."))
    return redirect("protection:victim_detail", participation_id=action.plan.participation_id)


def delivery_create(request: HttpRequest, participation_id: int) -> HttpResponse:
    return _victim_form(
        request, participation_id, form_class=DeliveryForm, title=_("Record a service delivered"),
        save=lambda p, d: services.service_delivery_record(acting_user=request.user, participation=p, **d),
        success=_("Service recorded."),
        form_kwargs=lambda a: {"providers": ServiceProvider.objects.filter(is_active=True)},
    )


def _referral_save(request: HttpRequest, participation: Any, data: dict[str, Any]) -> Any:
    national = data.get("to_provider") is not None
    return services.referral_create(
        acting_user=request.user, participation=participation,
        kind=ReferralKind.NATIONAL if national else ReferralKind.TRANSNATIONAL,
        to_provider=data.get("to_provider"), partner_country=data.get("partner_country", ""),
        child_protection_provider=data.get("child_protection_provider"), reason=data["reason"],
        granted=data["granted"], details=data.get("details", ""),
        consent_override_reason=data.get("consent_override_reason", ""),
    )


def referral_create(request: HttpRequest, participation_id: int) -> HttpResponse:
    return _victim_form(
        request, participation_id, form_class=ReferralForm, title=_("Refer the person"),
        save=lambda p, d: _referral_save(request, p, d), success=_("Referral proposed."),
        form_kwargs=lambda a: {"providers": ServiceProvider.objects.filter(is_active=True)
                               .exclude(institution_id=a.participation.case.owner_institution_id)},
    )


def referral_override(request: HttpRequest, participation_id: int) -> HttpResponse:
    """A coordinator refers a person without recorded consent, giving a reason that is audited."""
    access = _or_404(lambda: selectors.victim_for_override(acting_user=request.user,
                                                           participation_id=participation_id))
    providers = ServiceProvider.objects.filter(is_active=True).exclude(
        institution_id=access.participation.case.owner_institution_id
    )
    form = OverrideReferralForm(request.POST or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        try:
            _referral_save(request, access.participation, form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Referral proposed without consent; the override is recorded."))
            return redirect("protection:dashboard")
    return render(request, "protection/victim_form.html", {
        "form": form, "access": access, "title": _("Refer without consent (coordinator override)"),
    })


def referral_list(request: HttpRequest) -> HttpResponse:
    direction = request.GET.get("direction", "")
    views = selectors.referral_list(acting_user=request.user, direction=direction)
    return render(request, "protection/referral_list.html", {"views": views, "direction": direction})


def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    view = _or_404(lambda: selectors.referral_get(acting_user=request.user, referral_id=referral_id))
    referral = view.referral
    victim = referral.participation
    context: dict[str, Any] = {"view": view, "referral": referral, "reason_form": ReasonForm(),
                               "grant_labels": dict(ReferralGrant.choices), "actions": ReferralAction}
    if view.party == "receiver":
        context["shared"] = selectors.referral_shared_fields(acting_user=request.user, view=view)
    else:
        context["access"] = selectors.victim_access(acting_user=request.user, participation=victim)
    events = list(referral.events.select_related("actor"))
    context["events"] = [(event, EVENT_LABELS.get(event.action, event.action)) for event in events]
    return render(request, "protection/referral_detail.html", context)


@require_POST
def referral_transition(request: HttpRequest, referral_id: int, action: str) -> HttpResponse:
    referral = Referral.objects.filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.referral_transition(acting_user=request.user, referral=referral, action=action, reason=reason)
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Referral updated."))
    return redirect("protection:referral_detail", referral_id=referral_id)


def transnational_queue(request: HttpRequest) -> HttpResponse:
    """Partner liaisons: transnational referrals waiting to be handed to the exchange."""
    referrals = _or_404(lambda: selectors.transnational_queue(acting_user=request.user))
    return render(request, "protection/transnational_queue.html", {"referrals": referrals})


@require_POST
def referral_dispatch(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = Referral.objects.filter(pk=referral_id).select_related("participation__case", "consent").first()
    if referral is None:
        raise Http404
    try:
        dispatched = services.referral_dispatch(acting_user=request.user, referral=referral)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Request %(reference)s opened with the partner; answer it with the case "
                                    "package from the exchange outbox.") % {"reference": dispatched.exchange_reference})
    return redirect("protection:transnational_queue")


@require_POST
def plan_close(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = SupportPlan.objects.filter(pk=plan_id).select_related("participation").first()
    if plan is None:
        raise Http404
    form = PlanCloseForm(request.POST, prefix=f"plan-{plan.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose how the plan ended and its date."))
    else:
        try:
            services.support_plan_close(acting_user=request.user, plan=plan, **form.cleaned_data)
        except NotFound as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Support plan ended."))
    return redirect("protection:victim_detail", participation_id=plan.participation_id)

"""National plan pages: the plans, one plan's indicators with targets and progress, recording values."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from alianza.accounts import authz
from alianza.core.errors import ApplicationError, NotFound
from alianza.plan import selectors, services
from alianza.plan.models import Indicator


class MeasurementForm(forms.Form):
    year = forms.IntegerField(label=_lazy("Year"))
    value = forms.DecimalField(label=_lazy("Value"), max_digits=12, decimal_places=2)
    evidence = forms.CharField(
        label=_lazy("Evidence"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    evidence_url = forms.URLField(
        label=_lazy("Link to the evidence"), required=False, assume_scheme="https"
    )


def plan_list(request: HttpRequest) -> HttpResponse:
    plans = selectors.plan_list(acting_user=request.user)
    if len(plans) == 1:
        return redirect("plan:plan_detail", plan_id=plans[0].pk)
    return render(request, "plan/plan_list.html", {"plans": plans})


def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    try:
        context = selectors.plan_detail(acting_user=request.user, plan_id=plan_id)
    except NotFound:
        return render(request, "404.html", status=404)
    context["can_manage"] = authz.has_perm(request.user, authz.Perm.PLAN_MANAGE)
    context["form"] = MeasurementForm()
    return render(request, "plan/plan_detail.html", context)


@require_POST
def measurement_record(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = get_object_or_404(
        Indicator.objects.select_related("goal__axis__plan"), pk=indicator_id
    )
    form = MeasurementForm(request.POST)
    if form.is_valid():
        try:
            services.measurement_record(
                acting_user=request.user, indicator=indicator, **form.cleaned_data
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The value was recorded."))
    else:
        messages.error(request, _("Give the year and a number as the value."))
    return redirect("plan:plan_detail", plan_id=indicator.goal.axis.plan_id)

"""Statistics pages: the dashboard, the public dashboard, downloads, privacy releases, population."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from alianza.core.errors import ApplicationError
from alianza.stats import exports, selectors, services
from alianza.stats.models import PopulationFigure, PrivacyRelease


def _year(request: HttpRequest) -> int | None:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return None
    return year if 1900 <= year <= 2100 else None


def dashboard(request: HttpRequest) -> HttpResponse:
    data = selectors.dashboard_data(acting_user=request.user, year=_year(request))
    return render(request, "stats/dashboard.html", {"data": data, "public": False})


def public_dashboard(request: HttpRequest) -> HttpResponse:
    data = selectors.dashboard_data(acting_user=None, year=_year(request), public=True)
    return render(request, "stats/dashboard.html", {"data": data, "public": True})


def _download(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def glotip_download(request: HttpRequest) -> HttpResponse:
    year = _year(request) or timezone.now().year
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    if fmt == "csv":
        buffer = io.StringIO()
        exports.glotip_export(year=year, out=buffer, fmt="csv")
        return _download(buffer.getvalue(), f"glotip-{year}.csv", "text/csv; charset=utf-8")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "glotip.xlsx"
        exports.glotip_export(year=year, out=path, fmt="xlsx")
        content = path.read_bytes()
    return _download(
        content,
        f"glotip-{year}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def microdata_download(request: HttpRequest) -> HttpResponse:
    buffer = io.StringIO()
    exports.microdata_export(out=buffer)
    return _download(buffer.getvalue(), "ctdc-microdata.csv", "text/csv; charset=utf-8")


def report_download(request: HttpRequest) -> HttpResponse:
    year = _year(request) or timezone.now().year
    language = request.GET.get("lang") or (get_language() or "es")[:2]
    if language not in ("es", "en", "pt"):
        language = "es"
    return _download(
        exports.report_pdf(year=year, language=language),
        f"alianza-report-{year}-{language}.pdf",
        "application/pdf",
    )


class PrivacyReleaseForm(forms.Form):
    year = forms.IntegerField(label=_lazy("Year of the data"), min_value=2000, max_value=2100)
    epsilon = forms.DecimalField(
        label=_lazy("Epsilon"), min_value=0.01, max_value=10, decimal_places=3,
        help_text=_lazy("Smaller is more private and noisier. The year's budget is shared by all releases."),
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def privacy_release(request: HttpRequest) -> HttpResponse:
    form = PrivacyReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.privacy_release_create(acting_user=request.user, year=form.cleaned_data["year"],
                                            epsilon=float(form.cleaned_data["epsilon"]))  # fmt: skip
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The differentially private release was recorded."))
            return redirect("stats:privacy_release")
    releases = PrivacyRelease.objects.select_related("created_by")[:50]
    years = sorted({r.year for r in releases})
    budget = [(y, services.dp_budget_spent(year=y)) for y in years]
    context: dict[str, Any] = {
        "form": form,
        "releases": releases,
        "budget": budget,
        "total_budget": services.dp_budget(),
    }
    return render(request, "stats/privacy_release.html", context)


class PopulationForm(forms.Form):
    population = forms.IntegerField(label=_lazy("Population"), min_value=1)
    source = forms.CharField(label=_lazy("Source"), max_length=200)


@require_http_methods(["GET", "POST"])
def population(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        figure = get_object_or_404(PopulationFigure, pk=request.POST.get("figure"))
        form = PopulationForm(request.POST)
        if form.is_valid():
            try:
                services.population_figure_update(
                    acting_user=request.user, figure=figure, **form.cleaned_data
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The population figure was saved."))
        else:
            messages.error(request, _("Give a positive population and its source."))
        return redirect("stats:population")
    figures = PopulationFigure.objects.all()
    return render(request, "stats/population.html", {"figures": figures})

"""The national plan against trafficking and smuggling: axes, goals, indicators, targets, progress.

Plans are data: a successor plan is added through the UI or the admin, without code changes.
An indicator is either computed from the registry by a registered computation
(`alianza.plan.computations`) or entered by hand with its evidence.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Plan(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="plan_years_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class AxisKind(models.TextChoices):
    PREVENTION = "prevention", _("Prevention")
    PROTECTION = "protection", _("Victim protection and support")
    PROSECUTION = "prosecution", _("Prosecution")
    COORDINATION = "coordination", _("National and international coordination")


class Axis(models.Model):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="axes", verbose_name=_("plan")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AxisKind.choices)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Leave empty to use the kind's name.")
    )

    class Meta:
        verbose_name = _("axis")
        verbose_name_plural = _("axes")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.title or str(self.get_kind_display())


class Goal(models.Model):
    axis = models.ForeignKey(
        Axis, on_delete=models.CASCADE, related_name="goals", verbose_name=_("axis")
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["axis", "position", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class IndicatorMethod(models.TextChoices):
    COMPUTED = "computed", _("Computed from the registry")
    MANUAL = "manual", _("Entered by hand with evidence")


class Direction(models.TextChoices):
    INCREASE = "increase", _("Higher is better")
    DECREASE = "decrease", _("Lower is better")


class Indicator(models.Model):
    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("goal")
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    method = models.CharField(_("method"), max_length=10, choices=IndicatorMethod.choices)
    computation = models.CharField(
        _("computation"), max_length=64, blank=True,
        help_text=_("For computed indicators: the key of a registered computation."),
    )  # fmt: skip
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"))
    baseline_value = models.DecimalField(_("baseline"), max_digits=12, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["goal", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(method="manual", computation="")
                | (Q(method="computed") & ~Q(computation="")),
                name="indicator_computation_iff_computed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Target(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="target_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}: {self.value}"


class Measurement(models.Model):
    """The value an indicator reached in a year: entered by hand with evidence, or computed."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    evidence = models.TextField(
        _("evidence"),
        blank=True,
        help_text=_("Where the figure comes from: document, report, minutes."),
    )
    evidence_url = models.URLField(_("link to the evidence"), blank=True)
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="measurement_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}: {self.value}"


def progress_ratio(
    *, baseline: Decimal, target: Decimal, value: Decimal, direction: str
) -> float | None:
    """Share of the way from baseline to target reached (0..1); None when the target equals the baseline."""
    span = (target - baseline) if direction == Direction.INCREASE else (baseline - target)
    if span == 0:
        return None
    done = (value - baseline) if direction == Direction.INCREASE else (baseline - value)
    return max(0.0, min(1.0, float(done / span)))

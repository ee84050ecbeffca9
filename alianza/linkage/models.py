"""What registry-wide linkage keeps: runs, candidate pairs and reviewers' decisions, and the
alerts raised when a missing-person report matches a victim.

Clusters of person records (which records are one natural person) are not kept here: they are
written to `stats.PersonCluster`, which statistics already read, by `linkage.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alianza.accounts.models import Institution
from alianza.people.models import Participation, Person


class LinkageRun(models.Model):
    """One registry-wide deduplication, with the model it estimated (versioned JSON) so that every
    score it stored can be explained again later."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lower_threshold = models.FloatField(_("lower threshold"))
    upper_threshold = models.FloatField(_("upper threshold"))
    records = models.PositiveIntegerField(_("records compared"), default=0)
    pairs_scored = models.PositiveIntegerField(_("pairs at or above the lower threshold"), default=0)
    pairs_new = models.PositiveIntegerField(_("new candidate pairs"), default=0)
    pairs_retired = models.PositiveIntegerField(_("candidate pairs retired"), default=0)
    model = models.JSONField(_("linkage model"), default=dict, blank=True)

    class Meta:
        verbose_name = _("linkage run")
        verbose_name_plural = _("linkage runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class PairStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("candidate pair", "Awaiting review")
    AUTOMATIC = "automatic", pgettext_lazy("candidate pair", "Matched automatically")
    CONFIRMED = "confirmed", pgettext_lazy("candidate pair", "Confirmed")
    REJECTED = "rejected", pgettext_lazy("candidate pair", "Rejected")
    RETIRED = "retired", pgettext_lazy("candidate pair", "No longer a candidate")


# Statuses whose pairs join two records into one person.
MERGING_STATUSES = (PairStatus.AUTOMATIC, PairStatus.CONFIRMED)
# Statuses a reviewer set, which no later run changes.
DECIDED_STATUSES = (PairStatus.CONFIRMED, PairStatus.REJECTED)


class CandidatePair(models.Model):
    """Two person records that linkage scored as possibly the same person (left id < right id).

    `match_probability`, `match_weight` and `explanation` (each comparison's contribution in bits,
    and the prior) come from the run in `scored_in`; `is_current` says whether the latest run still
    scored the pair at or above its lower threshold.
    """

    left = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=PairStatus.choices)
    match_probability = models.FloatField(_("match probability"))
    match_weight = models.FloatField(_("match weight"))
    explanation = models.JSONField(_("per-field explanation"), default=dict)
    scored_in = models.ForeignKey(LinkageRun, on_delete=models.PROTECT, related_name="+")
    is_current = models.BooleanField(default=True)
    found_at = models.DateTimeField(_("first found"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("candidate pair")
        verbose_name_plural = _("candidate pairs")
        ordering = ["-match_probability", "id"]
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="candidatepair_unique"),
            models.CheckConstraint(condition=models.Q(left__lt=models.F("right")), name="candidatepair_ordered"),
        ]
        indexes = [models.Index(fields=["status", "-match_probability"], name="candidatepair_queue")]

    def __str__(self) -> str:
        return f"{self.left_id}–{self.right_id}: {self.status}"


class MissingPersonMatch(models.Model):
    """A missing-person report that may be the same person as a victim registered elsewhere."""

    missing = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="+")
    victim = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="+")
    match_probability = models.FloatField(_("match probability"))
    found_at = models.DateTimeField(_("found"), auto_now_add=True)

    class Meta:
        verbose_name = _("missing-person match")
        verbose_name_plural = _("missing-person matches")
        constraints = [
            models.UniqueConstraint(fields=["missing", "victim"], name="missingpersonmatch_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.missing_id} ~ {self.victim_id}"


class MatchAlert(models.Model):
    """The alert one institution gets about a missing-person match that concerns one of its cases."""

    match = models.ForeignKey(MissingPersonMatch, on_delete=models.CASCADE, related_name="alerts")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    closed_at = models.DateTimeField(_("handled"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("match alert")
        verbose_name_plural = _("match alerts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["match", "institution"], name="matchalert_unique"),
        ]
        indexes = [models.Index(fields=["institution", "closed_at"], name="matchalert_open")]

    def __str__(self) -> str:
        return f"{self.institution_id}: {self.match_id}"

"""Reference data and records the statistics need: person clusters, population, privacy budget."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonCluster(models.Model):
    """Which natural person (cluster) a person record belongs to, as linkage decided.

    The linkage app fills this through `alianza.stats.services.person_clusters_replace`; a person
    record without a row is a cluster of its own. Statistics count clusters to deduplicate.
    """

    person_id = models.BigIntegerField(_("person record"), unique=True)
    cluster_id = models.CharField(_("cluster"), max_length=64, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person cluster")
        verbose_name_plural = _("person clusters")

    def __str__(self) -> str:
        return f"{self.person_id} → {self.cluster_id}"


def _new_epoch() -> str:
    return uuid.uuid4().hex


class DataVersion(models.Model):
    """One counter that database triggers raise on every write to the records statistics read.

    Cached aggregates are keyed by it, so a write can never leave them stale, and reading it is
    one row instead of scanning millions. The triggers (migration 0002) are infrastructure, not
    business logic: they only say "something changed", in the same transaction as the change.
    """

    counter = models.BigIntegerField(default=0)
    # New whenever the row is created again (a restored or flushed database), so that a counter
    # that starts over never matches a cache key from before.
    epoch = models.CharField(max_length=36, default=_new_epoch)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return str(self.counter)


class CaseFact(models.Model):
    """One case as the statistics count it, with the year it was reported.

    The four fact tables (this one, `ParticipantFact`, `FormFact`, `RouteFact`) copy what the
    indicator engine reads from the registry, keyed by year so that a year is one index range
    scan. Database triggers (`alianza.stats.facts`) keep them in step with the registry in the
    same transaction as every write; nothing in Python writes them.
    """

    case_id = models.BigIntegerField(primary_key=True)
    year = models.IntegerField(db_index=True)
    crime_type = models.TextField()
    department = models.TextField()
    institution = models.TextField()  # the recording institution's short name, or its name
    # The victims' flow: the first country on the route, and the first country of exploitation.
    origin = models.TextField(null=True)  # noqa: DJ001
    destination = models.TextField(null=True)  # noqa: DJ001

    def __str__(self) -> str:
        return f"{self.case_id} ({self.year})"


class ParticipantFact(models.Model):
    """One participation (a person in a role in a case) with the person's attributes, stage and cluster."""

    participation_id = models.BigIntegerField(primary_key=True)
    case_id = models.BigIntegerField(db_index=True)
    person_id = models.BigIntegerField(db_index=True)
    year = models.IntegerField()  # indexed first in stats_participant_key (migration 0007)
    role = models.TextField()
    # NULL means not recorded (the engine tells unknown apart from a value), as in its inputs.
    sex = models.TextField(null=True)  # noqa: DJ001
    age = models.IntegerField(null=True)
    citizenship = models.TextField(null=True)  # noqa: DJ001
    stage = models.TextField(null=True)  # noqa: DJ001
    cluster_id = models.TextField(null=True)  # noqa: DJ001  (the person's `PersonCluster`, if any)
    # What the statistics count once: "c" + the cluster, or "p" + the person when in none.
    person_key = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["year", "person_key"], name="stats_participant_key")]

    def __str__(self) -> str:
        return f"{self.participation_id} ({self.year})"


class FormFact(models.Model):
    """A form of exploitation recorded on a case or on one of its participants (once per case)."""

    pk = models.CompositePrimaryKey("case_id", "term_id")
    case_id = models.BigIntegerField()
    term_id = models.BigIntegerField()
    code = models.TextField()
    year = models.IntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.case_id}: {self.term_id}"


class RouteFact(models.Model):
    """One event on a case's route."""

    pk = models.CompositePrimaryKey("case_id", "position")
    case_id = models.BigIntegerField()
    position = models.IntegerField()
    event_type = models.TextField()
    country = models.TextField()
    year = models.IntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.case_id}/{self.position}"


class StatsCell(models.Model):
    """One cell of a year's figures: a measure in a category of a breakdown, raw and deduplicated.

    Kept by the same triggers as the facts, in the same transaction as every write, so that a
    year's indicators are read, not computed. Breakdown "total" (category "") holds a measure's
    totals and "flow" (category "ORIGIN>DESTINATION") the victims' routes.
    """

    pk = models.CompositePrimaryKey("year", "measure", "breakdown", "category")
    year = models.IntegerField()
    measure = models.TextField()
    breakdown = models.TextField()
    category = models.TextField()
    raw = models.BigIntegerField()
    dedup = models.BigIntegerField()

    def __str__(self) -> str:
        return (
            f"{self.year} {self.measure} {self.breakdown}={self.category}: {self.raw}/{self.dedup}"
        )


class DirtyKey(models.Model):
    """Scratch rows of the trigger at work: the person keys a write touches. Always empty after it."""

    pk = models.CompositePrimaryKey("year", "key")
    year = models.IntegerField()
    key = models.TextField()

    def __str__(self) -> str:
        return f"{self.year} {self.key}"


class DirtyCase(models.Model):
    """Scratch rows of the trigger at work: the cases a write touches."""

    pk = models.CompositePrimaryKey("year", "case_id")
    year = models.IntegerField()
    case_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.year} {self.case_id}"


class WorkRecord(models.Model):
    """Scratch rows of the trigger at work: the records of the keys it recounts, one per measure."""

    pk = models.CompositePrimaryKey("measure", "participation_id")
    measure = models.TextField()
    participation_id = models.BigIntegerField()
    year = models.IntegerField()
    key = models.TextField()
    case_id = models.BigIntegerField()
    sex = models.TextField(null=True)  # noqa: DJ001
    age = models.IntegerField(null=True)
    citizenship = models.TextField(null=True)  # noqa: DJ001

    def __str__(self) -> str:
        return f"{self.measure} {self.participation_id}"


class WorkPerson(models.Model):
    """Scratch rows of the trigger at work: a key's first known sex, age and citizenship."""

    pk = models.CompositePrimaryKey("year", "measure", "key")
    year = models.IntegerField()
    measure = models.TextField()
    key = models.TextField()
    sex = models.TextField(null=True)  # noqa: DJ001
    age = models.IntegerField(null=True)
    citizenship = models.TextField(null=True)  # noqa: DJ001

    def __str__(self) -> str:
        return f"{self.year} {self.measure} {self.key}"


class PendingMark(models.Model):
    """Something a write changed whose facts and cells are not rewritten yet (see `facts.flush`):
    kind "case", "participation", "person", "cluster" (a person's), "institution" or "term"."""

    pk = models.CompositePrimaryKey("kind", "id")
    kind = models.TextField()
    id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class PendingFlag(models.Model):
    """One row per PostgreSQL transaction with marks: its insert queues the flush at commit."""

    txid = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return str(self.txid)


class StatsVersion(models.Model):
    """Counters that triggers raise, in the same transaction as a write, for what it changed.

    Scope "2023" covers everything counted for cases reported in 2023; "all" covers what every
    year shows (institution names, reference terms, a rebuild); "plan" covers the national plan.
    Aggregates cached per year are keyed by the year's counter with "all" and the data version's
    epoch, so a write in one year leaves the other years' cached figures valid, and none stale.
    """

    scope = models.CharField(max_length=16, primary_key=True)
    counter = models.BigIntegerField(default=0)
    token = models.TextField(default="")  # new and random at every raise: never the same twice

    def __str__(self) -> str:
        return f"{self.scope}: {self.counter}"


class PopulationGroup(models.TextChoices):
    WOMEN = "women", _("Women")
    MEN = "men", _("Men")
    GIRLS = "girls", _("Girls")
    BOYS = "boys", _("Boys")


class PopulationFigure(models.Model):
    """Population of Bolivia by year, sex and age group: the denominator of SDG 16.2.2."""

    year = models.PositiveSmallIntegerField(_("year"))
    group = models.CharField(_("group"), max_length=8, choices=PopulationGroup.choices)
    population = models.PositiveIntegerField(_("population"))
    source = models.CharField(_("source"), max_length=200)
    is_synthetic = models.BooleanField(
        _("approximate demo figure"), default=False,
        help_text=_("Set for invented or approximate figures; reports then say the rates are illustrative."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        ordering = ["year", "group"]
        constraints = [
            models.UniqueConstraint(fields=["year", "group"], name="populationfigure_unique_group")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.group}: {self.population}"


class PrivacyRelease(models.Model):
    """One differentially private release, with the epsilon it spent from the year's budget."""

    table = models.CharField(_("table"), max_length=64)
    year = models.PositiveSmallIntegerField(_("year of the data"))
    epsilon = models.DecimalField(_("epsilon"), max_digits=6, decimal_places=3)
    values = models.JSONField(_("released values"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("released by"),
    )

    class Meta:
        verbose_name = _("differentially private release")
        verbose_name_plural = _("differentially private releases")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.table} {self.year} ε={self.epsilon}"

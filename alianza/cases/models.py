"""Cases of trafficking, smuggling and related crimes, their routes, and the taxonomies they use.

People and their roles in a case live in `alianza.people`; proceedings against suspects in
`alianza.prosecution`. Writes go through `alianza.cases.services`, reads through
`alianza.cases.selectors`, which apply the authorization rules.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from alianza.accounts.authz import Category
from alianza.accounts.models import Institution
from alianza.cases.choices import (
    ARTICLES_BY_CRIME,
    CaseSource,
    CaseStatus,
    CrimeType,
    CrossingType,
    Department,
    LegalArticle,
    RouteEventType,
    Sensitivity,
    TransportMode,
    Vocabulary,
)
from alianza.cases.fields import PartialDateField


class MultilingualLabel(models.Model):
    label_es = models.CharField(_("label (Spanish)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    label_pt = models.CharField(_("label (Portuguese)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        language = (translation.get_language() or "es")[:2]
        return str(getattr(self, f"label_{language}", "") or self.label_es)


class ReferenceTerm(MultilingualLabel):
    """One entry of an administrator-editable taxonomy, mapped to its HTCDS picklist value."""

    vocabulary = models.CharField(_("vocabulary"), max_length=32, choices=Vocabulary.choices)
    code = models.CharField(_("code"), max_length=64)
    htcds_value = models.CharField(
        _("HTCDS value"), max_length=64, blank=True,
        help_text=_("The HTCDS 2.0 picklist value this term exports as; Other when it has none."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reference term")
        verbose_name_plural = _("reference terms")
        ordering = ["vocabulary", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "code"], name="referenceterm_unique_code"),
        ]


class BorderCrossing(MultilingualLabel):
    """A border crossing point (or international airport) that a route can pass through."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    country = models.CharField(_("country"), max_length=3, help_text=_("ISO 3166-1 alpha-3."))
    department = models.CharField(_("department"), max_length=5, choices=Department.choices, blank=True)
    neighbour_country = models.CharField(_("neighbouring country"), max_length=3, blank=True)
    neighbour_place = models.CharField(_("place across the border"), max_length=100, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("border crossing")
        verbose_name_plural = _("border crossings")
        ordering = ["code"]


class CaseSequence(models.Model):
    """The last reference number issued per year; locked while a new reference is issued."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


def _crime_article_pairs() -> Q:
    condition = Q()
    for crime, articles in ARTICLES_BY_CRIME.items():
        condition |= Q(crime_type=crime, legal_article__in=articles)
    return condition


CASE_LIST_KEY_OWN = ("owner_institution", "reported_on", "id")
CASE_LIST_KEY_ALL = ("reported_on", "id", "owner_institution")
CASE_LIST_FILTER_COLUMNS = ("sensitivity", "crime_type", "status", "department", "filter_keys")


class Case(models.Model):
    reference = models.CharField(
        _("reference"), max_length=32, unique=True,
        help_text=_("Unique on this node, e.g. BOL-2024-000123."),
    )
    crime_type = models.CharField(_("crime type"), max_length=16, choices=CrimeType.choices)
    legal_article = models.CharField(_("legal article"), max_length=16, choices=LegalArticle.choices)
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.ACTIVE)
    closure_reason = models.TextField(_("reason for closure"), blank=True)
    # Indexed first in case_list_own (migration 0010: no index of its own).
    owner_institution = models.ForeignKey(
        Institution, verbose_name=_("owning institution"), on_delete=models.PROTECT, related_name="cases",
        db_index=False,
    )
    reported_on = models.DateField(_("date reported"))
    first_incident_on = PartialDateField(_("date of the first incident"))
    department = models.CharField(_("department"), max_length=5, choices=Department.choices, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=24, choices=CaseSource.choices)
    narrative = models.TextField(_("narrative"), blank=True)
    sensitivity = models.CharField(
        _("sensitivity"), max_length=12, choices=Sensitivity.choices, default=Sensitivity.NORMAL
    )
    exploitation_forms = models.ManyToManyField(
        ReferenceTerm, verbose_name=_("forms of exploitation"), blank=True, related_name="+",
        limit_choices_to={"vocabulary": Vocabulary.EXPLOITATION_FORM},
    )
    # Where the exploitation took place, kept by the services from the route (ISO alpha-3 codes).
    exploitation_countries = models.CharField(max_length=200, blank=True, default="", editable=False)
    # The keys the case list filters on besides the case's own fields, kept by the services:
    # " f<term id> ... c<country> ... " for its forms and countries of exploitation. Being a
    # column of the list's covering indexes, these filters need no join (see selectors.case_page).
    filter_keys = models.CharField(max_length=400, blank=True, default="", editable=False)
    # Folded (lower-case, accent-free) text kept by the services for search: reference and
    # narrative in one column, participants' names in another, because names are identity data.
    search_text = models.TextField(blank=True, default="", editable=False)
    names_text = models.TextField(blank=True, default="", editable=False)
    # Optimistic concurrency: every update states the version it was based on.
    version = models.PositiveIntegerField(default=1, editable=False)
    # The record id in the system it was imported from, which makes re-imports idempotent.
    source_record_id = models.CharField(max_length=100, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=_crime_article_pairs(), name="case_article_matches_crime"),
            models.UniqueConstraint(
                fields=["owner_institution", "source_record_id"],
                condition=~Q(source_record_id=""),
                name="case_unique_source_record",
            ),
        ]
        indexes = [
            # The case list, newest first, read in index order and filtered inside the index: one
            # index for an institution's own cases, one for national scope (alianza.cases.selectors).
            models.Index(fields=[*CASE_LIST_KEY_OWN, *CASE_LIST_FILTER_COLUMNS], name="case_list_own"),
            models.Index(fields=[*CASE_LIST_KEY_ALL, *CASE_LIST_FILTER_COLUMNS], name="case_list_all"),
            models.Index(fields=["crime_type", "reported_on"]),
            models.Index(fields=["status"]),
            models.Index(fields=["department"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_restricted(self) -> bool:
        return self.sensitivity == Sensitivity.RESTRICTED


class CaseSearchToken(models.Model):
    """One folded word of a case's searchable text: the index behind the case list's search.

    The services keep these in step with `Case.search_text` (reference, municipality, narrative)
    and `Case.names_text` (participants' names, `is_name`). A word typed into the search box is
    looked up as a prefix of a token, which an ordinary B-tree index answers on every database.
    Each token also carries its case's owner, so that a search in an institution's own cases
    reads only their tokens (index `cases_token_owner`, migration 0005), and one case's tokens
    are probed through the primary key, which starts with the case (migration 0009).
    """

    # A case's words are a set: (case, token, is_name) is the key, and the index of one case's
    # tokens (0009; before it an `id` column, its key and `cases_token_case`).
    pk = models.CompositePrimaryKey("case", "token", "is_name")
    # No constraint (0006): a token is written with its case and deleted with it by the ORM's
    # cascade, and case ids are never reused.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    # On PostgreSQL in collation "C", byte order, so that the key answers a prefix as a range
    # (0009; no `db_collation` here: SQLite knows no "C", and compares bytes anyway).
    token = models.CharField(max_length=40)
    is_name = models.BooleanField(default=False)
    # A copy of case.owner_institution (which never changes); no constraint of its own to check.
    owner_institution = models.ForeignKey(
        Institution, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )

    # Its other indexes are created with SQL (0002, 0005, 0006): every token by prefix
    # (`cases_token_prefix` with pattern ops on PostgreSQL, `cases_token_lookup` on SQLite) and an
    # institution's tokens (`cases_token_owner`).

    def __str__(self) -> str:
        return self.token


class CaseShare(models.Model):
    """An explicit share of one data category of a case with another institution.

    One row per category, so that "shared with my institution for victim identity" is a plain
    indexed lookup on every database.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="case_shares")
    category = models.CharField(_("data category"), max_length=24, choices=[(c.value, c.value) for c in Category])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case share")
        constraints = [
            models.UniqueConstraint(fields=["case", "institution", "category"], name="caseshare_unique_category"),
        ]
        # Covering: the case list reads the ids of the cases shared with an institution from it alone.
        indexes = [models.Index(fields=["institution", "category", "case"], name="cases_share_lookup")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.institution_id}: {self.category}"


class RouteEvent(models.Model):
    """One step of the route (HTCDS historic trafficking event), in order along the journey."""

    # Indexed first in routeevent_unique_position (migration 0010: no index of its own).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="route_events", db_index=False)
    position = models.PositiveSmallIntegerField(_("order"))
    event_type = models.CharField(_("type"), max_length=16, choices=RouteEventType.choices)
    country = models.CharField(_("country"), max_length=3, help_text=_("ISO 3166-1 alpha-3."))
    department = models.CharField(_("department"), max_length=5, choices=Department.choices, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    border_crossing = models.ForeignKey(
        BorderCrossing, verbose_name=_("border crossing"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    date = PartialDateField(_("date"))
    transport_mode = models.CharField(
        _("transport"), max_length=16, choices=TransportMode.choices, default=TransportMode.UNKNOWN
    )
    crossing = models.CharField(_("border crossing regularity"), max_length=12, choices=CrossingType.choices, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("route event")
        verbose_name_plural = _("route events")
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="routeevent_unique_position"),
        ]
        indexes = [models.Index(fields=["country", "event_type", "case"], name="cases_route_country")]

    def __str__(self) -> str:
        return f"{self.position}. {self.event_type} {self.country}"


class CaseAccess(models.Model):
    """A case shared with an institution: the categories shared (a bit mask, `access.CATEGORY_BITS`)
    and copies of the case's columns that the list sorts and filters on.

    Kept by database triggers from the shares and the case (`alianza.cases.access`); nothing
    writes it otherwise. The case list reads the cases shared with an institution from its index,
    in the list's order, as it reads the institution's own cases from the case's.
    """

    case = models.ForeignKey(Case, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    institution = models.ForeignKey(Institution, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    mask = models.PositiveSmallIntegerField()
    reported_on = models.DateField()
    owner_institution = models.ForeignKey(
        Institution, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    crime_type = models.CharField(max_length=16)
    status = models.CharField(max_length=16)
    department = models.CharField(max_length=5, blank=True)
    filter_keys = models.CharField(max_length=400, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "institution"], name="caseaccess_unique")]
        indexes = [
            models.Index(
                fields=["institution", "reported_on", "case", "mask", "owner_institution", "crime_type", "status",
                        "department", "filter_keys"],
                name="case_access_list",
            ),
            # Which institutions' cases are shared with an institution: one probe per institution
            # (a search in the shared cases reads only those owners' tokens).
            models.Index(fields=["institution", "owner_institution"], name="case_access_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.institution_id}: {self.mask}"

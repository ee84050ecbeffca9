"""Natural persons, their identity documents and contacts, and their roles in cases.

Names are kept as entered (display form, accents kept) plus a folded search column that the
services maintain with `alianza.normalize.fold`. Identity documents keep the number as entered and
its normalised form (`alianza.normalize.normalize_document`), which linkage compares.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from alianza.accounts.models import Institution
from alianza.cases.choices import Vocabulary
from alianza.cases.fields import PartialDateField
from alianza.cases.models import Case, ReferenceTerm
from alianza.people.choices import (
    ContactKind,
    DocumentType,
    Education,
    Gender,
    ParticipationRole,
    RelationshipToTrafficker,
    Sex,
    StatusDecidedBy,
    TraffickingStatus,
)


class Person(models.Model):
    given_names = models.CharField(_("given names"), max_length=120, blank=True)
    first_surname = models.CharField(_("first (paternal) surname"), max_length=80, blank=True)
    second_surname = models.CharField(_("second (maternal) surname"), max_length=80, blank=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    gender = models.CharField(_("gender"), max_length=24, choices=Gender.choices, blank=True)
    birth_date = PartialDateField(_("date of birth"))
    citizenships = models.JSONField(_("citizenships"), default=list, blank=True)  # ISO alpha-3
    languages = models.JSONField(_("languages"), default=list, blank=True)  # ISO 639-2
    indigenous_people = models.CharField(_("indigenous people"), max_length=80, blank=True)
    has_disability = models.BooleanField(_("has a disability"), null=True, blank=True)
    disability_details = models.CharField(_("disability details"), max_length=200, blank=True)
    education = models.CharField(_("highest level of education"), max_length=40, choices=Education.choices, blank=True)
    # The institution that recorded the person; persons are otherwise seen through their cases.
    owner_institution = models.ForeignKey(
        Institution, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="persons"
    )
    names_text = models.TextField(blank=True, default="", editable=False)  # folded, for search
    version = models.PositiveIntegerField(default=1, editable=False)
    source_record_id = models.CharField(max_length=100, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["first_surname", "second_surname", "given_names", "id"]
        indexes = [models.Index(fields=["first_surname", "given_names"])]

    def __str__(self) -> str:
        return self.full_name or f"#{self.pk}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_names, self.first_surname, self.second_surname) if p)


class IdentityDocument(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    document_type = models.CharField(_("document type"), max_length=10, choices=DocumentType.choices)
    issuing_country = models.CharField(_("issuing country"), max_length=3, blank=True)
    number_as_entered = models.CharField(_("number as entered"), max_length=40)
    number_normalized = models.CharField(_("normalised number"), max_length=40, db_index=True)
    complement = models.CharField(_("complement"), max_length=4, blank=True)
    extension = models.CharField(_("department of issue"), max_length=2, blank=True)

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")

    def __str__(self) -> str:
        return f"{self.document_type} {self.number_as_entered}"


class Contact(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    value = models.CharField(_("value"), max_length=200)
    value_normalized = models.CharField(_("normalised value"), max_length=200, blank=True, db_index=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.kind}"


def _terms(vocabulary: str, label: Any) -> models.ManyToManyField[ReferenceTerm, ReferenceTerm]:
    return models.ManyToManyField(
        ReferenceTerm, verbose_name=label, blank=True, related_name="+",
        limit_choices_to={"vocabulary": vocabulary},
    )


class Participation(models.Model):
    """A person's role in a case, with the HTCDS fields of that role."""

    # Indexed first in participation_unique_role (migration 0002: no index of its own).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participations", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(_("role"), max_length=16, choices=ParticipationRole.choices)

    # Victim (HTCDS vic_*)
    trafficking_status = models.CharField(
        _("trafficking status"), max_length=32, choices=TraffickingStatus.choices, blank=True
    )
    status_decided_by = models.CharField(
        _("status decided by"), max_length=40, choices=StatusDecidedBy.choices, blank=True
    )
    age_when_trafficked = models.PositiveSmallIntegerField(_("age when trafficked"), null=True, blank=True)
    relationship_to_trafficker = models.CharField(
        _("relationship to the trafficker"), max_length=16, choices=RelationshipToTrafficker.choices, blank=True
    )
    recruitment_methods = _terms(Vocabulary.RECRUITMENT_METHOD, _("recruitment methods"))
    means_of_control = _terms(Vocabulary.MEANS_OF_CONTROL, _("means of control"))
    exploitation_forms = _terms(Vocabulary.EXPLOITATION_FORM, _("forms of exploitation"))
    forced_labour_industry = models.ForeignKey(
        ReferenceTerm, verbose_name=_("forced-labour industry (ISIC)"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+", limit_choices_to={"vocabulary": Vocabulary.ISIC_INDUSTRY},
    )
    sexual_exploitation_types = models.JSONField(_("types of sexual exploitation"), default=list, blank=True)
    recruitment_websites = models.JSONField(_("recruitment websites and apps"), default=list, blank=True)
    exploitation_websites = models.JSONField(_("exploitation websites and apps"), default=list, blank=True)

    # Suspect (HTCDS per_RoleInProcess)
    roles_in_process = models.JSONField(_("role in the process"), default=list, blank=True)

    # Missing person
    last_seen_on = PartialDateField(_("date last seen"))
    last_seen_place = models.CharField(_("place last seen"), max_length=200, blank=True)
    last_seen_country = models.CharField(_("country last seen"), max_length=3, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["case", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person", "role"], name="participation_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.person_id}: {self.role}"

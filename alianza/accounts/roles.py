"""Roles and institution types. Labels are translatable; values are stable identifiers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    CASE_WORKER = "case_worker", _("Case worker")
    INVESTIGATOR = "investigator", _("Investigator")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    ANALYST = "analyst", _("Analyst")
    PARTNER_LIAISON = "partner_liaison", _("Partner liaison")
    AUDITOR = "auditor", _("Auditor")


# Roles whose accounts must use a second factor (TOTP) before they can do anything.
MFA_REQUIRED_ROLES = frozenset({Role.ADMINISTRATOR, Role.COORDINATOR, Role.PARTNER_LIAISON})


class InstitutionType(models.TextChoices):
    # HTCDS 2.0 org_Type picklist values, kept verbatim so exports map one to one.
    NGO = "NGO", _("Non-governmental organisation")
    LAW_ENFORCEMENT = "LawEnforcement", _("Law enforcement")
    HEALTH_SERVICE = "HealthServiceOrganisation", _("Health service organisation")
    CENTRAL_GOVERNMENT = "CentralGovernmentOrganisation", _("Central government organisation")
    LOCAL_GOVERNMENT = "LocalGovernmentOrganisation", _("Local government organisation")
    IMMIGRATION_SERVICE = "ImmigrationService", _("Immigration service")
    LEGAL_SERVICE = "LegalService", _("Legal service")
    CORPORATE_BUSINESS = "CorporateBusiness", _("Corporate business")
    SCHOOL_OR_COLLEGE = "SchoolOrCollege", _("School or college")
    # Alianza's own additions; they export to HTCDS as noted in HTCDS_TYPE_MAP.
    POLICE = "Police", _("Police")
    PROSECUTION = "Prosecution", _("Prosecution service")
    JUDICIARY = "Judiciary", _("Judiciary")
    OMBUDSMAN = "Ombudsman", _("Ombudsman")
    INTERNATIONAL_ORGANISATION = "InternationalOrganisation", _("International organisation")
    PARTNER_AUTHORITY = "PartnerCountryAuthority", _("Partner-country authority")


# How our additional institution types are written in an HTCDS export.
HTCDS_TYPE_MAP: dict[str, str] = {
    InstitutionType.POLICE: InstitutionType.LAW_ENFORCEMENT,
    InstitutionType.PROSECUTION: InstitutionType.LEGAL_SERVICE,
    InstitutionType.JUDICIARY: InstitutionType.LEGAL_SERVICE,
    InstitutionType.OMBUDSMAN: InstitutionType.CENTRAL_GOVERNMENT,
    InstitutionType.INTERNATIONAL_ORGANISATION: InstitutionType.NGO,
    InstitutionType.PARTNER_AUTHORITY: InstitutionType.CENTRAL_GOVERNMENT,
}

"""Demo institutions and users: synthetic, for trying the platform on the embedded database."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from alianza.accounts.models import Institution, User
from alianza.accounts.roles import InstitutionType, Role
from alianza.audit.services import audit_record

DEMO_PASSWORD = "demo-Alianza-2026"  # noqa: S105 - printed for the demo, refused in production

INSTITUTIONS: list[tuple[str, str, str, str]] = [
    ("Ministerio de Justicia y Transparencia Institucional", "MJTI", InstitutionType.CENTRAL_GOVERNMENT, "BOL"),
    ("Ministerio de Gobierno", "MINGOB", InstitutionType.CENTRAL_GOVERNMENT, "BOL"),
    ("Policía Boliviana – FELCC División Trata y Tráfico", "FELCC", InstitutionType.POLICE, "BOL"),
    ("Fiscalía General del Estado – Fiscalía Especializada en Trata y Tráfico", "FGE", InstitutionType.PROSECUTION, "BOL"),
    ("Defensoría del Pueblo", "DP", InstitutionType.OMBUDSMAN, "BOL"),
    ("Fundación Munasim Kullakita (demo)", "FMK", InstitutionType.NGO, "BOL"),
    ("Centro de Apoyo Integral Warmi (demo)", "CAIW", InstitutionType.NGO, "BOL"),
    ("Red de Protección Infancia Andina (demo)", "RPIA", InstitutionType.NGO, "BOL"),
    ("Defensoría de la Niñez y Adolescencia de El Alto", "DNA-EA", InstitutionType.LOCAL_GOVERNMENT, "BOL"),
    ("Ministerio del Interior (Perú)", "MININTER-PE", InstitutionType.PARTNER_AUTHORITY, "PER"),
    ("Ministerio de Justicia y Derechos Humanos (Argentina)", "MJDH-AR", InstitutionType.PARTNER_AUTHORITY, "ARG"),
    ("Ministerio del Interior (Paraguay)", "MI-PY", InstitutionType.PARTNER_AUTHORITY, "PRY"),
    ("Ministério da Justiça e Segurança Pública (Brasil)", "MJSP-BR", InstitutionType.PARTNER_AUTHORITY, "BRA"),
    ("Subsecretaría del Interior (Chile)", "SSI-CL", InstitutionType.PARTNER_AUTHORITY, "CHL"),
    ("Ministerio del Interior (España)", "MIR-ES", InstitutionType.PARTNER_AUTHORITY, "ESP"),
    ("Ministerio de Seguridad Pública (Panamá)", "MINSEG-PA", InstitutionType.PARTNER_AUTHORITY, "PAN"),
    ("Ministerio del Poder Popular para Relaciones Interiores (Venezuela)", "MPPRIJP-VE", InstitutionType.PARTNER_AUTHORITY, "VEN"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    institution: str  # short name
    first_name: str
    last_name: str


USERS: list[DemoUser] = [
    DemoUser("admin", Role.ADMINISTRATOR, "MJTI", "Ana", "Operadora"),
    DemoUser("coordinadora", Role.COORDINATOR, "MJTI", "Carla", "Coordinadora"),
    DemoUser("trabajadora", Role.CASE_WORKER, "FMK", "Teresa", "Trabajadora"),
    DemoUser("investigador", Role.INVESTIGATOR, "FELCC", "Iván", "Investigador"),
    DemoUser("fiscal", Role.PROSECUTOR, "FGE", "Fabiola", "Fiscal"),
    DemoUser("analista", Role.ANALYST, "MJTI", "Andrés", "Analista"),
    DemoUser("enlace", Role.PARTNER_LIAISON, "MJTI", "Elena", "Enlace"),
    DemoUser("auditora", Role.AUDITOR, "MJTI", "Aurora", "Auditora"),
]


def demo_accounts_seed() -> list[DemoUser]:
    """Create the demo institutions and users if missing. Safe to run any number of times."""
    with transaction.atomic():
        by_short: dict[str, Institution] = {}
        for name, short, type_, country in INSTITUTIONS:
            institution, created = Institution.objects.get_or_create(
                name=name, defaults={"short_name": short, "type": type_, "country": country}
            )
            if created:
                audit_record(actor=None, action="institution.create", obj=institution,
                             changed_fields=["name", "short_name", "type", "country"])
            by_short[short] = institution
        for spec in USERS:
            if User.objects.filter(username=spec.username).exists():
                continue
            user = User(
                username=spec.username,
                role=spec.role,
                institution=by_short[spec.institution],
                first_name=spec.first_name,
                last_name=spec.last_name,
                is_staff=spec.role == Role.ADMINISTRATOR,
                is_superuser=spec.role == Role.ADMINISTRATOR,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            audit_record(actor=None, action="user.create", obj=user,
                         changed_fields=["username", "role", "institution"])
    return USERS

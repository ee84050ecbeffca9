"""Demo services directory and risk questions: synthetic providers of the demo institutions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from alianza.accounts.models import Institution
from alianza.audit.services import audit_record
from alianza.protection.choices import ProfileSex, RiskDomain, ServiceKind
from alianza.protection.models import RiskQuestion, ServiceProvider


@dataclass(frozen=True)
class DemoProvider:
    institution: str  # short name
    name: str
    kind: str
    department: str
    city: str
    beds: int | None = None
    occupied: int = 0
    min_age: int | None = None
    max_age: int | None = None
    sex: str = ""
    nationalities: str = ""
    country: str = "BOL"


PROVIDERS: list[DemoProvider] = [
    DemoProvider("FMK", "Casa de acogida Munasim (demo)", ServiceKind.SHELTER, "BO-L", "El Alto",
                 beds=24, occupied=17, min_age=12, max_age=25, sex=ProfileSex.FEMALE),
    DemoProvider("FMK", "Apoyo psicológico Munasim (demo)", ServiceKind.PSYCHOLOGICAL, "BO-L", "El Alto"),
    DemoProvider("CAIW", "Albergue Warmi (demo)", ServiceKind.SHELTER, "BO-C", "Cochabamba",
                 beds=16, occupied=9, min_age=18, sex=ProfileSex.FEMALE),
    DemoProvider("CAIW", "Asesoría legal Warmi (demo)", ServiceKind.LEGAL_AID, "BO-C", "Cochabamba"),
    DemoProvider("CAIW", "Formación laboral Warmi (demo)", ServiceKind.LIVELIHOOD, "BO-C", "Cochabamba", min_age=16),
    DemoProvider("RPIA", "Hogar transitorio Infancia Andina (demo)", ServiceKind.SHELTER, "BO-S", "Santa Cruz de la Sierra",
                 beds=30, occupied=28, max_age=17),
    DemoProvider("RPIA", "Reinserción escolar Infancia Andina (demo)", ServiceKind.EDUCATION, "BO-S",
                 "Santa Cruz de la Sierra", min_age=6, max_age=17),
    DemoProvider("RPIA", "Reunificación familiar Infancia Andina (demo)", ServiceKind.FAMILY_REUNIFICATION, "BO-S",
                 "Santa Cruz de la Sierra"),
    DemoProvider("DNA-EA", "Defensoría de la Niñez y Adolescencia de El Alto", ServiceKind.CHILD_PROTECTION,
                 "BO-L", "El Alto", max_age=17),
    DemoProvider("DP", "Atención en salud – convenio Defensoría del Pueblo (demo)", ServiceKind.HEALTH, "BO-L", "La Paz"),
    DemoProvider("MJTI", "Retorno asistido y repatriación (demo)", ServiceKind.REPATRIATION, "BO-L", "La Paz"),
    DemoProvider("MJDH-AR", "Programa de rescate y acompañamiento (demo)", ServiceKind.SHELTER, "", "Buenos Aires",
                 beds=40, occupied=22, country="ARG"),
]

# The HTCDS 2.0 example questions of "Assessment and Planning", in the three domains.
QUESTIONS: list[tuple[str, str, str, str, str]] = [
    ("ind_identity", RiskDomain.INDIVIDUAL,
     "¿La nacionalidad, etnia o pertenencia a un pueblo indígena de la persona es un factor de riesgo?",
     "Is the person's nationality, ethnicity or indigenous people a risk factor?",
     "A nacionalidade, etnia ou povo indígena da pessoa é um fator de risco?"),
    ("ind_age", RiskDomain.INDIVIDUAL, "¿La edad de la persona es un factor de riesgo?",
     "Is the person's age a risk factor?", "A idade da pessoa é um fator de risco?"),
    ("ind_contact", RiskDomain.INDIVIDUAL, "¿Los tratantes siguen en contacto con la persona o la amenazan?",
     "Are the traffickers still in contact with the person or threatening them?",
     "Os traficantes ainda mantêm contato com a pessoa ou a ameaçam?"),
    ("fam_income", RiskDomain.FAMILY, "¿La fuente de ingresos del hogar es un factor de riesgo?",
     "Is the household's source of income a risk factor?", "A fonte de renda do domicílio é um fator de risco?"),
    ("fam_violence", RiskDomain.FAMILY, "¿Hay violencia o abuso en el hogar?",
     "Is there violence or abuse in the household?", "Há violência ou abuso no domicílio?"),
    ("fam_involved", RiskDomain.FAMILY, "¿Algún familiar participó en la captación?",
     "Was a family member involved in the recruitment?", "Algum familiar participou do aliciamento?"),
    ("com_police", RiskDomain.COMMUNITY, "¿La falta de acceso a la policía o la justicia es un factor de riesgo en la comunidad?",
     "Is lack of access to the police or justice a risk factor in the community?",
     "A falta de acesso à polícia ou à justiça é um fator de risco na comunidade?"),
    ("com_education", RiskDomain.COMMUNITY, "¿La falta de acceso a la educación es un factor de riesgo en la comunidad?",
     "Is lack of access to education a risk factor in the community?",
     "A falta de acesso à educação é um fator de risco na comunidade?"),
]


def demo_protection_seed() -> int:
    """Create the demo providers and risk questions if missing; returns how many providers exist."""
    with transaction.atomic():
        for order, (code, domain, es, en, pt) in enumerate(QUESTIONS):
            question, created = RiskQuestion.objects.get_or_create(
                code=code, defaults={"domain": domain, "label_es": es, "label_en": en, "label_pt": pt,
                                     "sort_order": order},
            )
            if created:
                audit_record(actor=None, action="protection.risk_question.create", obj=question,
                             changed_fields=["code", "domain", "label_es", "label_en", "label_pt"])
        institutions = {i.short_name: i for i in Institution.objects.all()}
        for spec in PROVIDERS:
            institution = institutions.get(spec.institution)
            if institution is None:
                continue
            provider, created = ServiceProvider.objects.get_or_create(
                institution=institution, name=spec.name,
                defaults={
                    "kind": spec.kind, "country": spec.country, "department": spec.department, "city": spec.city,
                    "beds": spec.beds, "occupied_beds": spec.occupied, "min_age": spec.min_age,
                    "max_age": spec.max_age, "accepted_sex": spec.sex, "accepted_nationalities": spec.nationalities,
                },
            )
            if created:
                audit_record(actor=None, action="protection.provider.create", obj=provider,
                             changed_fields=["name", "kind", "institution", "beds"])
        return ServiceProvider.objects.count()

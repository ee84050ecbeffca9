"""factory_boy factories for the protection context. Synthetic providers and people only."""

from __future__ import annotations

import datetime as dt

import factory

from alianza.accounts.tests.factories import InstitutionFactory
from alianza.protection.choices import ConsentPurpose, RiskDomain, ServiceKind
from alianza.protection.models import Consent, RiskQuestion, ServiceProvider


class ServiceProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceProvider

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Servicio de prueba {n}")
    kind = ServiceKind.SHELTER
    country = "BOL"
    department = "BO-L"
    city = "El Alto"
    beds = 10
    occupied_beds = 2


class RiskQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskQuestion

    domain = RiskDomain.INDIVIDUAL
    code = factory.Sequence(lambda n: f"q{n}")
    label_es = factory.Sequence(lambda n: f"Pregunta {n}")
    label_en = factory.Sequence(lambda n: f"Question {n}")
    label_pt = factory.Sequence(lambda n: f"Pergunta {n}")


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    purpose = ConsentPurpose.SUPPORT
    given_on = dt.date(2026, 11, 1)
    informed_of_withdrawal = True

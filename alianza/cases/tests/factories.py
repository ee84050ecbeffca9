"""factory_boy factories for the case registry. Synthetic people only: every name is invented."""

from __future__ import annotations

import datetime as dt

import factory

from alianza.accounts.tests.factories import InstitutionFactory
from alianza.cases.choices import CaseSource, CaseStatus, CrimeType, LegalArticle, RouteEventType
from alianza.cases.models import Case, RouteEvent
from alianza.people.choices import ParticipationRole, Sex
from alianza.people.models import Participation, Person


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"TST-2024-{n:06d}")
    crime_type = CrimeType.TRAFFICKING
    legal_article = LegalArticle.TRAFFICKING_281_BIS
    status = CaseStatus.ACTIVE
    owner_institution = factory.SubFactory(InstitutionFactory)
    reported_on = dt.date(2024, 3, 15)
    source = CaseSource.COMPLAINT
    narrative = "Relato sintético para pruebas."
    search_text = factory.LazyAttribute(lambda c: f"{c.reference.lower().replace('-', ' ')} relato sintetico")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_names = factory.Iterator(["Rosa Elena", "Juana", "María del Carmen", "Luz"])
    first_surname = factory.Iterator(["Mamani", "Quispe", "Condori", "Choque"])
    second_surname = "Sintético"
    sex = Sex.FEMALE
    owner_institution = factory.SubFactory(InstitutionFactory)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    case = factory.SubFactory(CaseFactory)
    person = factory.SubFactory(PersonFactory)
    role = ParticipationRole.VICTIM


class RouteEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RouteEvent

    case = factory.SubFactory(CaseFactory)
    position = factory.Sequence(lambda n: n + 1)
    event_type = RouteEventType.TRANSIT
    country = "BOL"

"""factory_boy factories for accounts. Synthetic people only."""

from __future__ import annotations

import factory

from alianza.accounts.models import Institution, User
from alianza.accounts.roles import InstitutionType, Role

TEST_PASSWORD = "correct-horse-battery-staple-9"


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Institución de prueba {n}")
    short_name = factory.Sequence(lambda n: f"IP{n}")
    type = InstitutionType.NGO
    country = "BOL"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"usuario{n}")
    first_name = "Prueba"
    last_name = "Sintética"
    institution = factory.SubFactory(InstitutionFactory)
    role = Role.CASE_WORKER
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()

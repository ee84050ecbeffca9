from alianza.cases.tests.conftest import english, reference  # noqa: F401

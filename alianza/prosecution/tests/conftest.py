from alianza.cases.tests.conftest import reference  # noqa: F401

"""Human names for the category codes the indicator engine returns, in the active language."""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext as _

from alianza.normalize.countries import get_country
from alianza.normalize.errors import NormalizationError

DEPARTMENTS = {
    "BO-B": "Beni", "BO-C": "Cochabamba", "BO-H": "Chuquisaca", "BO-L": "La Paz", "BO-N": "Pando",
    "BO-O": "Oruro", "BO-P": "Potosí", "BO-S": "Santa Cruz", "BO-T": "Tarija",
}  # fmt: skip


def _fixed() -> dict[str, str]:
    return {
        "women": _("Women"), "men": _("Men"), "girls": _("Girls"), "boys": _("Boys"), "unknown": _("Unknown"),
        "F": _("Female"), "M": _("Male"),
        "trafficking": _("Trafficking in persons"), "smuggling": _("Migrant smuggling"), "related": _("Related crime"),
        "sexual_exploitation": _("Sexual exploitation"), "forced_labour": _("Forced labour"),
        "servitude": _("Servitude"), "forced_begging": _("Forced begging"), "illegal_adoption": _("Illegal adoption"),
        "criminal_activities": _("Use in criminal activities"), "forced_marriage": _("Forced marriage"),
        "organ_removal": _("Organ removal"),
    }  # fmt: skip


def _reference_terms() -> dict[str, str]:
    if not apps.is_installed("alianza.cases"):
        return {}
    from alianza.cases.models import ReferenceTerm

    field = f"label_{(translation.get_language() or 'es')[:2]}"
    if field not in ("label_es", "label_en", "label_pt"):
        field = "label_es"
    return dict(ReferenceTerm.objects.values_list("code", field))


def country_name(code: str) -> str:
    try:
        country = get_country(code)
    except NormalizationError:
        return code
    spanish = (translation.get_language() or "es").startswith(("es", "pt"))
    name = country.name_es if spanish else country.name_en
    return name.split(",")[0]  # "Bolivia, Estado Plurinacional de" → "Bolivia"


def labeller() -> Callable[[str], str]:
    """A function from category code to name; reads reference terms once."""
    fixed = _fixed()
    terms = _reference_terms()

    def label(code: str) -> str:
        if code in fixed:
            return fixed[code]
        if code in terms:
            return terms[code]
        if code in DEPARTMENTS:
            return DEPARTMENTS[code]
        if len(code) == 3 and code.isupper():
            return country_name(code)
        if code.islower():  # an unlabelled code such as "forced_labour"
            return code.replace("_", " ").capitalize()
        return code  # a name already, such as an institution's

    return label

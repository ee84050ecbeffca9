"""Countries as ISO 3166-1 alpha-3 codes, from codes and from Spanish or English names.

The table (`data/countries.csv`, 249 countries with their alpha-2, numeric code, English and
Spanish names) ships with the package: nothing is fetched at run time. Common short names and
the demonyms seen on forms in the region are added below.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from alianza.normalize.errors import NormalizationError
from alianza.normalize.names import fold


@dataclass(frozen=True, slots=True)
class Country:
    alpha3: str
    alpha2: str
    numeric: str
    name_en: str
    name_es: str


# Short names, demonyms and old names that forms use; keys are folded.
_EXTRA_NAMES = {
    "bolivia": "BOL", "boliviano": "BOL", "boliviana": "BOL",
    "peru": "PER", "peruano": "PER", "peruana": "PER",
    "argentino": "ARG", "argentina": "ARG",
    "brasil": "BRA", "brazil": "BRA", "brasileno": "BRA", "brasilena": "BRA", "brasileiro": "BRA",
    "paraguayo": "PRY", "paraguaya": "PRY",
    "chileno": "CHL", "chilena": "CHL",
    "colombiano": "COL", "colombiana": "COL",
    "ecuatoriano": "ECU", "ecuatoriana": "ECU",
    "venezuela": "VEN", "venezolano": "VEN", "venezolana": "VEN",
    "uruguayo": "URY", "uruguaya": "URY",
    "espanol": "ESP", "espanola": "ESP",
    "panameno": "PAN", "panamena": "PAN",
    "mexicano": "MEX", "mexicana": "MEX",
    "usa": "USA", "eeuu": "USA", "ee uu": "USA", "estados unidos de america": "USA",
    "united states": "USA", "uk": "GBR", "great britain": "GBR", "inglaterra": "GBR",
    "russia": "RUS", "rusia": "RUS", "south korea": "KOR", "corea del sur": "KOR",
    "iran": "IRN", "syria": "SYR", "siria": "SYR", "vietnam": "VNM", "laos": "LAO",
    "tanzania": "TZA", "moldova": "MDA", "taiwan": "TWN", "china": "CHN",
    "republica dominicana": "DOM", "dominican republic": "DOM", "haiti": "HTI", "cuba": "CUB",
}  # fmt: skip


@cache
def _table() -> tuple[dict[str, Country], dict[str, str]]:
    by_alpha3: dict[str, Country] = {}
    lookup: dict[str, str] = {}
    text = resources.files("alianza.normalize").joinpath("data/countries.csv").read_text("utf-8")
    for row in csv.DictReader(text.splitlines()):
        country = Country(
            row["alpha3"], row["alpha2"], row["numeric"], row["name_en"], row["name_es"]
        )
        by_alpha3[country.alpha3] = country
        lookup[country.alpha3.lower()] = country.alpha3
        lookup[country.alpha2.lower()] = country.alpha3
        lookup[country.numeric] = country.alpha3
        for name in (
            row["name_en"],
            row["name_es"],
            row["official_name_en"],
            row["common_name_en"],
        ):
            if name:
                lookup.setdefault(fold(name), country.alpha3)
                # "Bolivia, Plurinational State of" is also looked up as "Bolivia".
                lookup.setdefault(fold(name.split(",")[0]), country.alpha3)
    for name, alpha3 in _EXTRA_NAMES.items():
        lookup[name] = alpha3
    return by_alpha3, lookup


def normalize_country(value: str) -> str:
    """The ISO 3166-1 alpha-3 code for a code (BOL, BO, 068) or a name ("Perú", "Brazil")."""
    key = fold(value)
    if not key:
        raise NormalizationError("The country is empty.", field="country")
    _, lookup = _table()
    found = lookup.get(key) or lookup.get(key.lstrip("0").zfill(3) if key.isdigit() else "")
    if found is None:
        raise NormalizationError(
            "Unknown country; use an ISO 3166 code such as BOL or PER, or the country's name.",
            field="country",
        )
    return found


def get_country(alpha3: str) -> Country:
    """The table row of a country by its alpha-3 code."""
    by_alpha3, _ = _table()
    try:
        return by_alpha3[normalize_country(alpha3)]
    except KeyError:  # pragma: no cover - normalize_country only returns known codes
        raise NormalizationError("Unknown country code.", field="country") from None

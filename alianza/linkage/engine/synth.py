"""Synthetic Latin American person records with known truth, for tests, benchmarks and demos.

Every person here is invented. The generator draws Bolivian, Peruvian, Argentine, Paraguayan,
Brazilian and Chilean people (with the very common Aymara and Quechua surnames at realistic
frequencies, and families that share surnames and birth places) and then writes each of them
one or more times the way agencies actually record them: maternal surname dropped or the two
surnames swapped, accents lost, case changed, typos and Andean spelling variants, compound given
names cut, day and month swapped or only the year known, documents written with dots, department
extensions and complements, or not at all.

`dedupe_dataset` and `match_datasets` return records in the canonical person-record columns plus
a `person_id` column holding the truth, which callers drop before linking.
"""

from __future__ import annotations

# ruff: noqa: S311 - seeded pseudo-random draws make reproducible synthetic data, not secrets
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from alianza.linkage.engine.schema import CANONICAL_COLUMNS

FEMALE_GIVEN = (
    "María", "Ana", "Rosa", "Juana", "Carmen", "Lucía", "Sofía", "Valeria", "Camila", "Gabriela",
    "Daniela", "Patricia", "Silvia", "Elizabeth", "Jhenny", "Wendy", "Mariela", "Ximena", "Norma",
    "Nelly", "Lidia", "Marisol", "Roxana", "Beatriz", "Verónica", "Fernanda", "Andrea", "Paola",
    "Claudia", "Isabel", "Teresa", "Julia", "Martha", "Luz", "Esther", "Inés", "Yola", "Sandra",
    "Mónica", "Cinthia", "Janet", "Rocío", "Ruth", "Sonia", "Gladys", "Lourdes", "Miriam",
    "Nancy", "Pamela", "Karina", "Abigail", "Noemí", "Zulma", "Eva", "Graciela", "Jimena",
    "Adriana", "Alejandra", "Brenda", "Dayana", "Evelyn", "Fabiola", "Giovanna", "Heidy",
    "Ivonne", "Jessica", "Katherine", "Leticia", "Maribel", "Nayeli", "Olga", "Rebeca", "Susana",
    "Tatiana", "Vanessa", "Yésica", "Wilma", "Celia", "Dora", "Elena", "Felicidad", "Genoveva",
)  # fmt: skip
MALE_GIVEN = (
    "Juan", "José", "Carlos", "Luis", "Jorge", "Mario", "Pedro", "Miguel", "Fernando", "Marco",
    "Edwin", "Freddy", "Wilson", "Álvaro", "Rubén", "René", "Víctor", "Hugo", "Germán", "Ramiro",
    "Jhonny", "Wilfredo", "Ángel", "Nicolás", "Gonzalo", "Óscar", "Iván", "Sergio", "Diego",
    "Raúl", "Eduardo", "Alejandro", "Andrés", "Cristian", "David", "Daniel", "Javier", "Julio",
    "Franz", "Limbert", "Rolando", "Roberto", "Santiago", "Teodoro", "Vladimir", "Walter",
    "Yamil", "Adolfo", "Bernardo", "Cristóbal", "Efraín", "Félix", "Gustavo", "Héctor",
    "Ignacio", "Jaime", "Lucas", "Mauricio", "Nelson", "Pablo", "Richard", "Samuel", "Tomás",
    "Ulises", "Vicente", "Wálter", "Zacarías", "Alberto", "Benjamín", "César", "Dante", "Elías",
    "Fabián", "Gerardo", "Henry", "Isaac", "Joel", "Kevin", "Leonardo", "Milton", "Néstor",
)  # fmt: skip
FEMALE_DEVOTIONAL = ("María del Carmen", "María de los Ángeles", "María del Rosario", "Rosa María")
MALE_DEVOTIONAL = ("José Luis", "Juan de Dios", "Jesús María", "Juan Carlos")

# (surname, relative weight). Mamani, Quispe and Condori dominate the Altiplano.
_ANDEAN_SURNAMES = (
    ("Mamani", 60), ("Quispe", 50), ("Condori", 35), ("Flores", 30), ("Choque", 25),
    ("Huanca", 14), ("Ticona", 12), ("Apaza", 12), ("Limachi", 10), ("Copa", 10), ("Poma", 9),
    ("Chambi", 8), ("Yujra", 6), ("Callisaya", 8), ("Laura", 7), ("Colque", 8), ("Cruz", 10),
    ("Nina", 7), ("Cusi", 5), ("Alanoca", 5), ("Tarqui", 4), ("Huarachi", 4), ("Machaca", 6),
    ("Villca", 6), ("Chura", 5), ("Coaquira", 4), ("Pari", 4), ("Calle", 6), ("Huaylla", 3),
    ("Ccori", 3), ("Huamán", 8), ("Ccama", 3), ("Aruquipa", 3), ("Ticona", 4), ("Quisbert", 4),
    ("Patzi", 3), ("Ajata", 3), ("Mendoza", 10), ("Vargas", 12), ("Gutiérrez", 10),
    ("Rojas", 12), ("Fernández", 9), ("López", 10), ("García", 9), ("Rodríguez", 9),
    ("Pérez", 9), ("Sánchez", 8), ("Torres", 7), ("Ramírez", 6), ("Gonzales", 7),
    ("Álvarez", 5), ("Medina", 5), ("Ortiz", 5), ("Vásquez", 5), ("Castro", 4), ("Suárez", 5),
    ("Morales", 6), ("Romero", 4), ("Herrera", 4), ("Aguilar", 6), ("Salazar", 4), ("Ramos", 6),
    ("Chávez", 5), ("Ayala", 3), ("Paredes", 4), ("Cáceres", 3), ("Soliz", 4), ("Zeballos", 3),
    ("Arce", 4), ("Guzmán", 4), ("Montaño", 3), ("Peña", 3), ("Ríos", 3), ("Saavedra", 3),
    ("Céspedes", 3), ("Vaca", 3), ("Justiniano", 2), ("Añez", 2), ("Rivero", 3), ("Ibáñez", 2),
    ("Cabrera", 3), ("Mercado", 4), ("de la Cruz", 3), ("del Castillo", 2), ("Espinoza", 5),
    ("Illanes", 2), ("Zárate", 3), ("Yupanqui", 2), ("Huallpa", 3), ("Challco", 2),
)  # fmt: skip
_ARGENTINE_SURNAMES = (
    ("González", 20), ("Rodríguez", 18), ("Gómez", 15), ("Fernández", 15), ("López", 14),
    ("Díaz", 12), ("Martínez", 12), ("Pérez", 11), ("Romero", 9), ("Sosa", 9), ("Álvarez", 8),
    ("Torres", 8), ("Ruiz", 7), ("Ramírez", 7), ("Benítez", 6), ("Acosta", 6), ("Medina", 6),
    ("Herrera", 6), ("Suárez", 6), ("Aguirre", 5), ("Giménez", 5), ("Gutiérrez", 5),
    ("Pereyra", 5), ("Molina", 5), ("Castro", 5), ("Ortiz", 5), ("Silva", 5), ("Núñez", 4),
    ("Luna", 4), ("Juárez", 4), ("Ferreyra", 4), ("Mamani", 4), ("Quispe", 3), ("Flores", 5),
)  # fmt: skip
_BRAZILIAN_SURNAMES = (
    ("Silva", 25), ("Santos", 18), ("Oliveira", 14), ("Souza", 12), ("Rodrigues", 9),
    ("Ferreira", 9), ("Alves", 8), ("Pereira", 8), ("Lima", 7), ("Gomes", 7), ("Costa", 6),
    ("Ribeiro", 6), ("Martins", 6), ("Carvalho", 5), ("Almeida", 5), ("Lopes", 5),
    ("Fernandes", 5), ("Vieira", 4), ("Barbosa", 4), ("da Silva", 6), ("dos Santos", 5),
)  # fmt: skip
_PARAGUAYAN_SURNAMES = (
    ("Benítez", 12), ("González", 14), ("Giménez", 9), ("Villalba", 7), ("Martínez", 9),
    ("Ramírez", 7), ("Duarte", 6), ("Ayala", 6), ("Acosta", 6), ("Cáceres", 5), ("Báez", 5),
    ("Ortiz", 5), ("Rojas", 5), ("Franco", 4), ("Aquino", 4), ("Vera", 4), ("Ojeda", 4),
)  # fmt: skip
_PERUVIAN_SURNAMES = (
    ("Quispe", 30), ("Flores", 20), ("Huamán", 15), ("Mamani", 15), ("Rojas", 10),
    ("Sánchez", 10), ("García", 10), ("Rodríguez", 9), ("Chávez", 9), ("Vásquez", 8),
    ("Ramos", 8), ("Mendoza", 8), ("Torres", 7), ("Díaz", 7), ("Castillo", 6), ("Espinoza", 6),
    ("Ccori", 4), ("Condori", 8), ("Ticona", 4), ("Cruz", 6), ("Gutiérrez", 6), ("Huanca", 5),
    ("Apaza", 5), ("Choque", 5), ("Yupanqui", 3), ("Ccahuana", 3), ("Huillca", 3),
)  # fmt: skip
_CHILEAN_SURNAMES = (
    ("González", 15), ("Muñoz", 12), ("Rojas", 10), ("Díaz", 9), ("Pérez", 8), ("Soto", 8),
    ("Contreras", 7), ("Silva", 7), ("Martínez", 6), ("Sepúlveda", 6), ("Morales", 6),
    ("Rodríguez", 6), ("López", 5), ("Fuentes", 5), ("Hernández", 5), ("Mamani", 3),
)  # fmt: skip

_BOLIVIAN_PLACES = (
    ("La Paz", 20), ("El Alto", 22), ("Cochabamba", 15), ("Santa Cruz de la Sierra", 15),
    ("Oruro", 7), ("Potosí", 6), ("Sucre", 5), ("Tarija", 4), ("Trinidad", 2), ("Cobija", 1),
    ("Achacachi", 2), ("Viacha", 2), ("Caranavi", 1), ("Yacuiba", 2), ("Villazón", 2),
    ("Uyuni", 1), ("Llallagua", 1), ("Quillacollo", 2), ("Montero", 2), ("Riberalta", 1),
)  # fmt: skip
_PLACES = {
    "BOL": _BOLIVIAN_PLACES,
    "PER": (("Lima", 30), ("Puno", 10), ("Juliaca", 8), ("Cusco", 10), ("Arequipa", 10),
            ("Tacna", 5), ("Desaguadero", 2)),
    "ARG": (("Buenos Aires", 30), ("La Matanza", 8), ("Córdoba", 10), ("Rosario", 8),
            ("Mendoza", 6), ("Salta", 6), ("Jujuy", 5)),
    "PRY": (("Asunción", 30), ("Ciudad del Este", 15), ("Encarnación", 8), ("Luque", 8)),
    "BRA": (("São Paulo", 30), ("Rio de Janeiro", 15), ("Corumbá", 5), ("Guajará-Mirim", 3)),
    "CHL": (("Santiago", 30), ("Arica", 10), ("Iquique", 10), ("Calama", 6)),
}  # fmt: skip
_SURNAMES = {
    "BOL": _ANDEAN_SURNAMES,
    "PER": _PERUVIAN_SURNAMES,
    "ARG": _ARGENTINE_SURNAMES,
    "PRY": _PARAGUAYAN_SURNAMES,
    "BRA": _BRAZILIAN_SURNAMES,
    "CHL": _CHILEAN_SURNAMES,
}
_NATIONALITIES = (("BOL", 70), ("PER", 10), ("ARG", 8), ("PRY", 5), ("BRA", 4), ("CHL", 3))
_DEPARTMENTS = ("LP", "LP", "LP", "CB", "CB", "SC", "SC", "OR", "PT", "TJ", "CH", "BE", "PD")

# Andean and Spanish spelling variants a clerk may write instead of the "standard" form.
_SPELLING_VARIANTS = (
    ("qu", "k"), ("Qu", "K"), ("e", "i"), ("o", "u"), ("v", "b"), ("b", "v"), ("z", "s"),
    ("s", "z"), ("ll", "y"), ("y", "ll"), ("hu", "w"), ("Hu", "W"), ("j", "x"), ("Ch", "Ch'"),
    ("i", "y"), ("gu", "w"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    person_id: int
    sex: str
    given_names: str
    first_surname: str
    second_surname: str | None
    birth_date: dt.date
    nationality: str
    document_number: str
    complement: str | None
    department: str | None
    birth_place: str
    passport: str


class _Weighted:
    def __init__(self, items: Sequence[tuple[str, int]]) -> None:
        self.values = [v for v, _ in items]
        self.cum: list[int] = []
        total = 0
        for _, w in items:
            total += w
            self.cum.append(total)

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cum, k=1)[0]


_SURNAME_POOLS = {k: _Weighted(v) for k, v in _SURNAMES.items()}
_PLACE_POOLS = {k: _Weighted(v) for k, v in _PLACES.items()}
_NATIONALITY_POOL = _Weighted(_NATIONALITIES)
# Per name field of a messy record: a typo with this probability, a spelling variant with 0.8x.
TYPO_RATE = 0.06
_ACCENTS = str.maketrans("áéíóúÁÉÍÓÚñÑüÜãõçÃÕÇ", "aeiouAEIOUnNuUaocAOC")


def _given_names(rng: random.Random, sex: str) -> str:
    pool, devotional = (
        (FEMALE_GIVEN, FEMALE_DEVOTIONAL) if sex == "F" else (MALE_GIVEN, MALE_DEVOTIONAL)
    )
    roll = rng.random()
    if roll < 0.05:
        return rng.choice(devotional)
    if roll < 0.55:
        first, second = rng.sample(pool, 2)
        return f"{first} {second}"
    return rng.choice(pool)


def _document(rng: random.Random, nationality: str) -> tuple[str, str | None, str | None]:
    if nationality == "BOL":
        number = str(rng.randint(1_000_000, 14_999_999))
        complement = (
            f"{rng.randint(1, 2)}{rng.choice('ABCDEFGHIJ')}" if rng.random() < 0.04 else None
        )
        return number, complement, rng.choice(_DEPARTMENTS)
    if nationality == "BRA":
        base = "".join(str(rng.randint(0, 9)) for _ in range(9))
        from alianza.normalize.documents import cpf_check_digits

        return base + cpf_check_digits(base), None, None
    if nationality == "PER":
        return str(rng.randint(10_000_000, 79_999_999)), None, None
    if nationality == "ARG":
        return str(rng.randint(5_000_000, 49_999_999)), None, None
    if nationality == "CHL":
        return str(rng.randint(5_000_000, 26_999_999)), str(rng.choice("0123456789K")), None
    return str(rng.randint(500_000, 7_999_999)), None, None


def generate_people(n: int, *, seed: int = 0, family_rate: float = 0.25) -> list[SyntheticPerson]:
    """`n` invented people; about `family_rate` of them are siblings sharing surnames and place."""
    rng = random.Random(seed)
    people: list[SyntheticPerson] = []
    base = dt.date(1950, 1, 1).toordinal()
    span = dt.date(2020, 12, 31).toordinal() - base
    while len(people) < n:
        nationality = _NATIONALITY_POOL.draw(rng)
        pool = _SURNAME_POOLS[nationality]
        sur1 = pool.draw(rng)
        sur2 = pool.draw(rng) if rng.random() < 0.96 else None
        place = _PLACE_POOLS[nationality].draw(rng)
        siblings = 1 + (rng.randint(1, 3) if rng.random() < family_rate else 0)
        for _ in range(min(siblings, n - len(people))):
            sex = rng.choice("FM")
            number, complement, department = _document(rng, nationality)
            people.append(
                SyntheticPerson(
                    person_id=len(people),
                    sex=sex,
                    given_names=_given_names(rng, sex),
                    first_surname=sur1,
                    second_surname=sur2,
                    birth_date=dt.date.fromordinal(base + rng.randint(0, span)),
                    nationality=nationality,
                    document_number=number,
                    complement=complement,
                    department=department,
                    birth_place=place,
                    passport=f"{rng.choice('ABCDEFGHJKLMNPRSTUVXYZ')}{rng.randint(100_000, 9_999_999)}",
                )
            )
    return people


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text))
    op = rng.random()
    letters = "abcdefghijklmnopqrstuvwxyz"
    if op < 0.3:
        return text[:i] + text[i + 1 :]
    if op < 0.6:
        return text[:i] + rng.choice(letters) + text[i + 1 :]
    if op < 0.8 and i < len(text) - 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice(letters) + text[i:]


def _variant(rng: random.Random, text: str) -> str:
    options = [(a, b) for a, b in _SPELLING_VARIANTS if a in text]
    if not options:
        return text
    a, b = rng.choice(options)
    return text.replace(a, b, 1)


def _mangle_name(rng: random.Random, text: str, *, typo_rate: float) -> str:
    roll = rng.random()
    if roll < typo_rate:
        text = _typo(rng, text)
    elif roll < typo_rate * 1.8:
        text = _variant(rng, text)
    return text


def _style(rng: random.Random, text: str | None, *, plain: bool, case: str) -> str:
    if not text:
        return ""
    if plain:
        text = text.translate(_ACCENTS)
    if case == "upper":
        return text.upper()
    if case == "lower":
        return text.lower()
    return text


def _write_document(rng: random.Random, person: SyntheticPerson) -> tuple[str, str]:
    """The document as this clerk writes it: (document_type, document_number)."""
    roll = rng.random()
    if roll < 0.3:
        return "", ""
    if roll < 0.35:  # abroad, the passport is the document at hand
        return rng.choice(("Pasaporte", "PASSPORT", "")), person.passport
    number = person.document_number
    if rng.random() < 0.02:
        number = _typo_digits(rng, number)
    nat = person.nationality
    if nat == "BOL":
        doc_type = rng.choice(("CI", "CI", "C.I.", "Cédula de identidad", "carnet", ""))
        text = number
        if person.complement and rng.random() < 0.6:
            text += f"-{person.complement}"
        style = rng.random()
        if style < 0.4 and person.department:
            text += f" {person.department}"
        elif style < 0.55 and person.department:
            text += f" {person.department[0]}.{person.department[1]}."
        elif style < 0.65 and person.department:
            text = f"{text} Exp. {person.department}"
        return doc_type, text
    if nat == "BRA":
        doc_type = rng.choice(("CPF", "CPF", ""))
        if rng.random() < 0.5:
            number = f"{number[:3]}.{number[3:6]}.{number[6:9]}-{number[9:]}"
        return doc_type, number
    if nat in ("PER", "ARG"):
        doc_type = rng.choice(("DNI", "DNI", "D.N.I.", ""))
        if rng.random() < 0.4:
            number = f"{int(number):,}".replace(",", ".")
        return doc_type, number
    if nat == "CHL":
        doc_type = rng.choice(("CI", "RUN", "RUT", ""))
        if rng.random() < 0.5:
            number = f"{int(number):,}".replace(",", ".")
        return doc_type, f"{number}-{person.complement}"
    doc_type = rng.choice(("CI", "Cédula", ""))
    if rng.random() < 0.4:
        number = f"{int(number):,}".replace(",", ".")
    return doc_type, number


def _typo_digits(rng: random.Random, number: str) -> str:
    i = rng.randrange(len(number))
    return number[:i] + str(rng.randint(0, 9)) + number[i + 1 :]


def _write_birth_date(rng: random.Random, birth: dt.date, *, messy: bool) -> str:
    roll = rng.random()
    if not messy:
        return birth.isoformat() if roll > 0.03 else ""
    if roll < 0.07:
        return ""
    if roll < 0.15:
        return f"{birth.year:04d}"
    if roll < 0.21 and birth.day <= 12 and birth.day != birth.month:
        return f"{birth.year:04d}-{birth.day:02d}-{birth.month:02d}"
    if roll < 0.23:
        year = birth.year + rng.choice((-1, 1))
        return f"{year:04d}-{birth.month:02d}-{birth.day:02d}"
    if roll < 0.25:
        day = min(28, max(1, birth.day + rng.choice((-1, 1))))
        return f"{birth.year:04d}-{birth.month:02d}-{day:02d}"
    return birth.isoformat()


def person_record(
    rng: random.Random, person: SyntheticPerson, record_id: str, *, messy: bool
) -> dict[str, str]:
    """One record of `person` in the canonical columns; `messy` applies the clerks' habits."""
    given = person.given_names
    sur1: str | None = person.first_surname
    sur2 = person.second_surname
    if messy:
        words = given.split()
        if len(words) >= 2 and rng.random() < 0.3 and fold_particle(words[1]):
            given = words[0]
        elif len(words) >= 2 and rng.random() < 0.04:
            given = " ".join(words[1:])
        roll = rng.random()
        if roll < 0.25:
            sur2 = None
        elif roll < 0.33 and sur2:
            sur1, sur2 = sur2, sur1
        elif roll < 0.36 and sur2:
            sur1, sur2 = sur2, None
        given = _mangle_name(rng, given, typo_rate=TYPO_RATE)
        sur1 = _mangle_name(rng, sur1, typo_rate=TYPO_RATE) if sur1 else sur1
        sur2 = _mangle_name(rng, sur2, typo_rate=TYPO_RATE) if sur2 else sur2
        if sur1 and sur1.startswith(("de la ", "del ")) and rng.random() < 0.3:
            sur1 = sur1.split()[-1]
    plain = messy and rng.random() < 0.5
    case = rng.choice(("title", "title", "upper", "lower")) if messy else "title"
    if messy and sur2 and rng.random() < 0.04:
        sur1, sur2 = f"{sur1} {sur2}", None  # both surnames typed into the first field
    elif messy and sur1 and rng.random() < 0.01:
        given, sur1 = sur1, given.split()[0]  # given name and surname in each other's field
    doc_type, doc_number = _write_document(rng, person) if messy else _clean_document(person)
    return {
        "record_id": record_id,
        "given_names": _style(rng, given, plain=plain, case=case),
        "first_surname": _style(rng, sur1, plain=plain, case=case),
        "second_surname": _style(rng, sur2, plain=plain, case=case),
        "sex": _write_sex(rng, person.sex) if messy else person.sex,
        "birth_date": _write_birth_date(rng, person.birth_date, messy=messy),
        "nationality": _write_nationality(rng, person.nationality) if messy else person.nationality,
        "document_type": doc_type,
        "document_number": doc_number,
        "birth_place": ""
        if rng.random() < (0.35 if messy else 0.1)
        else _style(rng, _write_place(rng, person, messy=messy), plain=plain, case=case),
    }


def _write_sex(rng: random.Random, sex: str) -> str:
    roll = rng.random()
    if roll < 0.04:
        return ""
    if roll < 0.05:
        return "M" if sex == "F" else "F"
    return sex


def _write_nationality(rng: random.Random, nationality: str) -> str:
    roll = rng.random()
    if roll < 0.1:
        return ""
    if roll < 0.13:  # the country of residence written as nationality
        return _NATIONALITY_POOL.draw(rng)
    return nationality


def _write_place(rng: random.Random, person: SyntheticPerson, *, messy: bool) -> str:
    if messy and rng.random() < 0.1:  # the municipality where the record was made, say
        return _PLACE_POOLS[person.nationality].draw(rng)
    return person.birth_place


def fold_particle(word: str) -> bool:
    """True when `word` can be dropped from compound given names (not "del" of "del Carmen")."""
    return word.lower() not in {"de", "del", "la", "los", "las"}


def _clean_document(person: SyntheticPerson) -> tuple[str, str]:
    type_by_country = {"BOL": "CI", "BRA": "CPF", "PER": "DNI", "ARG": "DNI", "CHL": "CI"}
    number = person.document_number
    if person.nationality == "BOL" and person.department:
        number = f"{number} {person.department}"
    if person.nationality == "CHL":
        number = f"{number}-{person.complement}"
    return type_by_country.get(person.nationality, "CI"), number


def dedupe_dataset(
    n_records: int, *, seed: int = 0, duplicate_rate: float = 0.3, max_copies: int = 4
) -> pd.DataFrame:
    """About `n_records` records in which `duplicate_rate` of the people appear more than once.

    Most records have no partner, as in real agency data. The column `person_id` is the truth.
    """
    rng = random.Random(seed + 1)
    mean_copies = 1 + duplicate_rate * (1 + max_copies) / 2
    people = generate_people(int(n_records / mean_copies * 1.2) + 10, seed=seed)
    rows: list[dict[str, str]] = []
    for person in people:
        copies = 1 + (rng.randint(1, max_copies - 1) if rng.random() < duplicate_rate else 0)
        for copy in range(copies):
            row = person_record(
                rng, person, f"r{len(rows):07d}", messy=copy > 0 or rng.random() < 0.5
            )
            row["person_id"] = str(person.person_id)
            rows.append(row)
            if len(rows) >= n_records:
                break
        if len(rows) >= n_records:
            break
    frame = pd.DataFrame(rows, columns=[*CANONICAL_COLUMNS, "person_id"])
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def match_datasets(
    n_left: int, n_right: int, *, seed: int = 0, overlap: float = 0.4
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two files with no duplicates inside either; `overlap` of the left people are on the right."""
    rng = random.Random(seed + 2)
    n_shared = int(min(n_left, n_right) * overlap)
    people = generate_people(n_left + n_right - n_shared, seed=seed)
    rng.shuffle(people)
    left_people = people[:n_left]
    right_people = people[:n_shared] + people[n_left : n_left + n_right - n_shared]
    rng.shuffle(right_people)  # record ids must not reveal who is on both sides
    left = [
        {
            **person_record(rng, p, f"a{i:07d}", messy=rng.random() < 0.5),
            "person_id": str(p.person_id),
        }
        for i, p in enumerate(left_people)
    ]
    right = [
        {**person_record(rng, p, f"b{i:07d}", messy=True), "person_id": str(p.person_id)}
        for i, p in enumerate(right_people)
    ]
    columns = [*CANONICAL_COLUMNS, "person_id"]
    left_frame = pd.DataFrame(left, columns=columns).sample(frac=1.0, random_state=seed)
    right_frame = pd.DataFrame(right, columns=columns).sample(frac=1.0, random_state=seed + 1)
    return left_frame.reset_index(drop=True), right_frame.reset_index(drop=True)

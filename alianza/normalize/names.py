"""Hispanic personal names: given names, a paternal and a maternal surname.

Two forms come out of this module:

* display forms (`normalize_given_names`, `normalize_surname`, `split_full_name`): accents kept,
  capitalised, particles in lower case and kept with their surname ("María de la Cruz");
* match keys (`fold`, `surname_key`, `spanish_phonetic`): lower-case ASCII, used by linkage and
  search, where "MARÍA DE LA CRUZ", "Maria de la Cruz" and "Maria Cruz" must meet.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from alianza.normalize.errors import NormalizationError

# Words that belong to the surname (or given name) that follows them. "y" joins two surnames
# into one compound ("Ortega y Gasset").
PARTICLES = frozenset(
    {"de", "del", "la", "las", "los", "da", "das", "do", "dos", "van", "von", "san", "santa"}
)
JOINER = "y"
# Marian and devotional second given names that start with a particle ("María del Carmen").
_GIVEN_NAME_PHRASES = frozenset(
    {
        "del carmen", "del rosario", "del pilar", "de los angeles", "de jesus", "de fatima",
        "de lourdes", "de la paz", "del socorro", "de guadalupe", "de los santos",
        "de dios", "del milagro", "de las mercedes", "de la concepcion", "del transito",
    }
)  # fmt: skip

_NOT_NAME = re.compile(r"[^\w\s'’`´\-.]|\d|_")
_SEPARATORS = re.compile(r"[\s\-.]+")
_APOSTROPHES = re.compile(r"['’`´]")


def _strip_accents(text: str) -> str:
    if text.isascii():  # no ASCII character decomposes: nothing to strip
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """The match key of a name: lower-case ASCII letters and single spaces.

    Accents and the tilde go ("Ñuñez" → "nunez"), apostrophes of Aymara and Quechua
    ejectives go ("K'ara" → "kara"), hyphens and dots become spaces.
    """
    text = _APOSTROPHES.sub("", _strip_accents(text).lower())
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return text.strip()


def _check_name(value: str, *, field: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise NormalizationError(f"The {field.replace('_', ' ')} is empty.", field=field)
    if _NOT_NAME.search(cleaned):
        raise NormalizationError(
            f"The {field.replace('_', ' ')} may contain only letters, spaces, hyphens and "
            "apostrophes; remove digits and other symbols.",
            field=field,
        )
    return cleaned


def _capitalise(word: str) -> str:
    if word.lower() in PARTICLES or word.lower() == JOINER:
        return word.lower()
    # Keep the case after an apostrophe or hyphen: "K'ara", "Ruiz-Tagle".
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


@lru_cache(maxsize=65_536)  # pure, and names repeat: an import or linkage run meets each many times
def normalize_given_names(value: str) -> str:
    """Clean given names for display: single spaces, capitalised, accents kept."""
    cleaned = _check_name(value, field="given_names")
    return " ".join(_capitalise(w) for w in cleaned.split())


@lru_cache(maxsize=65_536)
def normalize_surname(value: str) -> str:
    """Clean one surname for display; particles stay with it in lower case ("de la Cruz")."""
    cleaned = _check_name(value, field="surname")
    words = cleaned.split()
    if all(w.lower() in PARTICLES or w.lower() == JOINER for w in words):
        raise NormalizationError(
            "The surname has only particles such as 'de' or 'la'; write the whole surname.",
            field="surname",
        )
    out = [_capitalise(w) for w in words]
    # A leading particle stays lower case too ("de la Cruz"), but the surname is never empty.
    return " ".join(out)


def _group(words: list[str]) -> list[list[str]]:
    """Group words so that particles travel with the word after them and "y" joins neighbours."""
    groups: list[list[str]] = []
    pending: list[str] = []
    join_next = False
    for word in words:
        low = fold(word)
        if low in PARTICLES:
            pending.append(word)
            continue
        if low == JOINER and groups and not pending:
            groups[-1].append(word)
            join_next = True
            continue
        if join_next:
            groups[-1].extend([*pending, word])
            join_next = False
        else:
            groups.append([*pending, word])
        pending = []
    if pending:  # trailing particles: attach them to the last group rather than lose them
        if groups:
            groups[-1].extend(pending)
        else:
            groups.append(pending)
    return groups


def surname_key(value: str) -> str:
    """Match key of a surname without particles: "de la Cruz" and "Cruz" both give "cruz"."""
    words = [w for w in fold(value).split() if w not in PARTICLES and w != JOINER]
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class PersonName:
    """A Hispanic name: given names, paternal (first) and maternal (second) surname."""

    given_names: str | None
    first_surname: str | None
    second_surname: str | None = None

    @property
    def full_name(self) -> str:
        parts = (self.given_names, self.first_surname, self.second_surname)
        return " ".join(p for p in parts if p)


def split_full_name(value: str) -> PersonName:
    """Split a full name written in one field into given names and two surnames.

    "Juan Carlos Mamani Quispe" → given "Juan Carlos", surnames "Mamani" and "Quispe".
    "MAMANI QUISPE, Juan Carlos" (surnames first, then a comma) is understood too.
    With three words the middle one is taken as the paternal surname ("Ana Mamani Quispe"),
    except for devotional given names ("María del Carmen Quispe").
    """
    if "," in value:
        surnames_part, _, given_part = value.partition(",")
        given = normalize_given_names(given_part) if given_part.strip() else None
        sur_groups = _group(_check_name(surnames_part, field="surname").split())
        surnames = [normalize_surname(" ".join(g)) for g in sur_groups]
        first = surnames[0]
        second = " ".join(surnames[1:]) or None
        return PersonName(given, first, second)

    words = _check_name(value, field="full_name").split()
    groups = _group(words)
    if len(groups) == 1:
        return PersonName(normalize_given_names(" ".join(groups[0])), None, None)
    if len(groups) == 2:
        return PersonName(
            normalize_given_names(" ".join(groups[0])), normalize_surname(" ".join(groups[1]))
        )
    if len(groups) == 3 and fold(" ".join(groups[1])) in _GIVEN_NAME_PHRASES:
        given_groups, surname_groups = groups[:2], groups[2:]
    else:
        given_groups, surname_groups = groups[:-2], groups[-2:]
    given = normalize_given_names(" ".join(w for g in given_groups for w in g))
    first = normalize_surname(" ".join(surname_groups[0]))
    second = normalize_surname(" ".join(surname_groups[1])) if len(surname_groups) > 1 else None
    return PersonName(given, first, second)


# Spanish spelling, plus the Andean habits of writing Aymara and Quechua names
# (Quispe/Quispi/Kispe, Huanca/Wanka, Condori/Cunduri), reduced to one key.
_PHONETIC_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"ch", "X"),  # a placeholder so that the "h" and "c" rules leave it alone
        (r"sh", "X"),
        (r"ll(?=[aeiou])", "y"),
        (r"ll", "l"),
        (r"qu(?=[eiy])", "k"),
        (r"q", "k"),
        (r"kh", "k"),
        (r"ph", "p"),
        (r"th", "t"),
        (r"gu(?=[ei])", "G"),  # hard g, kept apart from the soft g below
        (r"g(?=[ei])", "j"),
        (r"^hu(?=[aeio])", "w"),
        (r"(?<=[aeiou])hu(?=[aeio])", "w"),
        (r"^gu(?=[aeio])", "w"),
        (r"c(?=[ei])", "s"),
        (r"c", "k"),
        (r"z", "s"),
        (r"x", "j"),
        (r"v", "b"),
        (r"w", "u"),
        (r"h", ""),
        (r"y(?![aeiou])", "i"),
        (r"e", "i"),
        (r"o", "u"),
        (r"(.)\1+", r"\1"),
        (r"X", "ch"),
        (r"G", "g"),
    )
)


@lru_cache(maxsize=200_000)
def spanish_phonetic(value: str) -> str:
    """A phonetic key for Spanish, Aymara and Quechua names, word by word.

    Letters pronounced alike in Andean Spanish share a key (b/v, s/z/soft c, y/ll, j/soft g,
    silent h, k/qu/hard c, w/hu/gu), e/i and o/u merge as the three-vowel Andean languages are
    written either way, and doubled letters collapse. Particles are dropped.
    """
    keys = []
    for word in fold(value).split():
        if word in PARTICLES or word == JOINER:
            continue
        key = word
        for pattern, repl in _PHONETIC_RULES:
            key = pattern.sub(repl, key)
        if key:
            keys.append(key)
    return " ".join(keys)

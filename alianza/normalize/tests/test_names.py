from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alianza.normalize import (
    NormalizationError,
    PersonName,
    fold,
    normalize_given_names,
    normalize_surname,
    spanish_phonetic,
    split_full_name,
)
from alianza.normalize.names import surname_key


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("Juan Carlos Mamani Quispe", PersonName("Juan Carlos", "Mamani", "Quispe")),
        ("MAMANI QUISPE, Juan Carlos", PersonName("Juan Carlos", "Mamani", "Quispe")),
        ("ana mamani", PersonName("Ana", "Mamani", None)),
        ("Rosa de la Cruz Choque", PersonName("Rosa", "de la Cruz", "Choque")),
        ("María del Carmen Quispe", PersonName("María del Carmen", "Quispe", None)),
        ("María del Carmen Condori Choque", PersonName("María del Carmen", "Condori", "Choque")),
        ("José Ortega y Gasset Flores", PersonName("José", "Ortega y Gasset", "Flores")),
        ("Luis  del   Castillo  Vargas", PersonName("Luis", "del Castillo", "Vargas")),
    ],
)
def test_split_full_name_keeps_particles_with_their_surname(
    full: str, expected: PersonName
) -> None:
    assert split_full_name(full) == expected


def test_display_forms_capitalise_and_keep_accents() -> None:
    assert normalize_given_names("  maría   JOSÉ ") == "María José"
    assert normalize_surname("DE LA CRUZ") == "de la Cruz"
    assert normalize_surname("k'ara") == "K'ara"


@pytest.mark.parametrize("bad", ["", "   ", "Juan 2", "Ana@Quispe"])
def test_bad_names_raise_a_typed_error(bad: str) -> None:
    with pytest.raises(NormalizationError) as info:
        normalize_given_names(bad)
    assert info.value.field == "given_names"
    assert bad.strip() == "" or bad not in info.value.message  # never echo personal data


def test_a_surname_of_particles_only_is_rejected() -> None:
    with pytest.raises(NormalizationError):
        normalize_surname("de la")


def test_fold_removes_accents_case_and_apostrophes() -> None:
    assert fold("  NÚÑEZ  Ch'oque ") == "nunez choque"
    assert surname_key("de la Cruz") == surname_key("CRUZ") == "cruz"


@pytest.mark.parametrize(
    "variants",
    [
        ("Quispe", "Quispi", "Kispe", "Khispe", "QUYSPE"),
        ("Condori", "Cundori", "Kondori", "Condory"),
        ("Huanca", "Wanka", "Guanca"),
        ("Choque", "Choqui", "Chuqui"),
        ("Ximena", "Jimena"),
        ("Vilca", "Villca", "Bilca"),
        ("Mamani", "Mamany"),
        ("Yujra", "Llujra"),
    ],
)
def test_spanish_phonetic_merges_andean_spellings(variants: tuple[str, ...]) -> None:
    keys = {spanish_phonetic(v) for v in variants}
    assert len(keys) == 1, keys


def test_spanish_phonetic_keeps_different_names_apart() -> None:
    names = ["Mamani", "Quispe", "Condori", "Choque", "Flores", "Gerardo", "Guerra", "Colque"]
    assert len({spanish_phonetic(n) for n in names}) == len(names)


@given(st.text(alphabet=st.characters(categories=("L", "Zs")), max_size=40))
def test_fold_is_idempotent_and_ascii(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert folded.isascii()
    assert folded == folded.strip()


@given(st.text(alphabet="abcdefghijklmnñopqrstuvwxyzáéíóúü '-", max_size=40))
def test_phonetic_key_ignores_case_and_accents(text: str) -> None:
    assert spanish_phonetic(text.upper()) == spanish_phonetic(fold(text)) == spanish_phonetic(text)

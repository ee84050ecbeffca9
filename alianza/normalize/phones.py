"""Phone numbers in E.164 form (+59171234567), parsed with Google's libphonenumber rules."""

from __future__ import annotations

import phonenumbers

from alianza.normalize.countries import get_country
from alianza.normalize.errors import NormalizationError


def normalize_phone(value: str, *, default_country: str = "BOL") -> str:
    """The E.164 form of a phone number; numbers without a "+" are read as `default_country`'s.

    `default_country` is any form `normalize_country` accepts (BOL, BO, Bolivia).
    """
    text = value.strip()
    if not text:
        raise NormalizationError("The phone number is empty.", field="phone")
    region = get_country(default_country).alpha2
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise NormalizationError(
            "This is not a phone number; write it with the country code, e.g. +591 71234567.",
            field="phone",
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise NormalizationError(
            "This phone number is not valid for its country; check the digits and the "
            "country code.",
            field="phone",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

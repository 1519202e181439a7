"""Rails' ``number_to_human`` as the Outreach Dashboard renders its counts.

The dashboard sends many counts as display strings ("21.6K", "1.4M") instead of
numbers, so the stand-in must produce byte-identical strings: a client that parses
them is only as good as the strings it was tested against.

Rails first rounds the number to three significant digits and only then picks the
unit, which is why 999_999 becomes "1M" rather than "1000K".
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Unit suffixes the dashboard's English locale uses, by power of ten.
UNITS_EN = {0: "", 3: "K", 6: "M", 9: "B", 12: "T"}
# Suffixes of the (simplified) French locale: a request locale changes them.
UNITS_FR = {0: "", 3: "k", 6: "M", 9: "Md", 12: "Bn"}

# Rails rounds to this many significant digits.
PRECISION = 3


def _round_significant(value: Decimal, digits: int) -> Decimal:
    """Round half-up to ``digits`` significant digits, like Rails' BigDecimal path."""
    if value == 0:
        return Decimal(0)
    exponent = value.adjusted() - digits + 1
    return value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)


def _plain(value: Decimal) -> str:
    """Format without exponent and without insignificant trailing zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def number_to_human(n: int | float, *, locale: str = "en") -> str:
    """Render ``n`` the way the dashboard's ``number_to_human`` does.

    ``locale="fr"`` reproduces what a non-English ``Accept-Language`` gets:
    a decimal comma and a space before other unit names. Anything else is English.
    """
    units = UNITS_FR if locale == "fr" else UNITS_EN
    value = Decimal(repr(n)) if isinstance(n, float) else Decimal(n)
    sign = "-" if value < 0 else ""
    rounded = _round_significant(abs(value), PRECISION)
    exponent = 0
    if rounded != 0:
        magnitude = rounded.adjusted()
        exponent = max((e for e in units if e <= magnitude), default=0)
    scaled = _round_significant(rounded.scaleb(-exponent), PRECISION)
    number = sign + _plain(scaled)
    unit = units[exponent]
    if locale == "fr":
        number = number.replace(".", ",")
        return f"{number} {unit}" if unit else number
    return number + unit

"""Token amounts: integers in base units, 18 decimals, parsed and printed exactly."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from labelshare.errors import InvalidInput

TOKEN_DECIMALS = 18
BASE_UNITS_PER_TOKEN = 10**TOKEN_DECIMALS
UINT256_MAX = 2**256 - 1


def parse_token_amount(text: str | int, *, field: str = "amount") -> int:
    """Parse a token amount into base units.

    ``"12.5"`` means 12.5 tokens; a suffix ``"wei"`` (``"1500wei"``) gives base units
    directly. Integers passed as ``int`` are base units.

    Raises:
        InvalidInput: if the amount is negative, not a number, has more than 18 decimals,
            or exceeds uint256. The message names ``field``.
    """
    if isinstance(text, bool):
        raise InvalidInput(f"{field}: expected an amount, got {text!r}", field=field)
    if isinstance(text, int):
        amount = text
    else:
        raw = text.strip().replace("_", "")
        try:
            if raw.endswith("wei"):
                amount = int(raw[:-3])
            else:
                tokens = Decimal(raw)
                if not tokens.is_finite():
                    raise InvalidOperation
                scaled = tokens * BASE_UNITS_PER_TOKEN
                if scaled != scaled.to_integral_value():
                    raise InvalidInput(
                        f"{field}: {text!r} has more than {TOKEN_DECIMALS} decimals",
                        field=field,
                    )
                amount = int(scaled)
        except (InvalidOperation, ValueError):
            raise InvalidInput(f"{field}: {text!r} is not a token amount", field=field) from None
    if amount < 0:
        raise InvalidInput(f"{field}: {text!r} is negative", field=field)
    if amount > UINT256_MAX:
        raise InvalidInput(f"{field}: {text!r} exceeds uint256", field=field)
    return amount


def format_token_amount(amount: int) -> str:
    """Format base units as tokens without losing a digit (``15 * 10**17`` → ``1.5``)."""
    whole, frac = divmod(abs(amount), BASE_UNITS_PER_TOKEN)
    sign = "-" if amount < 0 else ""
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:018d}".rstrip("0")

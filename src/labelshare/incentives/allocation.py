"""Exact integer splits by the largest-remainder method (Hamilton's method).

Money is integer base units, so every split of an amount must give integer parts
that add up to the amount exactly. :func:`largest_remainder` gives each part the
floor of its exact quota ``amount * weight / total_weight`` and hands the units
left over, one each, to the parts with the largest remainders (Balinski and Young,
*Fair Representation*, 2nd ed. 2001, ch. 2).

Ties between equal remainders go to the lower index, so a split is a pure function
of the amount and the weights in their given order; permuting the weights permutes
the parts except where remainders tie.

Float weights are taken at their exact binary value (``float.as_integer_ratio``) and
brought to a common power-of-two denominator, so no rounding happens before the
split and the result is the same on every platform.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from math import isfinite

import numpy as np
from numpy.typing import NDArray

from labelshare.errors import InvalidSettlementInput

__all__ = ["exact_integer_weights", "largest_remainder", "scale_to_budget"]

Weights = Sequence[int] | Sequence[float] | NDArray[np.int64] | NDArray[np.float64]


def exact_integer_weights(weights: Weights, *, field: str = "weights") -> list[int]:
    """Turn weights into non-negative integers in exactly the same proportions.

    Integer weights are returned unchanged; float weights are multiplied by the
    smallest power of two that makes all of them integral, which is exact.

    Args:
        weights: non-negative finite numbers, shape (n,).
        field: the name used in error messages.

    Returns:
        A list of n Python ints with the same ratios as ``weights``.

    Raises:
        InvalidSettlementInput: if a weight is negative, not finite, or not a number.
    """
    values = weights.tolist() if isinstance(weights, np.ndarray) else list(weights)
    ratios: list[tuple[int, int]] = []
    for index, weight in enumerate(values):
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise InvalidSettlementInput(f"weight {index} is {weight!r}, not a number", field=field)
        if isinstance(weight, float) and not isfinite(weight):
            raise InvalidSettlementInput(f"weight {index} is {weight}, not finite", field=field)
        if weight < 0:
            raise InvalidSettlementInput(f"weight {index} is {weight}, below zero", field=field)
        ratios.append(weight.as_integer_ratio())
    if not ratios:
        return []
    # Denominators of floats are powers of two, so their maximum is a common multiple.
    common = max(denominator for _, denominator in ratios)
    return [numerator * (common // denominator) for numerator, denominator in ratios]


def largest_remainder(amount: int, weights: Weights, *, field: str = "weights") -> list[int]:
    """Split ``amount`` into integer parts proportional to ``weights``.

    Args:
        amount: the non-negative integer to split.
        weights: non-negative weights, shape (n,); integers or floats.
        field: the name used in error messages.

    Returns:
        n non-negative ints that sum to ``amount`` exactly; part i is the floor or
        the ceiling of ``amount * weights[i] / sum(weights)``, a zero weight gets 0,
        and equal remainders are broken in favour of the lower index.

    Raises:
        InvalidSettlementInput: if ``amount`` is negative or not an int, a weight is
            invalid, or ``amount`` is positive while every weight is zero.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise InvalidSettlementInput(f"amount {amount!r} must be an int >= 0", field=field)
    integer_weights = exact_integer_weights(weights, field=field)
    total = sum(integer_weights)
    if total == 0:
        if amount:
            raise InvalidSettlementInput(
                f"cannot split {amount} when every weight is zero", field=field
            )
        return [0] * len(integer_weights)
    floors: list[int] = []
    remainders: list[int] = []
    for weight in integer_weights:
        floor, remainder = divmod(amount * weight, total)
        floors.append(floor)
        remainders.append(remainder)
    leftover = amount - sum(floors)
    # leftover < the number of non-zero remainders, so zero weights never get a unit.
    winners = sorted(range(len(floors)), key=lambda i: (-remainders[i], i))[:leftover]
    for index in winners:
        floors[index] += 1
    return floors


def scale_to_budget(demands: Iterable[int], budget: int, *, field: str = "demands") -> list[int]:
    """Pay every demand in full if the budget allows, else pro rata by largest remainder.

    Args:
        demands: non-negative integer amounts asked for, shape (n,).
        budget: the non-negative integer amount available.
        field: the name used in error messages.

    Returns:
        n ints, each between 0 and its demand, summing to ``min(sum(demands), budget)``.

    Raises:
        InvalidSettlementInput: if a demand or the budget is negative or not an int.
    """
    asked = list(demands)
    for index, demand in enumerate(asked):
        if isinstance(demand, bool) or not isinstance(demand, int) or demand < 0:
            raise InvalidSettlementInput(
                f"demand {index} is {demand!r}, not an int >= 0", field=field
            )
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 0:
        raise InvalidSettlementInput(f"budget {budget!r} must be an int >= 0", field=field)
    if sum(asked) <= budget:
        return asked
    return largest_remainder(budget, asked, field=field)

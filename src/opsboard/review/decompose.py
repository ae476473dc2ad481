"""Splitting a GMV change into traffic, conversion and AOV effects that add up exactly.

GMV = visitors x (buyers / visitors) x (GMV / buyers). When every factor is positive on
both days the split is the logarithmic mean Divisia index (LMDI-I): each factor gets
``L(GMV1, GMV0) x ln(x1 / x0)``, and the parts sum to ``GMV1 - GMV0`` exactly. When a
factor is zero on one side (no buyers, no visitors) logarithms do not exist and the split
is the Shapley value over the three factors, which also adds up exactly.
"""

from __future__ import annotations

import math
from itertools import combinations

from opsboard.review.model import Effect, change

FACTORS = ("traffic", "conversion", "aov")


def _factors(uv: float, buyers: float, gmv: float) -> list[float | None]:
    conversion = buyers / uv if uv else None
    aov = gmv / buyers if buyers else None
    return [uv, conversion, aov]


def _log_mean(a: float, b: float) -> float:
    if math.isclose(a, b, rel_tol=1e-12):
        return a
    return (a - b) / (math.log(a) - math.log(b))


def _shapley(before: list[float], after: list[float]) -> list[float]:
    n = len(before)
    effects = [0.0] * n
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in combinations(others, size):
                with_i = math.prod(
                    after[j] if (j in subset or j == i) else before[j] for j in range(n)
                )
                without_i = math.prod(after[j] if j in subset else before[j] for j in range(n))
                effects[i] += weight * (with_i - without_i)
    return effects


def gmv_effects(
    before: tuple[float, float, float], after: tuple[float, float, float]
) -> tuple[tuple[Effect, ...], str] | None:
    """The traffic, conversion and AOV effects of a change in (visitors, buyers, GMV).

    Returns the effects and the method used (``log`` or ``shapley``), or None when the
    figures are inconsistent (GMV without buyers, buyers without visitors), so that no
    made-up split is shown.
    """
    for uv, buyers, gmv in (before, after):
        if (gmv > 0 and buyers == 0) or (buyers > 0 and uv == 0):
            return None
    raw_before = _factors(*before)
    raw_after = _factors(*after)
    # A factor undefined on one side (no visitors, no buyers) takes the other side's value,
    # so that the change is not attributed to it; undefined on both sides it is neutral.
    filled_before: list[float] = []
    filled_after: list[float] = []
    for b, a in zip(raw_before, raw_after, strict=True):
        filled_before.append(b if b is not None else (a if a is not None else 1.0))
        filled_after.append(a if a is not None else (b if b is not None else 1.0))
    gmv0, gmv1 = before[2], after[2]
    amounts: list[float] = []
    method = "log"
    if all(v > 0 for v in (*filled_before, *filled_after)) and gmv0 > 0 and gmv1 > 0:
        weight = _log_mean(gmv1, gmv0)
        amounts = [
            weight * math.log(a / b) for b, a in zip(filled_before, filled_after, strict=True)
        ]
    if not amounts or not all(math.isfinite(a) for a in amounts):
        amounts = _shapley(filled_before, filled_after)
        method = "shapley"
    # Mixed products can be far larger than either GMV, so float rounding leaves a tiny
    # residual; it goes to the largest effect so that the parts add up exactly.
    scale = math.prod(max(b, a) for b, a in zip(filled_before, filled_after, strict=True))
    residual = (gmv1 - gmv0) - math.fsum(amounts)
    if abs(residual) > 1e-9 * max(1.0, scale, gmv0, gmv1):
        return None
    largest = max(range(len(amounts)), key=lambda i: abs(amounts[i]))
    amounts[largest] += residual
    effects = tuple(
        Effect(factor=name, amount=amount, factor_change=change(a, b))
        for name, amount, b, a in zip(FACTORS, amounts, raw_before, raw_after, strict=True)
    )
    return effects, method

"""Did an applied budget change help? Its outcome against its prediction and a control.

Days after a change, each applied change is judged on its entity's daily spend and value
before and after the change day:

- **Counterfactual.** What the entity would have earned without the change: its pre-period
  mean value times the growth of comparable untouched entities (the control) over the same
  days; without a control, the pre-period mean itself (labelled, weaker).
- **Effect.** Post-period mean value minus the counterfactual, per day, with a standard
  error from the daily spread of both periods (the control's growth factor scales the
  pre-period's). The same for spend gives the spend the change actually moved.
- **Verdict.** The change is judged by ``effect - target_roas * spend_moved`` (value gained
  beyond what the moved spend had to earn; for a cut: value lost beyond what the saved spend
  would have had to earn): ``hurt`` when its upper bound is below 0, ``helped`` when its lower
  bound is above 0, ``unclear`` otherwise, ``too_early`` with fewer days than the policy
  asks. Only ``hurt`` proposes a revert. A market-wide dip moves the control too and so
  does not read as harm.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

__all__ = ["DayResult", "Verification", "VerifyError", "VerifyPolicy", "verify_change"]

Verdict = Literal["helped", "hurt", "unclear", "too_early"]


class VerifyError(ValueError):
    """The inputs cannot be judged (negative values, an empty pre-period...)."""


@dataclass(frozen=True)
class DayResult:
    """One day of one entity: spend and (attributed) value in the account currency."""

    spend: float
    value: float


@dataclass(frozen=True)
class VerifyPolicy:
    """How sure a verdict must be and how much data it needs.

    Attributes:
        z: the width of the interval in standard errors (1.96: about 95 %).
        min_pre_days: days before the change needed to judge it.
        min_post_days: days after the change needed to judge it (conversion lag: at least 3).
        target_roas: what a unit of moved spend had to earn (the plan's target; 1.0 is
            break-even on value).

    """

    z: float = 1.96
    min_pre_days: int = 7
    min_post_days: int = 5
    target_roas: float = 1.0


@dataclass(frozen=True)
class Verification:
    """The judgement of one applied change (all amounts per day, account currency)."""

    entity_id: str
    verdict: Verdict
    counterfactual: str  # "control" or "pre-period level"
    effect: float
    effect_interval: tuple[float, float]
    spend_moved: float
    net: float
    net_interval: tuple[float, float]
    predicted: float
    prediction_error: float
    revert: bool
    note: str


def _mean_var(values: Sequence[float]) -> tuple[float, float]:
    n = len(values)
    mean = math.fsum(values) / n
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
    return mean, var


def _check(days: Sequence[DayResult], what: str) -> None:
    for day in days:
        if not (math.isfinite(day.spend) and math.isfinite(day.value)) or day.spend < 0 \
                or day.value < 0:
            raise VerifyError(f"{what}: spend and value must be finite and >= 0, got {day}")


def _growth(controls: Mapping[str, tuple[Sequence[DayResult], Sequence[DayResult]]],
            attribute: str) -> float | None:
    """Return the controls' post/pre ratio of their summed daily means (None: no control)."""
    pre_total = post_total = 0.0
    for pre, post in controls.values():
        if not pre or not post:
            continue
        pre_total += math.fsum(getattr(d, attribute) for d in pre) / len(pre)
        post_total += math.fsum(getattr(d, attribute) for d in post) / len(post)
    if pre_total <= 0:
        return None
    return post_total / pre_total


def verify_change(
    entity_id: str,
    pre: Sequence[DayResult],
    post: Sequence[DayResult],
    *,
    before: Decimal,
    after: Decimal,
    predicted_value_delta: float,
    controls: Mapping[str, tuple[Sequence[DayResult], Sequence[DayResult]]] | None = None,
    policy: VerifyPolicy | None = None,
) -> Verification:
    """Judge one applied change of ``entity_id`` from ``before`` to ``after`` (daily budget).

    Args:
        entity_id: the entity changed.
        pre: its days before the change day, oldest first.
        post: its days from the change day on.
        before: the budget before the change.
        after: the budget after it.
        predicted_value_delta: the plan's expected change of value per day.
        controls: comparable entities left untouched over the same days: id -> (pre, post).
        policy: thresholds (defaults: :class:`VerifyPolicy`).

    Returns:
        The verdict with its numbers; ``revert`` only for ``hurt``.

    Raises:
        VerifyError: a negative or non-finite day, or no pre-period day at all.

    """
    policy = policy or VerifyPolicy()
    _check(pre, f"{entity_id} before the change")
    _check(post, f"{entity_id} after the change")
    if not pre:
        raise VerifyError(f"{entity_id}: no day before the change to compare with")
    direction = "raised" if after > before else "cut" if after < before else "kept"
    if len(pre) < policy.min_pre_days or len(post) < policy.min_post_days:
        return Verification(
            entity_id, "too_early", "pre-period level", 0.0, (0.0, 0.0), 0.0, 0.0, (0.0, 0.0),
            predicted_value_delta, 0.0, False,
            f"{len(pre)} days before and {len(post)} after; {policy.min_pre_days} and "
            f"{policy.min_post_days} needed")
    pre_value, pre_var = _mean_var([d.value for d in pre])
    post_value, post_var = _mean_var([d.value for d in post])
    pre_spend, _ = _mean_var([d.spend for d in pre])
    post_spend, _ = _mean_var([d.spend for d in post])
    value_growth = _growth(controls or {}, "value")
    spend_growth = _growth(controls or {}, "spend")
    basis = "control" if value_growth is not None else "pre-period level"
    g_value = value_growth if value_growth is not None else 1.0
    g_spend = spend_growth if spend_growth is not None else 1.0
    effect = post_value - pre_value * g_value
    se = math.sqrt(post_var / len(post) + g_value**2 * pre_var / len(pre))
    spend_moved = post_spend - pre_spend * g_spend
    net = effect - policy.target_roas * spend_moved
    low, high = net - policy.z * se, net + policy.z * se
    verdict: Verdict = "hurt" if high < 0 else "helped" if low > 0 else "unclear"
    note = (f"budget {direction} {before} -> {after}; value {effect:+.2f}/day against "
            f"{'the control' if basis == 'control' else 'its pre-period level'}, spend "
            f"{spend_moved:+.2f}/day; net of {policy.target_roas:g}x the moved spend "
            f"{net:+.2f} [{low:+.2f}, {high:+.2f}]: {verdict}")
    return Verification(
        entity_id, verdict, basis, effect, (effect - policy.z * se, effect + policy.z * se),
        spend_moved, net, (low, high), predicted_value_delta,
        effect - predicted_value_delta, verdict == "hurt", note)

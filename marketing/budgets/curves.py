"""Response curves: how much attributed value (or conversions) a day's spend buys.

A :class:`ResponseCurve` is a Hill curve with exponent 1, ``R(x) = a·x / (b + x)`` (the
Michaelis-Menten form of the Hill saturation Robyn and Meridian use: half of ``a`` at
``x = b``), an exponential saturation ``R(x) = a·(1 − exp(−x/b))``, or linear,
``R(x) = a·x`` (``a`` a shrunk ROAS), each flat beyond ``cap``, the most the entity can
deliver in a day. All are concave, which is what the allocator's water-filling relies on.

:func:`fit_curve` fits one entity's curve on its daily history (plain rows: ``day``,
``spend``, ``value`` and optionally ``conversions``) by its posterior mode under a prior on
the curvature: ``log(median spend / b) ~ N(log 1, 0.5)``, half-saturation near the spend
seen, as Meridian's default prior has it. A few weeks of noisy days (daily value varies by
some 40 % around its mean) hardly identify the curvature on their own; without the prior a
least-squares fit swings between nearly linear and nearly flat from one day to the next. The
posterior is evaluated on a fixed grid of ``b`` with the best ``a`` in closed form for each,
so a refit on the same rows is the same curve, and its moments give the covariance of
``(a, b)`` and so an interval for the marginal ROAS (delta method). It reports R², and falls
back to a linear curve whose ROAS is shrunk toward the channel's pooled ROAS when data is
thin (THIN_DATA) or there is no value or spend to fit (POOR_FIT):
``(value + k·ROAS_pool·s0) / (spend + k·s0)``, ``s0`` one week of median spend.

Day-of-week multipliers are learnt per channel, not per entity (:func:`fit_curves`): three
weeks give an entity three days of each weekday, whose noise a per-entity multiplier would
turn into a random tilt of its curve each day (measured on the simulated market, whose
response has no weekday effect, per-entity multipliers cost 0.05 to 0.1 of the captured
uplift; bench/steering_replay.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from marketing.budgets.reasons import Reason

__all__ = [
    "CurveArrays",
    "CurveError",
    "CurveKind",
    "FitSettings",
    "ResponseCurve",
    "fit_curve",
    "fit_curves",
    "hill",
    "linear",
    "saturating",
]

FloatArray = npt.NDArray[np.float64]
NO_WEEKDAY_EFFECT: tuple[float, ...] = (1.0,) * 7


class CurveError(ValueError):
    """Daily rows a curve cannot be fitted on (missing columns, negative or missing spend)."""


class CurveKind(StrEnum):
    """The shape of a response curve."""

    HILL = "hill"
    """``a·x / (b + x)``: Hill saturation with exponent 1 (half of ``a`` at ``x = b``)."""
    SATURATING = "saturating"
    """``a·(1 − exp(−x/b))``: exponential saturation (63 % of ``a`` at ``x = b``)."""
    LINEAR = "linear"
    """``a·x``: a constant return ``a``."""


@dataclass(frozen=True)
class ResponseCurve:
    """A concave response of value to daily spend, flat beyond ``cap``.

    ``a`` is the asymptote (Hill, saturating) or the ROAS (linear); ``b`` the spend scale
    (Hill: half of ``a`` at ``x = b``; saturating: 63 %; unused when linear).
    ``weekday`` holds multipliers Monday..Sunday (mean 1): :meth:`on` applies one.
    ``covariance`` is the 2x2 covariance of ``(a, b)`` (linear: only ``a``'s variance).
    ``note`` says why a fit fell back to linear (THIN_DATA or POOR_FIT), else None.
    """

    kind: CurveKind
    a: float
    b: float = math.inf
    cap: float = math.inf
    weekday: tuple[float, ...] = NO_WEEKDAY_EFFECT
    covariance: tuple[tuple[float, float], tuple[float, float]] | None = None
    r2: float | None = None
    data_days: int = 0
    note: Reason | None = None

    def on(self, weekday: int) -> ResponseCurve:
        """Return this curve for one weekday (0 = Monday): ``a`` times that day's multiplier."""
        m = self.weekday[weekday]
        cov = self.covariance
        if cov is not None:
            cov = ((cov[0][0] * m * m, cov[0][1] * m), (cov[1][0] * m, cov[1][1]))
        return replace(self, a=self.a * m, covariance=cov, weekday=NO_WEEKDAY_EFFECT)

    def value(self, x: float) -> float:
        """Return the expected value of spending ``x`` in a day."""
        return float(CurveArrays.of([self]).value(np.zeros(1, np.intp), np.array([x]))[0])

    def marginal(self, x: float) -> float:
        """Return the marginal return dR/dx at ``x`` (0 at and beyond the cap)."""
        return float(CurveArrays.of([self]).marginal(np.zeros(1, np.intp), np.array([x]))[0])

    def marginal_interval(self, x: float, z: float = 1.96) -> tuple[float, float]:
        """Return a ``z``-sigma interval of the marginal return at ``x`` (delta method).

        Without a covariance (a curve built by hand) the interval is the point itself.
        """
        mid = self.marginal(x)
        if self.covariance is None or x >= self.cap:
            return (mid, mid)
        (vaa, vab), (_, vbb) = self.covariance
        if self.kind is CurveKind.LINEAR:
            sd = math.sqrt(max(vaa, 0.0))
        elif self.kind is CurveKind.HILL:
            d = self.b + x
            ga = self.b / d**2
            gb = self.a * (x - self.b) / d**3
            sd = math.sqrt(max(ga * ga * vaa + 2 * ga * gb * vab + gb * gb * vbb, 0.0))
        else:
            e = math.exp(-x / self.b)
            ga = e / self.b
            gb = self.a * e * (x - self.b) / self.b**3
            sd = math.sqrt(max(ga * ga * vaa + 2 * ga * gb * vab + gb * gb * vbb, 0.0))
        return (max(mid - z * sd, 0.0), mid + z * sd)


def hill(a: float, b: float, cap: float = math.inf) -> ResponseCurve:
    """Return the Hill curve ``a·x / (b + x)`` (exponent 1), flat beyond ``cap``."""
    if not (a >= 0 and b > 0):
        raise CurveError(f"hill curve needs a >= 0 and b > 0, got a={a}, b={b}")
    return ResponseCurve(CurveKind.HILL, float(a), float(b), float(cap))


def saturating(a: float, b: float, cap: float = math.inf) -> ResponseCurve:
    """Return the saturating curve ``a·(1 − exp(−x/b))``, flat beyond ``cap``."""
    if not (a >= 0 and b > 0):
        raise CurveError(f"saturating curve needs a >= 0 and b > 0, got a={a}, b={b}")
    return ResponseCurve(CurveKind.SATURATING, float(a), float(b), float(cap))


def linear(roas: float, cap: float = math.inf) -> ResponseCurve:
    """Return the linear curve ``roas·x``, flat beyond ``cap``."""
    if not roas >= 0:
        raise CurveError(f"linear curve needs roas >= 0, got {roas}")
    return ResponseCurve(CurveKind.LINEAR, float(roas), math.inf, float(cap))


@dataclass(frozen=True)
class CurveArrays:
    """Many curves as parameter arrays, evaluated at (curve index, spend) pairs at once."""

    saturating: npt.NDArray[np.bool_]
    hill: npt.NDArray[np.bool_]
    a: FloatArray
    b: FloatArray
    cap: FloatArray

    @classmethod
    def of(cls, curves: Sequence[ResponseCurve]) -> CurveArrays:
        """Stack the parameters of ``curves`` (weekday multipliers are not applied)."""
        return cls(
            np.array([c.kind is CurveKind.SATURATING for c in curves], dtype=bool),
            np.array([c.kind is CurveKind.HILL for c in curves], dtype=bool),
            np.array([c.a for c in curves], dtype=np.float64),
            np.array([c.b if c.kind is not CurveKind.LINEAR else 1.0 for c in curves],
                     dtype=np.float64),
            np.array([c.cap for c in curves], dtype=np.float64),
        )

    def value(self, idx: npt.NDArray[np.intp], x: FloatArray) -> FloatArray:
        """Return ``R_idx(x)`` elementwise."""
        xc = np.minimum(x, self.cap[idx])
        a = self.a[idx]
        b = self.b[idx]
        return np.where(self.hill[idx], a * xc / (b + xc),
                        np.where(self.saturating[idx], a * -np.expm1(-xc / b), a * xc))

    def marginal(self, idx: npt.NDArray[np.intp], x: FloatArray) -> FloatArray:
        """Return ``R'_idx(x)`` elementwise (0 at and beyond the cap)."""
        a = self.a[idx]
        b = self.b[idx]
        d = np.where(self.hill[idx], a * b / (b + x) ** 2,
                     np.where(self.saturating[idx], a / b * np.exp(-x / b), a))
        return np.where(x < self.cap[idx], d, 0.0)


@dataclass(frozen=True)
class FitSettings:
    """How :func:`fit_curve` fits: the family, the prior on curvature, the linear fallback."""

    family: CurveKind = CurveKind.HILL
    """The saturating family fitted (HILL or SATURATING). Hill: on the simulated market it
    captures about 0.04 more of the uplift than the exponential (its marginal return falls
    more slowly, so a budget cut far below its old level is not mistaken for saturation)."""
    min_days: int = 21
    """Fewer days of history than this: linear fallback (THIN_DATA)."""
    min_conversions: float = 30.0
    """Fewer conversions in the window (when the rows carry them): linear fallback."""
    saturation_prior_center: float = 1.0
    """Prior median of ``median spend / b``: 1 puts the spend scale at the spend seen (there
    the marginal return is half the average on a Hill curve, 0.58 of it on an exponential),
    as Meridian's default prior does."""
    saturation_prior_sd: float = 0.5
    """Prior standard deviation of ``log(median spend / b)``. Measured on the simulated
    market (bench/steering_replay.py, Hill curves, value as conversions x average order
    value): 0.5 beats 0.3 and 0.7 (0.85 against 0.77 and 0.80 of the uplift, seeds 1-10)."""
    grid_points: int = 121
    """Points of the ``log(median spend / b)`` grid the posterior is evaluated on."""
    grid_span: float = 3.0
    """The grid covers ``±grid_span`` around the prior's centre (a factor of 20 each way)."""
    shrink_k: float = 1.0
    """Weight ``k`` of the pooled ROAS, in units of ``s0`` (one week of median spend)."""
    cap_multiple: float = 1.5
    """Delivery cap = this x the best 7-day average daily spend."""
    weekday_prior_days: float = 60.0
    """Each weekday multiplier is shrunk toward 1 as if this many days sat exactly at 1 (a
    channel of ten entities has about 30 days of each weekday in three weeks)."""


def _rows(daily: pd.DataFrame | Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    frame = daily if isinstance(daily, pd.DataFrame) else pd.DataFrame(list(daily))
    missing = [c for c in ("day", "spend", "value") if c not in frame.columns]
    if missing:
        raise CurveError(f"daily rows: missing columns {missing}")
    frame = frame.assign(day=pd.to_datetime(frame["day"])).sort_values("day", kind="stable")
    spend = pd.to_numeric(frame["spend"].map(float), errors="coerce")
    value = pd.to_numeric(frame["value"].map(float), errors="coerce")
    if spend.isna().any() or value.isna().any():
        raise CurveError("daily rows: spend and value must be numbers on every day")
    if (spend < 0).any() or (value < 0).any():
        raise CurveError("daily rows: spend and value must not be negative")
    if frame["day"].duplicated().any():
        raise CurveError("daily rows: one row per day expected (aggregate first)")
    return frame.assign(spend=spend.astype(float), value=value.astype(float))


def _delivery_cap(spend: FloatArray, multiple: float) -> float:
    if spend.size == 0 or spend.max() <= 0:
        return math.inf
    window = min(7, spend.size)
    best = np.convolve(spend, np.ones(window) / window, mode="valid").max()
    return float(multiple * best)


def _weekday_multipliers(
    weekdays: npt.NDArray[np.intp], y: FloatArray, fitted: FloatArray, prior: float
) -> tuple[float, ...]:
    raw = np.ones(7)
    for d in range(7):
        mask = weekdays == d
        n = int(mask.sum())
        denom = float(fitted[mask].sum())
        if n and denom > 0:
            # shrink toward 1 with a prior of `prior` days that behaved exactly as fitted
            raw[d] = (float(y[mask].sum()) + prior * denom / n) / (denom + prior * denom / n)
    return tuple(float(v) for v in raw / raw.mean())


def _shape(x: FloatArray, b: FloatArray | float, family: CurveKind) -> FloatArray:
    """Return ``R(x) / a`` of ``family``: ``x / (b + x)`` or ``1 − exp(−x/b)``."""
    out: FloatArray = (x / (b + x) if family is CurveKind.HILL else -np.expm1(-x / b))
    return out


def _r2(y: FloatArray, pred: FloatArray) -> float:
    total = float(((y - y.mean()) ** 2).sum())
    if total <= 0:
        return 0.0
    return 1.0 - float(((y - pred) ** 2).sum()) / total


def _fit_saturating(
    x: FloatArray, y: FloatArray, mult: FloatArray, cfg: FitSettings
) -> tuple[float, float, tuple[tuple[float, float], tuple[float, float]]] | None:
    """Return the posterior mode of ``(a, b)`` and their posterior covariance, or None.

    For each ``b`` on a log grid the best ``a`` is closed-form least squares; the grid's
    log-posterior is the Gaussian likelihood (σ² from the best fit) plus the normal prior on
    ``log(median spend / b)``. Moments over the grid give the covariance.
    """
    positive = x[x > 0]
    if positive.size == 0 or float(y.sum()) <= 0:
        return None
    scale = float(np.median(positive))
    center = math.log(cfg.saturation_prior_center)
    log_u = center + np.linspace(-cfg.grid_span, cfg.grid_span, cfg.grid_points)
    b = scale / np.exp(log_u)                                     # (g,)
    f = mult[None, :] * _shape(x[None, :], b[:, None], cfg.family)  # (g, n)
    ff = (f * f).sum(axis=1)
    ff = np.where(ff > 0, ff, np.finfo(np.float64).tiny)
    a = np.maximum((f * y[None, :]).sum(axis=1) / ff, 0.0)
    sse = ((y[None, :] - a[:, None] * f) ** 2).sum(axis=1)
    sigma2 = max(float(sse.min()) / max(x.size - 2, 1), 1e-12 * float((y * y).mean()) + 1e-300)
    log_post = (-sse / (2.0 * sigma2)
                - (log_u - center) ** 2
                / (2.0 * cfg.saturation_prior_sd ** 2))
    best = int(np.argmax(log_post))
    w = np.exp(log_post - log_post[best])
    w /= w.sum()
    a_mean, b_mean = float((w * a).sum()), float((w * b).sum())
    var_a = float((w * (sigma2 / ff + (a - a_mean) ** 2)).sum())
    var_b = float((w * (b - b_mean) ** 2).sum())
    cov_ab = float((w * (a - a_mean) * (b - b_mean)).sum())
    return float(a[best]), float(b[best]), ((var_a, cov_ab), (cov_ab, var_b))


def _fallback(
    x: FloatArray, y: FloatArray, weekdays: npt.NDArray[np.intp], pooled_roas: float | None,
    settings: FitSettings, cap: float, days: int, note: Reason,
    weekday_given: tuple[float, ...] | None = None,
) -> ResponseCurve:
    spend, value = float(x.sum()), float(y.sum())
    own = value / spend if spend > 0 else 0.0
    pool = own if pooled_roas is None else float(pooled_roas)
    s0 = 7.0 * float(np.median(x)) if x.size else 0.0
    if s0 <= 0:
        s0 = 7.0 * float(x.mean()) if x.size and x.mean() > 0 else 1.0
    k = settings.shrink_k
    roas = (value + k * pool * s0) / (spend + k * s0)
    weekday = NO_WEEKDAY_EFFECT if weekday_given is None else weekday_given
    if weekday_given is None and days >= 14 and spend > 0:
        weekday = _weekday_multipliers(weekdays, y, roas * x, settings.weekday_prior_days)
    var = 0.0
    sxx = float((x * x).sum())
    if x.size > 1 and sxx > 0:
        sigma2 = float(((y - roas * x) ** 2).sum()) / (x.size - 1)
        var = sigma2 / sxx * (spend / (spend + k * s0)) ** 2
    return ResponseCurve(CurveKind.LINEAR, roas, math.inf, cap, weekday,
                         ((var, 0.0), (0.0, 0.0)), None, days, note)


def fit_curve(
    daily: pd.DataFrame | Sequence[Mapping[str, Any]],
    *,
    pooled_roas: float | None = None,
    settings: FitSettings | None = None,
    weekday: Sequence[float] | None = None,
) -> ResponseCurve:
    """Fit one entity's response curve on its daily rows ``day, spend, value[, conversions]``.

    ``value`` is what the curve predicts: attributed revenue for ROAS targets, conversions for
    CPA targets. ``pooled_roas`` is the channel's pooled return the thin-data fallback shrinks
    toward (None: the entity's own). ``weekday`` gives the day-of-week multipliers (Monday
    first, e.g. the channel's from :func:`fit_curves`); None learns them from these rows
    alone. The result carries the multipliers, R², the number of data days, the delivery cap
    and, for a fallback, the reason in ``note``.

    Raises:
        CurveError: on missing columns, duplicate days, negative or missing numbers, or
            ``weekday`` not seven positive numbers.

    """
    cfg = settings or FitSettings()
    if cfg.family is CurveKind.LINEAR:
        raise CurveError("the fitted family must saturate (hill or saturating), not linear")
    given = None if weekday is None else _checked_weekday(weekday)
    frame = _rows(daily)
    x = frame["spend"].to_numpy(np.float64)
    y = frame["value"].to_numpy(np.float64)
    weekdays = frame["day"].dt.day_of_week.to_numpy(np.intp)
    days = int(x.size)
    cap = _delivery_cap(x, cfg.cap_multiple)
    conversions = (float(pd.to_numeric(frame["conversions"]).sum())
                   if "conversions" in frame.columns else None)
    thin = days < cfg.min_days or (conversions is not None and conversions < cfg.min_conversions)
    if thin:
        return _fallback(x, y, weekdays, pooled_roas, cfg, cap, days, Reason.THIN_DATA, given)
    ones = np.ones_like(x) if given is None else np.array(given)[weekdays]
    first = _fit_saturating(x, y, ones, cfg)
    if first is None:
        return _fallback(x, y, weekdays, pooled_roas, cfg, cap, days, Reason.POOR_FIT, given)
    if given is None:
        found = _weekday_multipliers(weekdays, y, first[0] * _shape(x, first[1], cfg.family),
                                     cfg.weekday_prior_days)
        mult = np.array(found)[weekdays]
        a, b, cov = _fit_saturating(x, y, mult, cfg) or first
    else:
        found, mult = given, ones
        a, b, cov = first
    r2 = _r2(y, mult * a * _shape(x, b, cfg.family))
    return ResponseCurve(cfg.family, a, b, cap, found, cov, r2, days, None)


def _checked_weekday(weekday: Sequence[float]) -> tuple[float, ...]:
    values = tuple(float(v) for v in weekday)
    if len(values) != 7 or not all(math.isfinite(v) and v > 0 for v in values):
        raise CurveError(f"weekday multipliers must be seven positive numbers, got {weekday!r}")
    return values


def fit_curves(
    frames: Mapping[str, pd.DataFrame | Sequence[Mapping[str, Any]]],
    *,
    channels: Mapping[str, str],
    pooled_roas: Mapping[str, float | None] | None = None,
    settings: FitSettings | None = None,
) -> dict[str, ResponseCurve]:
    """Fit many entities' curves with day-of-week multipliers shared by each channel.

    ``frames`` maps an entity key to its daily rows, ``channels`` the key to its channel (a
    platform), ``pooled_roas`` a channel to the return its thin entities shrink toward. Each
    entity is fitted without a weekday effect first; a channel's multipliers are then its
    entities' value over fitted value per weekday, shrunk toward 1 by ``weekday_prior_days``,
    and every entity is refitted with them. The keys come back in sorted order.

    Raises:
        CurveError: as :func:`fit_curve`, or an entity without a channel.

    """
    cfg = settings or FitSettings()
    missing = sorted(set(frames) - set(channels))
    if missing:
        raise CurveError(f"no channel for {', '.join(missing[:5])}")
    pooled = pooled_roas or {}
    keys = sorted(frames)
    flat = {k: fit_curve(frames[k], pooled_roas=pooled.get(channels[k]), settings=cfg,
                         weekday=NO_WEEKDAY_EFFECT) for k in keys}
    parts: dict[str, list[tuple[npt.NDArray[np.intp], FloatArray, FloatArray]]] = {}
    for k in keys:
        frame = _rows(frames[k])
        if frame.empty:
            continue
        x = frame["spend"].to_numpy(np.float64)
        fitted = CurveArrays.of([flat[k]]).value(np.zeros(x.size, np.intp), x)
        parts.setdefault(channels[k], []).append(
            (frame["day"].dt.day_of_week.to_numpy(np.intp),
             frame["value"].to_numpy(np.float64), fitted))
    weekday: dict[str, tuple[float, ...]] = {}
    for channel, rows in parts.items():
        days = np.concatenate([r[0] for r in rows])
        y = np.concatenate([r[1] for r in rows])
        fitted = np.concatenate([r[2] for r in rows])
        weekday[channel] = (_weekday_multipliers(days, y, fitted, cfg.weekday_prior_days)
                            if fitted.sum() > 0 and days.size >= 14 else NO_WEEKDAY_EFFECT)
    return {k: fit_curve(frames[k], pooled_roas=pooled.get(channels[k]), settings=cfg,
                         weekday=weekday.get(channels[k], NO_WEEKDAY_EFFECT)) for k in keys}

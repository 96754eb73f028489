"""Meta's rate-limit accounting: quota scopes, usage headers and throttle decisions.

Scopes: ``<account>:ads_insights`` / ``<account>:ads_management`` (Business Use Case,
throttle codes 80000 / 80004), the app (code 4) and the user token (code 17).
"""

from __future__ import annotations

import json
import math

from emulators.meta_ads.errors import GraphError, throttled
from emulators.quota import QuotaTracker, Usage

INSIGHTS = "ads_insights"
MANAGEMENT = "ads_management"
TIER = "standard_access"


def _dump(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


class MetaUsage:
    """Checks, counts and reports calls against the declared quotas."""

    def __init__(self, tracker: QuotaTracker) -> None:
        self.tracker = tracker

    def _usages(
        self, account: str | None, use_case: str, user: str
    ) -> tuple[Usage | None, Usage | None, Usage | None]:
        cfg = self.tracker.config
        acc = self.tracker.usage(f"{account}:{use_case}", cfg.account_calls) if account else None
        return (acc, self.tracker.usage("app", cfg.app_calls),
                self.tracker.usage(f"user:{user}", cfg.user_calls))

    def admit(self, account: str | None, use_case: str, user: str) -> GraphError | None:
        """Count the call, or return the throttle error when a scope is exhausted."""
        acc, app, usr = self._usages(account, use_case, user)
        if acc is not None and acc.exhausted:
            return throttled(80000 if use_case == INSIGHTS else 80004)
        if app is not None and app.exhausted:
            return throttled(4)
        if usr is not None and usr.exhausted:
            return throttled(17)
        scopes = ["app", f"user:{user}"] + ([f"{account}:{use_case}"] if account else [])
        self.tracker.record(*scopes)
        return None

    def headers(
        self, account: str | None, use_case: str, user: str, *, saturated: bool = False
    ) -> dict[str, str]:
        """Usage headers after the call (``saturated`` forces 100%, as a throttle fault)."""
        acc, app, _ = self._usages(account, use_case, user)
        window = self.tracker.config.window_seconds
        acc_pct = 100 if saturated else (acc.pct if acc else 0)
        app_pct = 100 if saturated else (app.pct if app else 0)
        regain = (acc.regain_seconds if acc else 0.0) or (window if saturated else 0.0)
        headers = {
            "X-App-Usage": _dump({"call_count": app_pct, "total_time": app_pct // 2,
                                  "total_cputime": app_pct // 3}),
        }
        if account:
            number = account.removeprefix("act_")
            headers["X-Business-Use-Case-Usage"] = _dump({number: [{
                "type": use_case, "call_count": acc_pct, "total_cputime": acc_pct // 2,
                "total_time": acc_pct // 2,
                "estimated_time_to_regain_access": math.ceil(regain / 60),
                "ads_api_access_tier": TIER,
            }]})
            headers["X-Ad-Account-Usage"] = _dump({
                "acc_id_util_pct": acc_pct, "reset_time_duration": math.ceil(regain),
                "ads_api_access_tier": TIER,
            })
        else:
            headers["X-Business-Use-Case-Usage"] = "{}"
        if use_case == INSIGHTS:
            headers["x-fb-ads-insights-throttle"] = _dump({
                "app_id_util_pct": app_pct, "acc_id_util_pct": acc_pct,
                "ads_api_access_tier": TIER,
            })
        return headers

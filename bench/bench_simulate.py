"""`campaign-ops simulate`: revenue under the flows vs static budgets vs the oracle; wall time.

For each seed, the real flows (extract-ads, reallocate-budgets, verify-budget-changes) steer
the hidden market for ``--days`` days (one ad account per platform: 3 accounts, about a dozen
budgets). Side by side per seed: revenue under the flows, under the first day's budgets held
(static) and under the best allocation of the same total knowing the true curves (oracle);
the captured share of the oracle's uplift, guardrail breaches, changes applied and reverted,
wall time and seconds per simulated day. The last line gives the median captured share.

    .venv/bin/python bench/bench_simulate.py [--seeds 1 2 3 4 5] [--days 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    """Run the simulation for each seed and print one row per seed and the median share."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--days", type=int, default=60)
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from deployments.simulate import simulate

    print(f"{'seed':>4} {'static':>12} {'flows':>12} {'oracle':>12} {'flows/static':>12} "
          f"{'oracle/static':>13} {'captured':>8} {'breaches':>8} {'applied':>7} "
          f"{'reverted':>8} {'wall s':>7} {'s/day':>6}")
    shares = []
    for seed in args.seeds:
        r = simulate(seed=seed, days=args.days)
        share = r.captured_uplift_share
        if share is not None:
            shares.append(share)
        print(f"{seed:>4} {r.static_revenue:>12,.0f} {r.revenue:>12,.0f} "
              f"{r.oracle_revenue:>12,.0f} {r.revenue / r.static_revenue:>12.4f} "
              f"{r.oracle_revenue / r.static_revenue:>13.4f} "
              f"{'n/a' if share is None else f'{share:.3f}':>8} {r.guardrail_breaches:>8} "
              f"{r.changes_applied:>7} {r.changes_reverted:>8} {r.wall_seconds:>7.0f} "
              f"{r.wall_seconds / args.days:>6.1f}", flush=True)
    if shares:
        print(f"median captured_uplift_share over seeds {args.seeds}: "
              f"{statistics.median(shares):.3f}")


if __name__ == "__main__":
    main()

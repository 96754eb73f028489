"""The quality gate: per-table suites (declared in ``warehouse/platforms``) run on staging.

:func:`warehouse.quality.gate.run_quality` evaluates every check of a staged batch through
Great Expectations (``engine="gx"``, the gate) or as native DuckDB SQL (``engine="duckdb"``)
and returns a :class:`QualityReport`; failing checks carry up to 5 sample rows. It never
decides publish: :func:`warehouse.publish.publish` quarantines on ERROR failures.

Modules: ``checks`` (check constructors), ``plan`` (checks bound to staging relations),
``gx_engine`` (GX route + the DuckDB shim), ``native`` (one DuckDB query), ``gate``,
``report``, ``iso4217``.
"""

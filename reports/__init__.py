"""HTML reports and their markdown summaries, rendered offline (no Prefect, no network)."""

from reports.attribution import (
    AttributionReportData,
    ReportDataError,
    render_attribution_report,
    render_html,
    summary_markdown,
)

__all__ = [
    "AttributionReportData",
    "ReportDataError",
    "render_attribution_report",
    "render_html",
    "summary_markdown",
]

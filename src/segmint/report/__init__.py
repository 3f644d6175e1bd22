"""segmint.report: one self-contained HTML report (inline CSS and SVG charts, English or Korean)."""

from segmint.report.analysis import analysis_context, analysis_report
from segmint.report.charts import bar_chart, grouped_bar_chart, heatmap, histogram, table_html
from segmint.report.context import ReportContext, ReportSection, rfm_grid_from_customers
from segmint.report.html import render_report

__all__ = [
    "ReportContext",
    "ReportSection",
    "analysis_context",
    "analysis_report",
    "bar_chart",
    "grouped_bar_chart",
    "heatmap",
    "histogram",
    "render_report",
    "rfm_grid_from_customers",
    "table_html",
]

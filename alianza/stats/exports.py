"""Files the statistics produce: GLOTIP tables (XLSX, CSV), CTDC microdata (CSV), the yearly report (PDF).

Shared by the web views and the `alianza stats` / `alianza report` commands. GLOTIP tables carry
exact counts for the national questionnaire; microdata and the report are public documents and
pass disclosure control.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alianza.stats import glotip, services
from alianza.stats.disclosure import min_cell_from_settings
from alianza.stats.indicators import Indicators
from alianza.stats.labels import labeller
from alianza.stats.microdata import ctdc_frame, k_anonymize
from alianza.stats.selectors import available_years, sdg_16_2_2

CSV_HEADINGS = ["year", "table", "category", "label", "raw", "deduplicated"]


def _tables(engine: Indicators, year: int) -> list[glotip.Table]:
    return glotip.glotip_tables(engine, year=year, _=_, label=labeller())


def glotip_export(*, year: int, out: Path | io.StringIO, fmt: str) -> None:
    """Write the GLOTIP tables for `year`; `fmt` is xlsx or csv."""
    tables = _tables(services.year_figures(year=year), year)
    if fmt == "csv":
        if isinstance(out, Path):
            with out.open("w", newline="", encoding="utf-8") as handle:
                glotip.write_csv(tables, handle, year=year, headings=CSV_HEADINGS)
        else:
            glotip.write_csv(tables, out, year=year, headings=CSV_HEADINGS)
    elif fmt == "xlsx":
        if not isinstance(out, Path):
            raise ValueError("XLSX needs a file path")
        glotip.write_xlsx(tables, out, year=year, headings=[_("Recorded by the agencies"), _("Persons (deduplicated)")],
                          total_label=_("Total"),
                          note=_("Raw: records as each agency registered them. Deduplicated: distinct persons after linkage."))  # fmt: skip
    else:
        raise ValueError(f"unknown format {fmt!r}")


def microdata_export(*, out: Any, min_cell: int | None = None) -> int:
    """Write CTDC-style victim microdata after disclosure control; returns the rows written."""
    with services.indicator_engine() as engine:
        frame = ctdc_frame(engine.victim_microdata())
    released = k_anonymize(frame, min_cell=min_cell or min_cell_from_settings())
    released.to_csv(out, index=False)
    return len(released)


def _bar_svg(labels: list[str], values: list[int | None], *, width: int = 480) -> str:
    """A horizontal bar chart as inline SVG (PDF has no JavaScript); withheld values draw no bar."""
    known = [v for v in values if v is not None]
    top = max(known) if known else 1
    row, label_w = 22, 180
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{row * len(labels) + 4}" role="img">'
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = i * row + 2
        parts.append(f'<text x="0" y="{y + 15}" font-size="11">{_esc(label)}</text>')
        if value is not None:
            w = int((width - label_w - 50) * value / top) if top else 0
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row - 8}" fill="#1f5f8b"/>'
            )
            parts.append(f'<text x="{label_w + w + 4}" y="{y + 15}" font-size="11">{value}</text>')
        else:
            parts.append(f'<text x="{label_w}" y="{y + 15}" font-size="11">—</text>')
    parts.append("</svg>")
    return "".join(parts)


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def report_context(*, year: int) -> dict[str, Any]:
    """Disclosure-controlled figures for the yearly report, in the active language."""
    from alianza.plan.selectors import progress_by_axis

    min_cell = min_cell_from_settings()
    figures = services.year_figures(year=year)
    tables = _tables(figures, year)
    sdg = sdg_16_2_2(figures, year=year)
    counts = services.stats_trend()
    years = available_years(counts)
    sections = []
    for table in tables:
        protected = table.protected(min_cell=min_cell)
        cells = list(protected.cells[0])
        sections.append({"title": table.title, "heading": table.category_heading,
                         "rows": list(zip(table.categories, cells, strict=True)), "total": protected.grand_total,
                         "chart": _bar_svg(list(table.categories), cells)})  # fmt: skip
    trend = []
    for y in years:
        row = counts[counts["year"] == y].set_index("measure")["deduplicated"]
        cases, victims = int(row.get("cases", 0)), int(row.get("victims", 0))
        trend.append(
            (
                y,
                None if 0 < cases < min_cell else cases,
                None if 0 < victims < min_cell else victims,
            )
        )
    # Rates are not published for groups whose victim count is withheld.
    for entry in sdg:
        if 0 < entry["victims"] < min_cell:
            entry["victims"], entry["rate"] = None, None
    return {"year": year, "sections": sections, "trend": trend,
            "trend_chart": _bar_svg([str(y) for y, _c, _v in trend], [v for _y, _c, v in trend]),
            "sdg": sdg, "sdg_synthetic": any(e["synthetic"] for e in sdg), "plan": progress_by_axis(),
            "min_cell": min_cell, "generated": timezone.now()}  # fmt: skip


def report_pdf(*, year: int, language: str) -> bytes:
    """The yearly statistical report as PDF, rendered by WeasyPrint."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string("stats/report.html", report_context(year=year))
    return HTML(string=html).write_pdf()

"""The yearly report as a PDF in Chinese: every indicator for the year and in total, the
month-by-month trend and the towns as charts, and the towns as a table.

Charts are drawn with reportlab's own graphics (vector, sharp in print, no image library), and
the text is set in the CID font of `zhibiao.core.pdf`, so nothing is downloaded.
"""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from zhibiao.accounts.permissions import Actor
from zhibiao.core.focuses import Focus
from zhibiao.core.pdf import INK, LINE, MUTED, RED, chinese_font
from zhibiao.dashboard import indicators as engine
from zhibiao.dashboard import services
from zhibiao.dashboard.scope import Scope
from zhibiao.dashboard.templatetags.dashboard import figure
from zhibiao.directory.models import Town, industry_names

PALETTE = [RED, colors.HexColor("#1f6fb2"), colors.HexColor("#2e8b57"), colors.HexColor("#c77c02")]
#: The indicators of the table by town, in this order.
BY_TOWN = ("applications", "amount_approved", "demands_served", "events_held", "attendees")
WIDTH = A4[0] - 36 * mm


def _styles() -> dict[str, ParagraphStyle]:
    font = chinese_font()
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=14, textColor=INK)
    return {
        "base": base,
        "small": replace_style(base, "small", fontSize=8, leading=11, textColor=MUTED),
        "title": replace_style(base, "title", fontSize=20, leading=28, textColor=RED),
        "h2": replace_style(base, "h2", fontSize=13.5, leading=20, spaceBefore=10, spaceAfter=4),
        "cell": replace_style(base, "cell", fontSize=8.5, leading=11),
    }


def replace_style(style: ParagraphStyle, name: str, **changes) -> ParagraphStyle:
    return ParagraphStyle(name, parent=style, **changes)


def _table(rows: list[list], widths: list[float], numeric_from: int = 1) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), chinese_font(), 8.5),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("BACKGROUND", (0, 0), (-1, 0), RED),
                ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 1), (-1, -1), 0.4, LINE),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f8fa")]),
            ]
        )
    )
    return table


def _trend_chart(months: list[str], trend: dict, names: dict) -> Drawing:
    drawing = Drawing(WIDTH, 70 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 16 * mm, WIDTH - 20 * mm, 46 * mm
    series = [[float(v or 0) for v in values] for values in trend.values()] or [[0] * 12]
    chart.data = series
    chart.categoryAxis.categoryNames = months
    chart.categoryAxis.labels.fontName = chinese_font()
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    for index in range(len(series)):
        chart.lines[index].strokeColor = PALETTE[index % len(PALETTE)]
        chart.lines[index].strokeWidth = 1.5
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 12 * mm, 6 * mm
    legend.fontName, legend.fontSize = chinese_font(), 7
    legend.columnMaximum, legend.alignment = 1, "right"
    legend.dx = legend.dy = 6
    legend.colorNamePairs = [
        (PALETTE[i % len(PALETTE)], names[code]) for i, code in enumerate(trend)
    ]
    drawing.add(legend)
    return drawing


def _town_chart(title: str, values: list[tuple[str, float | None]]) -> Drawing:
    drawing = Drawing(WIDTH, 72 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 22 * mm, WIDTH - 20 * mm, 42 * mm
    chart.data = [[v for _name, v in values] or [0]]
    chart.categoryAxis.categoryNames = [name for name, _v in values] or [""]
    chart.categoryAxis.labels.fontName = chinese_font()
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 35
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = RED
    drawing.add(chart)
    drawing.add(String(12 * mm, 68 * mm, title, fontName=chinese_font(), fontSize=9, fillColor=INK))
    return drawing


def _number(value: Decimal | None) -> float:
    return float(value or 0)


def _bar(values: dict[str, Decimal | None], key: str) -> float | None:
    """A town's bar: 0 where it has no records, none at all where its figure is left out for
    the reader (services.breakdown), so that a hidden figure does not read as zero."""
    if key in values and values[key] is None:
        return None
    return _number(values.get(key))


def render(scope: Scope, viewer: Actor | None = None) -> bytes:
    """The report for the scope's year (its town and industry, if any), as PDF bytes; its
    breakdowns hide the small groups from a `viewer` who may not narrow the figures."""
    year = scope.year or timezone.localdate().year
    scope = replace(scope, year=year)
    everything = replace(scope, year=None)
    style = _styles()
    table = engine.by_code()
    for_year = services.figures(scope)
    in_total = services.figures(everything)
    towns = dict(Town.choices)

    where = [str(towns.get(scope.town, scope.town)) if scope.town else gettext("The district")]
    if scope.industry:
        where.append(f"{scope.industry} {industry_names().get(scope.industry, '')}".strip())
    story: list = [
        Paragraph(
            gettext("%(district)s quality and standardization work: report for %(year)s")
            % {"district": settings.DISTRICT_NAME, "year": year},
            style["title"],
        ),
        Paragraph(
            gettext("%(where)s · figures as of %(day)s · produced by %(platform)s")
            % {
                "where": " · ".join(where),
                "day": scope.day.isoformat(),
                "platform": settings.PLATFORM_NAME,
            },
            style["small"],
        ),
        Spacer(1, 6 * mm),
    ]
    for number, (focus, label) in enumerate(Focus.choices, start=1):
        rows = [[gettext("Indicator"), str(year), gettext("All years"), gettext("Unit")]]
        for this, total in zip(for_year[focus], in_total[focus], strict=True):
            rows.append(
                [
                    Paragraph(this.indicator.label, style["cell"]),
                    figure(this.value),
                    figure(total.value),
                    this.indicator.unit_label,
                ]
            )
        story.append(
            KeepTogether(
                [
                    Paragraph(f"{number}. {label}", style["h2"]),
                    _table(rows, [WIDTH * 0.52, WIDTH * 0.16, WIDTH * 0.16, WIDTH * 0.16]),
                ]
            )
        )

    story.append(PageBreak())
    story.append(Paragraph(gettext("Month by month in %(year)s") % {"year": year}, style["h2"]))
    trend = services.trend(scope, year)
    months = [gettext("Month %(month)s") % {"month": m} for m in range(1, 13)]
    story.append(_trend_chart(months, trend, {c: table[c].label for c in trend}))
    month_rows = [[gettext("Indicator"), *[str(m) for m in range(1, 13)]]]
    for code, values in trend.items():
        month_rows.append([Paragraph(table[code].label, style["cell"]), *map(figure, values)])
    story.append(_table(month_rows, [WIDTH * 0.22] + [WIDTH * 0.065] * 12))

    story.append(Paragraph(gettext("By town in %(year)s") % {"year": year}, style["h2"]))
    by_town = {
        code: services.breakdown(scope, code, "town", viewer) for code in BY_TOWN if code in table
    }
    first = next(iter(by_town), None)
    if first:
        story.append(
            _town_chart(
                f"{table[first].label}（{table[first].unit_label}）",
                [(str(name), _bar(by_town[first], key)) for key, name in Town.choices],
            )
        )
    town_rows = [[gettext("Town"), *[f"{table[c].label}" for c in by_town]]]
    for key, name in Town.choices:
        town_rows.append([str(name), *[figure(by_town[c].get(key, Decimal(0))) for c in by_town]])
    columns = len(by_town)
    story.append(
        _table(
            [[Paragraph(str(cell), style["cell"]) for cell in town_rows[0]], *town_rows[1:]],
            [WIDTH * 0.25] + [WIDTH * 0.75 / max(columns, 1)] * columns,
        )
    )
    if any(value is None for values in by_town.values() for value in values.values()):
        story.append(Paragraph(services.hidden_note(), style["small"]))
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(
            gettext(
                "Each figure counts the records defined beside it on the dashboard; the "
                "definitions are the platform's indicators file."
            ),
            style["small"],
        )
    )

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=gettext("Report for %(year)s") % {"year": year},
        author=str(settings.PLATFORM_NAME),
    )

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(chinese_font(), 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(A4[0] - 18 * mm, 9 * mm, str(doc.page))
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()

"""The award's PDFs: the certificate of an award conferred, and the feedback report every
reviewed applicant receives (strengths and opportunities for improvement per category, its
scores in bands rather than exact figures, as GB/Z 19579 feeds back).

Set in the CID font of `zhibiao.core.pdf` with reportlab, as the events' certificates are: no
font file is shipped or downloaded.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from zhibiao.awards import services
from zhibiao.awards.criteria import CATEGORIES, ITEM_BY_CODE, band_label
from zhibiao.awards.models import Entry, Score
from zhibiao.core.pdf import LINE, MUTED, RED, CertificatePage, style

#: An item at or above this percent counts among the strengths in the feedback report.
STRENGTH_FROM = 50


def _conferred_at(entry: Entry):
    """When the award was conferred: its step's time (not the entry's last edit)."""
    step = entry.steps.filter(action="confer").order_by("-at").first()
    return step.at if step is not None else timezone.now()


def certificate(entry: Entry) -> bytes:
    """The certificate of the award, landscape A4."""
    page = CertificatePage(
        gettext("District Head's Quality Award") + f" {entry.certificate_number}"
    )
    title = style("title", 36, 44, color=RED, alignment=TA_CENTER)
    body = style("body", 20, 34, alignment=TA_CENTER)
    small = style("small", 11, 16, color=MUTED, alignment=TA_CENTER)
    y = page.height - 45 * mm
    for text, line_style, gap in (
        (escape(gettext("District Head's Quality Award")), title, 22 * mm),
        (
            gettext("%(name)s is awarded the %(year)s District Head's Quality Award.")
            % {"name": f"<b>{escape(entry.organisation.name)}</b>", "year": entry.cycle.year},
            body,
            30 * mm,
        ),
        (
            escape(
                gettext("Certificate number: %(number)s") % {"number": entry.certificate_number}
            ),
            small,
            8 * mm,
        ),
        (
            escape(
                gettext("Awarded on %(date)s")
                % {"date": timezone.localtime(_conferred_at(entry)).strftime("%Y-%m-%d")}
            ),
            small,
            8 * mm,
        ),
    ):
        y -= page.paragraph(text, line_style, 30 * mm, y, page.width - 60 * mm) + gap
    return page.bytes()


def _comments(entry: Entry) -> dict[str, list[str]]:
    comments: dict[str, list[str]] = {}
    for item, comment in Score.objects.filter(assignment__entry=entry).values_list(
        "item", "comment"
    ):
        comments.setdefault(item, []).append(comment)
    return comments


def feedback(entry: Entry) -> bytes:
    """The feedback report: per category, the band of its score and the experts' comments
    sorted into strengths and opportunities for improvement."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=gettext("Feedback report"),
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    h1 = style("h1", 18, 26, color=RED)
    h2 = style("h2", 13, 20)
    text = style("p", 10, 15)
    result = services.consolidate(entry)
    comments = _comments(entry)
    story: list = [
        Paragraph(
            escape(
                gettext("%(year)s District Head's Quality Award: feedback report for %(name)s")
                % {"year": entry.cycle.year, "name": entry.organisation.name}
            ),
            h1,
        ),
        Paragraph(
            escape(
                gettext("Overall: %(band)s of the 1,000 points of GB/T 19580.")
                % {"band": band_label((result.final_total or Decimal(0)) / 10)}
            ),
            text,
        ),
        Spacer(1, 6 * mm),
    ]
    grouped = result.by_category()
    for category in CATEGORIES:
        items = grouped.get(category.code, [])
        points = sum((item.final_points or Decimal(0)) for item in items)
        percent = points * 100 / category.points if category.points else Decimal(0)
        story.append(
            Paragraph(
                escape(
                    f"{category.code} {category.name}（{category.points}）："
                    + gettext("band %(band)s") % {"band": band_label(percent)}
                ),
                h2,
            )
        )
        strengths, opportunities = [], []
        for item in items:
            name = f"{item.code} {ITEM_BY_CODE[item.code].name}"
            band = band_label(item.final_percent or 0)
            for comment in comments.get(item.code, []):
                line = f"{name}（{band}）：{comment}"
                target = strengths if (item.final_percent or 0) >= STRENGTH_FROM else opportunities
                target.append(line)
        rows = [
            [Paragraph(escape(gettext("Strengths")), text), _lines(strengths, text)],
            [
                Paragraph(escape(gettext("Opportunities for improvement")), text),
                _lines(opportunities, text),
            ],
        ]
        table = Table(rows, colWidths=[32 * mm, 140 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, LINE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.extend([table, Spacer(1, 4 * mm)])
    document.build(story)
    return buffer.getvalue()


def _lines(lines: list[str], style: ParagraphStyle) -> Paragraph:
    if not lines:
        return Paragraph("—", style)
    return Paragraph("<br/>".join(escape(line) for line in lines), style)

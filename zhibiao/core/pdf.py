"""What every PDF the platform prints shares: the Chinese font, the house colours, paragraph
styles and the certificates' framed page.

reportlab's built-in CID font STSong-Light (Adobe's Song typeface, which PDF readers supply for
the Adobe-GB1 character collection) sets Chinese text with no font file downloaded or shipped.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.utils.translation import gettext
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

FONT = "STSong-Light"
RED = HexColor("#b3261e")
INK = HexColor("#1f2328")
MUTED = HexColor("#5b6470")
LINE = HexColor("#e3e6ea")


def chinese_font() -> str:
    """Register the CID font once per process and return its name."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def style(
    name: str,
    size: float,
    leading: float,
    *,
    color: Color = INK,
    alignment: int = TA_LEFT,
) -> ParagraphStyle:
    """A paragraph style in the Chinese font; Chinese text wraps between any two characters."""
    return ParagraphStyle(
        name,
        fontName=chinese_font(),
        fontSize=size,
        leading=leading,
        alignment=alignment,
        wordWrap="CJK",
        textColor=color,
    )


@dataclass
class CertificatePage:
    """One landscape A4 page in the house's double red frame: the attendance certificate and
    the quality award's certificate look like one family of documents."""

    title: str
    buffer: io.BytesIO = field(default_factory=io.BytesIO)

    def __post_init__(self) -> None:
        self.width, self.height = landscape(A4)
        self.pdf = canvas.Canvas(self.buffer, pagesize=(self.width, self.height), pageCompression=1)
        self.pdf.setTitle(self.title)
        self.pdf.setAuthor(str(gettext("Zhibiao")))
        self.pdf.setStrokeColor(RED)
        self.pdf.setLineWidth(3)
        self.pdf.rect(12 * mm, 12 * mm, self.width - 24 * mm, self.height - 24 * mm)
        self.pdf.setLineWidth(0.8)
        self.pdf.rect(15 * mm, 15 * mm, self.width - 30 * mm, self.height - 30 * mm)

    def paragraph(self, text: str, style: ParagraphStyle, x: float, top: float, width: float):
        """Draw `text` (reportlab's paragraph markup: escape what users wrote) with its top at
        `top`; returns the height it took."""
        paragraph = Paragraph(text, style)
        _w, height = paragraph.wrapOn(self.pdf, width, 200 * mm)
        paragraph.drawOn(self.pdf, x, top - height)
        return height

    def bytes(self) -> bytes:
        """Close the page and return the document."""
        self.pdf.showPage()
        self.pdf.save()
        return self.buffer.getvalue()

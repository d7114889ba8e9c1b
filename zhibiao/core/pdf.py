"""What every PDF the platform prints shares: the Chinese font and the house colours.

reportlab's built-in CID font STSong-Light (Adobe's Song typeface, which PDF readers supply for
the Adobe-GB1 character collection) sets Chinese text with no font file downloaded or shipped.
"""

from __future__ import annotations

from reportlab.lib.colors import HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

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

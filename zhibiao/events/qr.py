"""QR codes on the ticket page, drawn on the server as inline SVG (segno): no script, no
picture request, sharp at any size and in print, and the same on every phone."""

from __future__ import annotations

import segno

#: Dark modules in the site's ink colour; the light ones are the page's white.
INK = "#1f2328"


def svg(text: str) -> str:
    """The QR code of `text` (error correction M, the standard quiet zone) as an <svg> element
    without a fixed size, for the page's CSS to size."""
    return segno.make(text, error="m").svg_inline(scale=5, dark=INK, omitsize=True)

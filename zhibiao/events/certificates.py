"""The certificate of attendance as a PDF, in Chinese, without any font file.

The Chinese text is set in the CID font of `zhibiao.core.pdf`, so nothing is downloaded or
shipped; the QR code is drawn as vector squares from segno's module matrix, so it prints sharp
and needs no image library. The QR code and the printed address lead to the platform's page
that says whether the certificate is genuine.
"""

from __future__ import annotations

import segno
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from zhibiao.core.pdf import INK, MUTED, RED, CertificatePage, style


def draw_qr(pdf: canvas.Canvas, text: str, x: float, y: float, size: float) -> None:
    """A QR code as filled squares, bottom-left corner at (x, y), `size` wide with its border."""
    qr = segno.make(text, error="m")
    rows = list(qr.matrix_iter(scale=1, border=2))
    cell = size / len(rows)
    pdf.setFillColor(INK)
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * cell
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + c * cell, top, cell, cell, stroke=0, fill=1)


def render(certificate, verify_url: str) -> bytes:
    """The certificate as PDF bytes; `verify_url` is the absolute address of its check page."""
    registration = certificate.registration
    event = registration.event
    page = CertificatePage(gettext("Certificate of attendance") + f" {certificate.number}")
    pdf, width = page.pdf, page.width
    title = style("title", 34, 42, color=RED, alignment=TA_CENTER)
    body = style("body", 17, 30)
    small = style("small", 10, 14, color=MUTED)

    y = page.height - 40 * mm
    y -= page.paragraph(
        escape(gettext("Certificate of attendance")), title, 30 * mm, y, width - 60 * mm
    )
    y -= 14 * mm
    starts = timezone.localtime(event.starts_at)
    organisation = registration.organisation.name if registration.organisation_id else ""
    text = gettext(
        "This is to certify that %(name)s%(organisation)s attended the %(kind)s “%(title)s” "
        "held by %(host)s on %(date)s."
    ) % {
        "name": f"<b>{escape(registration.name)}</b>",
        "organisation": f"（{escape(organisation)}）" if organisation else "",
        "kind": escape(event.get_kind_display()),
        "title": escape(event.title),
        "host": escape(event.host_name),
        "date": starts.strftime("%Y-%m-%d"),
    }
    page.paragraph(text, body, 35 * mm, y, width - 70 * mm)

    qr_size = 38 * mm
    qr_x, qr_y = width - 35 * mm - qr_size, 24 * mm
    draw_qr(pdf, verify_url, qr_x, qr_y, qr_size)
    issued = timezone.localtime(certificate.issued_at).strftime("%Y-%m-%d")
    lines = [
        gettext("Certificate number: %(number)s") % {"number": certificate.number},
        gettext("Issued on %(date)s by the %(platform)s platform")
        % {
            "date": issued,
            "platform": gettext("Zhibiao"),
        },
        gettext("Check that it is genuine: scan the code or open %(url)s") % {"url": verify_url},
    ]
    y_text = 24 * mm + qr_size - 2 * mm
    for line in lines:
        y_text -= page.paragraph(escape(line), small, 35 * mm, y_text, width - 90 * mm - qr_size)
        y_text -= 2 * mm
    return page.bytes()

"""The volunteer service certificate as a PDF (reportlab, its built-in STSong-Light CJK font)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def certificate_pdf(cert, verify_url: str) -> bytes:
    """One A4 page with the fields of 志愿服务记录与证明出具办法 and a QR to the verification page."""
    font = _font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"{_('Volunteer service certificate')} {cert.number}")
    width, height = A4
    c.setFont(font, 22)
    c.drawCentredString(width / 2, height - 40 * mm, _("Volunteer service certificate"))
    c.setFont(font, 11)
    c.drawRightString(width - 25 * mm, height - 52 * mm, f"{_('Certificate number')}: {cert.number}")
    rows = [
        (pgettext("person", "Name"), cert.volunteer.name),
        (_("Volunteer number"), cert.volunteer.number),
        (_("Hours of service"), f"{cert.hours} {_('hours')}"),
        (_("Service content"), cert.content),
        (_("Issuing organisation"), cert.organisation),
        (_("Person responsible"), cert.responsible),
        (_("Handler"), cert.handler),
        (_("Contact"), cert.contact),
        (_("Date of issue"), cert.issued_on.isoformat()),
    ]
    y = height - 75 * mm
    for label, value in rows:
        c.setFont(font, 13)
        c.drawString(30 * mm, y, f"{label}:")
        c.drawString(75 * mm, y, str(value)[:60])
        y -= 11 * mm
    c.setFont(font, 10)
    c.drawString(
        30 * mm,
        y - 5 * mm,
        _("The hours above were recorded truthfully and certified by the organisers of each activity."),
    )
    qr = QrCodeWidget(verify_url)
    x0, y0, x1, y1 = qr.getBounds()
    size = 38 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, c, width - 25 * mm - size, 30 * mm)
    c.setFont(font, 9)
    c.drawRightString(width - 25 * mm, 25 * mm, _("Scan to verify this certificate"))
    c.showPage()
    c.save()
    return buf.getvalue()

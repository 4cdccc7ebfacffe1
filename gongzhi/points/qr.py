"""QR codes drawn with segno, inline SVG (the content-security policy allows no inline script,
and an inline SVG needs no image request)."""

from __future__ import annotations

import segno


def qr_svg(text: str, *, scale: int = 5, border: int = 2) -> str:
    """A scalable QR (a viewBox, no fixed size): the page's CSS decides how large it is drawn."""
    qr = segno.make(text, error="m", micro=False)
    svg = str(qr.svg_inline(scale=scale, border=border, dark="#1f2933", omitsize=True))
    return svg.replace("<svg ", '<svg role="img" ', 1)

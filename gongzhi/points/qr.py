"""QR codes drawn with segno, inline SVG (the content-security policy allows no inline script,
and an inline SVG needs no image request)."""

from __future__ import annotations

import segno


def qr_svg(text: str, *, scale: int = 5, border: int = 2) -> str:
    return str(
        segno.make(text, error="m", micro=False).svg_inline(scale=scale, border=border, dark="#1f2933")
    )

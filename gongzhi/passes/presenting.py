"""Small helpers that turn pass data into what pages and the API show."""

from __future__ import annotations

import re

from django.utils.safestring import SafeString, mark_safe

from gongzhi.areas.models import Area
from gongzhi.lib import passes as lib

from .checking import REASON_MESSAGES, REASON_TITLES

_SIZE = re.compile(r'^<svg width="(\d+)" height="(\d+)"')


def honoured_names(prefixes: list[str]) -> list[str]:
    """Names of the areas a pass is honoured in (a prefix is the area whose code it starts)."""
    codes = [p.ljust(12, "0") for p in prefixes]
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    return [names.get(c, c) for c in codes]


def qr_for(url: str) -> SafeString:
    """The QR code as inline SVG that scales with the page (segno's markup plus a viewBox)."""
    svg = lib.qr_svg(url, scale=6, border=4)
    match = _SIZE.match(svg)
    if match:
        w, h = match.groups()
        svg = svg.replace(
            match.group(0),
            f'<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="QR"',
            1,
        )
    return mark_safe(svg)  # noqa: S308 - segno's own markup around our URL, which it encodes as path data


def reason_label(code: str) -> str:
    try:
        return str(REASON_TITLES[lib.Reason(code)])
    except ValueError:
        return code


def reason_message(code: str) -> str:
    try:
        return str(REASON_MESSAGES[lib.Reason(code)])
    except ValueError:
        return code

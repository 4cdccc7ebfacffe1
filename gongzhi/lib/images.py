"""Uploaded photos made safe to publish: real image type, bounded size, no metadata.

A phone photo carries EXIF: the GPS position where it was taken, the device, the time. Before
a photo of a resident is shown on a public page it is decoded by Pillow, turned upright, shrunk,
and encoded afresh without any of that metadata.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo decodes to ~160 MB: refuse bigger (decompression bombs)


class ImageError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    extension: str
    content_type: str
    width: int
    height: int


def clean_photo(data: bytes, *, max_bytes: int, max_side: int) -> CleanImage:
    """Decode, check and re-encode a photo; raises ImageError("image.too_large" | "image.type" | ...)."""
    if len(data) > max_bytes:
        raise ImageError("image.too_large")
    if not data:
        raise ImageError("image.empty")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if kind not in ALLOWED_FORMATS:
                raise ImageError("image.type")
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageError("image.too_many_pixels")
            probe.verify()  # structural check before the full decode
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)  # keep the orientation the EXIF asked for, then drop EXIF
            img.thumbnail((max_side, max_side))
            out = io.BytesIO()
            if kind == "JPEG":
                img.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            elif kind == "PNG":
                img = img if img.mode in ("RGB", "RGBA", "L", "LA", "P") else img.convert("RGBA")
                img.save(out, "PNG", optimize=True)
            else:
                img.save(out, "WEBP", quality=85)
            width, height = img.size
    except ImageError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ImageError("image.unreadable") from None
    extension = ALLOWED_FORMATS[kind]
    content_type = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[extension]
    return CleanImage(out.getvalue(), extension, content_type, width, height)

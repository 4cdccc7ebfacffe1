"""Uploaded photos made safe to publish: real image type, bounded size, no metadata.

A phone photo carries EXIF: the GPS position where it was taken, the device, the time. Before
a photo of a resident is shown on a public page it is decoded by Pillow, turned upright, shrunk,
and encoded afresh without any of that metadata.

The one sanitiser of the project: ticket attachments, rider photos, station photos, honour-roll
photos and visit photos all come through ``read_capped`` and ``clean_photo``; each app only words
the refusal (``ImageError.code``) for its own form.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# What phones send: MPO is the multi-picture JPEG some cameras write (saved as a plain JPEG).
ALLOWED_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo decodes to ~160 MB: refuse bigger (decompression bombs)


class ImageError(ValueError):
    """Why an upload was refused: image.too_large, image.empty, image.type, image.too_many_pixels,
    image.unreadable. ``width``/``height`` are set for image.too_many_pixels."""

    def __init__(self, code: str, width: int = 0, height: int = 0) -> None:
        super().__init__(code)
        self.code, self.width, self.height = code, width, height


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    extension: str
    content_type: str
    width: int
    height: int


def read_capped(upload, max_bytes: int) -> bytes:
    """The bytes of an uploaded file (anything with ``read``), refused above ``max_bytes`` without
    reading more than one byte past the limit."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ImageError("image.too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageError("image.too_large")
    return data


def clean_photo(
    data: bytes, *, max_bytes: int, max_side: int, max_pixels: int = MAX_PIXELS, force_jpeg: bool = False
) -> CleanImage:
    """Decode, check and re-encode a photo (as a JPEG when ``force_jpeg``, else in its own format);
    raises ImageError."""
    if len(data) > max_bytes:
        raise ImageError("image.too_large")
    if not data:
        raise ImageError("image.empty")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if kind not in ALLOWED_FORMATS:
                raise ImageError("image.type")
            if probe.width * probe.height > max_pixels:
                raise ImageError("image.too_many_pixels", probe.width, probe.height)
            probe.verify()  # structural check before the full decode
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)  # keep the orientation the EXIF asked for, then drop EXIF
            img.thumbnail((max_side, max_side))
            img.info.clear()  # no EXIF, XMP, ICC, comments or PNG text chunks travel to the copy
            out = io.BytesIO()
            if force_jpeg or ALLOWED_FORMATS[kind] == "jpg":
                kind = "JPEG"
                img.convert("RGB").save(out, "JPEG", quality=85, optimize=True, exif=b"")
            elif kind == "PNG":
                img = img if img.mode in ("RGB", "RGBA", "L", "LA", "P") else img.convert("RGBA")
                img.save(out, "PNG", optimize=True)
            else:
                img.save(out, "WEBP", quality=85, exif=b"")
            width, height = img.size
    except ImageError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ImageError("image.unreadable") from None
    extension = ALLOWED_FORMATS[kind]
    content_type = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[extension]
    return CleanImage(out.getvalue(), extension, content_type, width, height)

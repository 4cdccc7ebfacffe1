"""Rider photos: checked to be a real image, turned upright, shrunk, and re-encoded without EXIF.

A phone photo's EXIF can carry the GPS position of the rider's home and the phone's serial
number; re-encoding the pixels alone drops all of it (PIPL: minimum necessary).
"""

from __future__ import annotations

import io
import uuid

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .conf import setting
from .errors import field_error

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "MPO"})
# Refuse decompression bombs before Pillow allocates them: a phone photo is ~12-50 megapixels.
MAX_PIXELS = 60_000_000


def clean_photo(upload) -> ContentFile:
    """A JPEG without metadata from an uploaded image, or ValidationError(code="passes.photo")."""
    error = field_error("photo", _("Upload a photo (JPEG, PNG or WebP)."), "passes.photo")
    size = getattr(upload, "size", None)
    if size is not None and size > int(setting("PHOTO_MAX_BYTES")):
        raise field_error(
            "photo",
            _("The photo is too large: at most %(mb)d MB.")
            % {"mb": int(setting("PHOTO_MAX_BYTES")) // 2**20},
            "passes.photo_size",
        )
    try:
        upload.seek(0)
        data = upload.read()
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED_FORMATS or probe.width * probe.height > MAX_PIXELS:
                raise error
            probe.verify()  # truncated or corrupt files fail here
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)  # keep it upright once the EXIF is gone
            image = image.convert("RGB")
            limit = int(setting("PHOTO_MAX_PIXELS"))
            image.thumbnail((limit, limit))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: none written
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise error from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")

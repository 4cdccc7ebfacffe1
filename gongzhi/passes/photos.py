"""Rider photos: checked to be a real image, turned upright, shrunk, and re-encoded without EXIF.

A phone photo's EXIF can carry the GPS position of the rider's home and the phone's serial
number; re-encoding the pixels alone drops all of it (PIPL: minimum necessary).
"""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from gongzhi.core.errors import field_error
from gongzhi.lib import images

from .conf import setting

# Refuse decompression bombs before Pillow allocates them: a phone photo is ~12-50 megapixels.
MAX_PIXELS = 60_000_000


def clean_photo(upload) -> ContentFile:
    """A JPEG without metadata from an uploaded image, or ValidationError(code="passes.photo")."""
    max_bytes = int(setting("PHOTO_MAX_BYTES"))
    try:
        side = int(setting("PHOTO_MAX_PIXELS"))
        data = images.read_capped(upload, max_bytes)
        clean = images.clean_photo(
            data, max_bytes=max_bytes, max_side=side, max_pixels=MAX_PIXELS, force_jpeg=True
        )
    except images.ImageError as exc:
        if exc.code == "image.too_large":
            raise field_error(
                "photo",
                _("The photo is too large: at most %(mb)d MB.") % {"mb": max_bytes // 2**20},
                "passes.photo_size",
            ) from None
        raise field_error("photo", _("Upload a photo (JPEG, PNG or WebP)."), "passes.photo") from None
    return ContentFile(clean.data, name=f"{uuid.uuid4().hex}.jpg")

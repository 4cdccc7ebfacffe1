"""Photos attached to tickets: proven to be images by opening them, size-capped, and re-encoded.

Re-encoding (rather than trusting the upload) is what strips EXIF — a phone photo's GPS position,
device and time — and anything smuggled after the image data. Orientation is applied to the
pixels first, so the photo still stands the right way up without its EXIF tag.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.lib import images

from . import conf


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    content_type: str
    extension: str
    width: int
    height: int
    name: str = ""


def _not_an_image(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is not a photo: upload a JPEG, PNG or WebP image.") % {"name": name[:60]},
        code="attachment.not_image",
    )


def clean_image(upload) -> CleanImage:
    """Open, check and re-encode one uploaded file, or raise ValidationError with a clear reason."""
    name = getattr(upload, "name", "") or "photo"
    limit = conf.attachment_max_bytes()
    try:
        data = images.read_capped(upload, limit)
        clean = images.clean_photo(
            data,
            max_bytes=limit,
            max_side=conf.ATTACHMENT_MAX_EDGE,
            max_pixels=conf.ATTACHMENT_MAX_PIXELS,
        )
    except images.ImageError as exc:
        size = getattr(upload, "size", None)
        if exc.code == "image.too_large" and size is not None:
            raise ValidationError(
                _("“%(name)s” is %(size).1f MB; a photo may be at most %(max)d MB.")
                % {"name": name[:60], "size": size / 1048576, "max": limit // 1048576},
                code="attachment.too_large",
            ) from None
        if exc.code == "image.too_large":
            raise ValidationError(
                _("“%(name)s” is larger than %(max)d MB.") % {"name": name[:60], "max": limit // 1048576},
                code="attachment.too_large",
            ) from None
        if exc.code == "image.too_many_pixels":
            raise ValidationError(
                _("“%(name)s” has too many pixels (%(w)d × %(h)d).")
                % {"name": name[:60], "w": exc.width, "h": exc.height},
                code="attachment.too_large",
            ) from None
        raise _not_an_image(name) from None
    return CleanImage(clean.data, clean.content_type, clean.extension, clean.width, clean.height, name)


def clean_images(uploads) -> list[CleanImage]:
    """Every upload checked; all errors reported together under "photos"."""
    uploads = [u for u in uploads or [] if u]
    if len(uploads) > conf.ATTACHMENTS_PER_STAGE:
        raise ValidationError(
            {
                "photos": [
                    ValidationError(
                        _("Attach at most %(n)d photos at a time.") % {"n": conf.ATTACHMENTS_PER_STAGE},
                        code="attachment.too_many",
                    )
                ]
            }
        )
    cleaned, errors = [], []
    for upload in uploads:
        try:
            cleaned.append(clean_image(upload))
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError({"photos": errors})
    return cleaned


def store(image: CleanImage) -> str:
    """Save the re-encoded bytes under an unguessable name; returns the storage name."""
    now = timezone.now()
    return default_storage.save(
        f"tickets/{now:%Y/%m}/{uuid.uuid4().hex}.{image.extension}", ContentFile(image.content)
    )

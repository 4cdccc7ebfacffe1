"""Photos attached to tickets: proven to be images by opening them, size-capped, and re-encoded.

Re-encoding (rather than trusting the upload) is what strips EXIF — a phone photo's GPS position,
device and time — and anything smuggled after the image data. Orientation is applied to the
pixels first, so the photo still stands the right way up without its EXIF tag.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from . import conf

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


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
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size).1f MB; a photo may be at most %(max)d MB.")
            % {"name": name[:60], "size": size / 1048576, "max": limit // 1048576},
            code="attachment.too_large",
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(max)d MB.") % {"name": name[:60], "max": limit // 1048576},
            code="attachment.too_large",
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()  # structure check without decoding the pixels
        image = Image.open(io.BytesIO(data))
        fmt = image.format
        if fmt not in FORMATS:
            raise _not_an_image(name)
        if image.width * image.height > conf.ATTACHMENT_MAX_PIXELS:
            raise ValidationError(
                _("“%(name)s” has too many pixels (%(w)d × %(h)d).")
                % {"name": name[:60], "w": image.width, "h": image.height},
                code="attachment.too_large",
            )
        image.load()
        image = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _not_an_image(name) from None
    if max(image.size) > conf.ATTACHMENT_MAX_EDGE:
        image.thumbnail((conf.ATTACHMENT_MAX_EDGE, conf.ATTACHMENT_MAX_EDGE))
    image.info.clear()  # no EXIF, XMP, ICC comments or PNG text chunks travel to the copy
    out = io.BytesIO()
    if fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=85, exif=b"")
    else:
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=85, optimize=True, exif=b"")
    content_type, extension = FORMATS[fmt]
    return CleanImage(out.getvalue(), content_type, extension, image.width, image.height, name)


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

"""Care visits: photos taken on a visit, and a concern that opens a ticket for the community."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.lib import images

from .. import conf
from ..models import Visit, VisitPhoto
from ..policy import CARE_CONCERN_KIND

PHOTO_ERRORS = {
    "image.too_large": lambda: (
        _("A photo may be at most %(mb)d MB.") % {"mb": conf.visit_photo_max_bytes() // 1048576}
    ),
    "image.empty": lambda: _("The photo is empty."),
    "image.type": lambda: _("Upload a JPEG, PNG or WebP photo."),
}


def photos_clean(uploads) -> list[images.CleanImage]:
    """Every photo proven an image and re-encoded without its EXIF (GPS, device, time), or one
    ValidationError under "photos" naming what is wrong; nothing is stored until all are good."""
    uploads = [u for u in uploads or [] if u]
    if len(uploads) > conf.VISIT_PHOTOS_AT_MOST:
        raise ValidationError(
            {"photos": [_("Attach at most %(n)d photos.") % {"n": conf.VISIT_PHOTOS_AT_MOST}]},
            code="visit.photos",
        )
    cleaned, errors = [], []
    limit = conf.visit_photo_max_bytes()
    for upload in uploads:
        try:
            data = images.read_capped(upload, limit)
            cleaned.append(images.clean_photo(data, max_bytes=limit, max_side=conf.VISIT_PHOTO_MAX_SIDE))
        except images.ImageError as exc:
            message = PHOTO_ERRORS.get(exc.code, lambda: _("This file is not a readable photo."))()
            errors.append(f"{getattr(upload, 'name', '')[:60]}: {message}")
    if errors:
        raise ValidationError({"photos": errors}, code="visit.photos")
    return cleaned


def visit_photo_store(*, visit: Visit, photos: list[images.CleanImage]) -> list[VisitPhoto]:
    """Save already-cleaned photos under unguessable names (served only through a scoped view)."""
    now = timezone.now()
    rows = []
    for image in photos:
        name = default_storage.save(
            f"volunteering/visits/{now:%Y/%m}/{uuid.uuid4().hex}.{image.extension}", ContentFile(image.data)
        )
        rows.append(
            VisitPhoto(
                visit=visit,
                file=name,
                content_type=image.content_type,
                width=image.width,
                height=image.height,
            )
        )
    return VisitPhoto.objects.bulk_create(rows)


def visit_concern_ticket(*, visit: Visit, category: str, actor, ip: str | None = None):
    """Open a care-concern ticket in the community of the person cared for, linked both ways:
    the visit keeps the ticket, the ticket's extra details name the visit and the pairing."""
    from gongzhi.tickets.services import ticket_submit

    pairing = visit.pairing
    ticket = ticket_submit(
        kind=CARE_CONCERN_KIND,
        category=category,
        area=pairing.person.area,
        title=_("Concern raised on a care visit (%(type)s)") % {"type": pairing.pair_type.name},
        description=visit.concerns,
        submitter=actor,
        extra={"visit_id": visit.pk, "pairing_id": pairing.pk, "pair_type": pairing.pair_type.code},
        ip=ip,
    )
    visit.ticket = ticket
    visit.save(update_fields=["ticket"])
    return ticket

"""The honour roll "好样的！你": nominations with a story and a photo, review, publication;
and the opt-in ranking of earners ("参与有回报、奉献有荣誉")."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.areas.models import Area
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import invalid
from gongzhi.lib import idcodes
from gongzhi.lib import images as lib_images

from ..conf import points_setting
from ..models import (
    NOMINATION_TRANSITIONS,
    Account,
    Nomination,
    NominationStatus,
    NomineeKind,
)
from . import earning, ledger

PHOTO_MESSAGES = {
    "image.too_large": gettext_lazy("The photo is larger than %(mb)d MB."),
    "image.empty": gettext_lazy("The photo file is empty."),
    "image.type": gettext_lazy("Upload a JPEG, PNG or WebP photo."),
    "image.too_many_pixels": gettext_lazy("The photo has too many pixels; send a smaller one."),
    "image.unreadable": gettext_lazy("This file is not a readable photo."),
}
PUBLISHED_RULE = "honour.published"  # an optional earning rule: publication on the roll earns points


def photo_clean(upload) -> ContentFile:
    """A checked, shrunk, metadata-free copy of an uploaded photo (EXIF, GPS and all removed)."""
    max_bytes = int(points_setting("PHOTO_MAX_BYTES"))
    try:
        clean = lib_images.clean_photo(
            lib_images.read_capped(upload, max_bytes),
            max_bytes=max_bytes,
            max_side=int(points_setting("PHOTO_MAX_SIDE")),
        )
    except lib_images.ImageError as exc:
        message = str(PHOTO_MESSAGES[exc.code]) % {"mb": max_bytes // (1024 * 1024)}
        raise invalid({"photo": [message]}, code=f"points.{exc.code.replace('.', '_')}") from None
    return ContentFile(clean.data, name=f"{uuid.uuid4().hex}.{clean.extension}")


@transaction.atomic
def nomination_submit(
    *,
    nominee_kind: str,
    nominee_name: str,
    display_name: str,
    consent: str,
    title: str,
    story: str,
    area: Area,
    nominated_by,
    photo=None,
    nominee_user=None,
    nominee_organisation=None,
    ip: str | None = None,
) -> Nomination:
    """Anyone signed in may nominate a neighbour or a team; staff of the area review it."""
    if not nominated_by.access.has("points.nominate"):
        raise PermissionDenied
    errors: dict[str, list] = {}
    if nominee_kind not in NomineeKind.values:
        errors["nominee_kind"] = [_("Choose a person or a collective.")]
    cleaned = {}
    for field, value, minimum, maximum, message in (
        ("nominee_name", nominee_name, 1, 60, _("Enter the nominee's name.")),
        ("display_name", display_name, 1, 60, _("Enter the name to publish, as the nominee agreed.")),
        ("consent", consent, 2, 200, _("Record how the nominee agreed to publication.")),
        ("title", title, 2, 80, _("Enter a headline.")),
        ("story", story, 20, 3000, _("Tell the story in at least 20 characters.")),
    ):
        value = (value or "").strip()
        if len(value) < minimum:
            errors[field] = [message]
        elif len(value) > maximum:
            errors[field] = [_("At most %(n)d characters.") % {"n": maximum}]
        cleaned[field] = value
    if nominee_kind == NomineeKind.PERSON and nominee_organisation is not None:
        errors["nominee_organisation"] = [_("A person is nominated without an organisation.")]
    if nominee_kind == NomineeKind.COLLECTIVE and nominee_user is not None:
        errors["nominee_user"] = [_("A collective is not a single user.")]
    content = None
    if photo:
        try:
            content = photo_clean(photo)
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if errors:
        raise invalid(errors, code="points.nomination_invalid")
    nomination = Nomination(
        nominee_kind=nominee_kind,
        nominee_user=nominee_user,
        nominee_organisation=nominee_organisation,
        area=area,
        nominated_by=nominated_by,
        **cleaned,
    )
    if content is not None:
        nomination.photo.save(content.name, content, save=False)
    nomination.save()
    audit_record(
        actor=nominated_by,
        action="points.nomination.submit",
        obj=nomination,
        ip=ip,
        changes={
            "kind": nominee_kind,
            "nominee": idcodes.mask_name(cleaned["nominee_name"]),
            "title": cleaned["title"],
        },
    )
    return nomination


def _move(nomination: Nomination, to: str) -> None:
    if to not in NOMINATION_TRANSITIONS[nomination.status]:
        raise invalid(
            _("This nomination is %(status)s and cannot change that way.")
            % {"status": nomination.get_status_display()},
            code="points.nomination_transition",
        )


@transaction.atomic
def nomination_review(
    *, nomination: Nomination, publish: bool, note: str, actor, ip: str | None = None
) -> Nomination:
    """Publish a nomination on the public roll, or decline it with a note for the nominator.

    A published person with an account earns points when an active "honour.published" rule
    applies in their area (paid once per nomination like any award).
    """
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if not actor.access.can("points.review_nominations", nomination.area_id):
        raise PermissionDenied
    note = (note or "").strip()
    to = NominationStatus.PUBLISHED if publish else NominationStatus.REJECTED
    _move(nomination, to)
    if not publish and len(note) < 2:
        raise invalid(
            {"note": [_("Tell the nominator why it is not published.")]}, code="points.reason_required"
        )
    now = timezone.now()
    nomination.status, nomination.reviewed_by, nomination.reviewed_at, nomination.review_note = (
        to,
        actor,
        now,
        note[:200],
    )
    if publish:
        nomination.published_at = now
    nomination.save()
    audit_record(
        actor=actor,
        action="points.nomination.review",
        obj=nomination,
        ip=ip,
        changes={"status": to, "note": note[:200]},
    )
    if publish and (nomination.nominee_user_id or nomination.nominee_organisation_id):
        earning.points_award(
            rule_code=PUBLISHED_RULE,
            beneficiary=nomination.nominee_user,
            organisation=nomination.nominee_organisation if not nomination.nominee_user_id else None,
            source_type="points.nomination",
            source_id=str(nomination.pk),
            area_code=nomination.area_id,
            actor=actor,
            note=nomination.title,
            ip=ip,
        )
    return nomination


@transaction.atomic
def nomination_withdraw(
    *, nomination: Nomination, actor, reason: str = "", ip: str | None = None
) -> Nomination:
    """Take a nomination down: its nominator before review, or a reviewer at any time (e.g. the
    nominee withdrew consent)."""
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    reviewer = actor.access.can("points.review_nominations", nomination.area_id)
    own = nomination.nominated_by_id == actor.pk and nomination.status == NominationStatus.SUBMITTED
    if not (reviewer or own):
        raise PermissionDenied
    _move(nomination, NominationStatus.WITHDRAWN)
    nomination.status = NominationStatus.WITHDRAWN
    nomination.review_note = (reason or "").strip()[:200] or nomination.review_note
    nomination.save(update_fields=["status", "review_note"])
    audit_record(
        actor=actor,
        action="points.nomination.withdraw",
        obj=nomination,
        ip=ip,
        changes={"reason": reason[:200]},
    )
    return nomination


@transaction.atomic
def ranking_choose(*, user, show: bool, name: str = "", ip: str | None = None) -> Account:
    """Opt in to (or out of) the ranking of earners in one's area, under a chosen name."""
    account = ledger.account_for_user(user)
    name = (name or "").strip() or idcodes.mask_name(user.name)
    if len(name) > 30:
        raise invalid({"name": [_("At most %(n)d characters.") % {"n": 30}]}, code="points.name_too_long")
    Account.objects.filter(pk=account.pk).update(in_ranking=bool(show), ranking_name=name if show else "")
    account.refresh_from_db(fields=["in_ranking", "ranking_name"])
    audit_record(
        actor=user,
        action="points.ranking.choose",
        obj=account,
        ip=ip,
        changes={"show": bool(show), "name": account.ranking_name},
    )
    return account

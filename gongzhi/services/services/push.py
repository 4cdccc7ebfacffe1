"""Push on demand (按需推送): when an offering — or, later, an activity — meets a standing need, the
people with that need hear about it in their notification centre (and on the outward channels).

A need about one person reaches that person's account; a need about a group ("elderly living
alone in 安象街社区") reaches every account whose person record carries the group's tag in the
need's area. Each (need, source) pair notifies once, whatever is edited later.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.areas.models import prefix_of, subtree_q
from gongzhi.audit.services import audit_record
from gongzhi.notifications.services import notify

from ..categories import label_of
from ..models import Need, NeedMatch, ServiceOffering, Subject, ancestor_codes

GROUP_RECIPIENTS_CAP = 5_000  # per need and source; larger groups are reached by their community


def recipients_of(need: Need) -> list[User]:
    if need.subject == Subject.PERSON:
        return list(User.objects.filter(person_id=need.person_id, is_active=True))
    return list(
        User.objects.filter(
            subtree_q("person__area_id", prefix_of(need.area_id)),
            is_active=True,
            person__tags__tag=need.group_tag,
        ).distinct()[:GROUP_RECIPIENTS_CAP]
    )


@transaction.atomic
def push_on_demand(*, category: str, area_code: str, title: str, url: str, source, actor=None) -> int:
    """Notify the people whose open needs of ``category`` lie in ``area_code`` (or below it).

    Returns how many people were notified. Call it when something new is offered: a service
    list entry (here), an activity (the volunteering app).
    """
    needs = (
        Need.objects.open()
        .filter(subtree_q("area_id", prefix_of(area_code)), category=category)
        .select_related("area")
    )
    source_type, source_id = source._meta.label_lower, str(source.pk)
    offering = source if isinstance(source, ServiceOffering) else None
    total = 0
    for need in needs:
        try:
            with transaction.atomic():
                match = NeedMatch.objects.create(
                    need=need,
                    offering=offering,
                    source_type=source_type,
                    source_id=source_id,
                    title=title[:120],
                )
        except IntegrityError:
            continue  # this need has already heard about this source
        users = recipients_of(need)
        notify(
            users=users,
            kind="need.matched",
            title=_("New for you: %(title)s") % {"title": title},
            body=_("A service matching your need “%(need)s” (%(category)s) is now offered.")
            % {"need": need.title, "category": label_of(category)},
            url=url,
            source=source,
        )
        NeedMatch.objects.filter(pk=match.pk).update(notified=len(users))
        total += len(users)
    audit_record(
        actor=actor,
        action="need.push",
        object_type=source_type,
        object_id=source_id,
        area_code=area_code,
        changes={"category": category, "notified": total},
    )
    return total


def push_offering(*, offering: ServiceOffering, actor=None) -> int:
    return push_on_demand(
        category=offering.category,
        area_code=offering.area_id,
        title=offering.title,
        url=reverse("services:order", query={"offering": offering.pk}),
        source=offering,
        actor=actor,
    )


def need_match_existing(*, need: Need) -> int:
    """A new need meets the offerings already listed for it: tell its people once per offering."""
    offerings = ServiceOffering.objects.filter(
        is_active=True, category=need.category, area_id__in=ancestor_codes(need.area_id)
    )
    total = 0
    for offering in offerings[:20]:
        try:
            with transaction.atomic():
                match = NeedMatch.objects.create(
                    need=need,
                    offering=offering,
                    source_type="services.serviceoffering",
                    source_id=str(offering.pk),
                    title=offering.title,
                )
        except IntegrityError:
            continue
        users = recipients_of(need)
        notify(
            users=users,
            kind="need.matched",
            title=_("New for you: %(title)s") % {"title": offering.title},
            body=_("A service matching your need “%(need)s” (%(category)s) is offered.")
            % {"need": need.title, "category": label_of(need.category)},
            url=reverse("services:order", query={"offering": offering.pk}),
            source=offering,
        )
        NeedMatch.objects.filter(pk=match.pk).update(notified=len(users))
        total += len(users)
    return total

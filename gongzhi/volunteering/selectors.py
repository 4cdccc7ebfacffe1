"""Every read of the volunteering app, starting from what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import numpy as np
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from gongzhi.areas.models import Area, prefix_of, subtree_q
from gongzhi.areas.scoping import get_visible_or_404
from gongzhi.lib import matching
from gongzhi.people.models import Person

from .models import (
    Activity,
    Certificate,
    Pairing,
    PairType,
    Participation,
    SignUp,
    SignUpStatus,
    Visit,
    VisitPhoto,
    Volunteer,
    VolunteerRecord,
)


def volunteer_of(user) -> Volunteer | None:
    return Volunteer.objects.select_related("team", "area").filter(user=user).first()


def registration_areas(user) -> QuerySet[Area]:
    """Communities a resident may register in: those of their own county, else all."""
    from gongzhi.areas.models import Level

    qs = Area.objects.filter(level=Level.VILLAGE).order_by("code")
    home = user.access.home_area()
    return qs.filter(code__startswith=home.code[:6]) if home is not None else qs


def volunteer_list(*, viewer, q: str = "") -> QuerySet[Volunteer]:
    qs = Volunteer.objects.visible_to(viewer).select_related("team", "area").order_by("number")
    if q.strip():
        qs = qs.filter(Q(name__startswith=q.strip()) | Q(number=q.strip().upper()))
    return qs


def volunteer_get(*, viewer, pk) -> Volunteer:
    return get_visible_or_404(Volunteer.objects.select_related("team", "area"), viewer, pk=pk)


BOARD_SCOPES = {"community": 12, "town": 9, "city": 6}  # significant digits of the viewer's area


def viewer_area_code(user) -> str | None:
    """The area a volunteer's board starts from: their volunteer record, else their home area."""
    volunteer = volunteer_of(user) if user.is_authenticated else None
    if volunteer is not None:
        return volunteer.area_id
    home = user.access.home_area() if user.is_authenticated else None
    return home.code if home is not None else None


def open_activities(
    *,
    now: datetime | None = None,
    area_code: str | None = None,
    scope: str = "city",
    category: str = "",
    target: str = "",
) -> QuerySet[Activity]:
    """Activities a volunteer may still join: public notices.

    With ``area_code`` the board lists the viewer's own community first, then their town, then
    the rest of the (county-level) city; ``scope`` narrows it to one of those rings, and
    ``category`` and ``target`` (a target group) filter further.
    """
    from django.db.models import Case, IntegerField, Value, When

    now = now or timezone.now()
    qs = Activity.objects.filter(ends_at__gt=now)
    order = ["starts_at", "pk"]
    if area_code:
        if scope in BOARD_SCOPES:
            qs = qs.filter(subtree_q("area_id", area_code[: BOARD_SCOPES[scope]]))
        qs = qs.annotate(
            nearness=Case(
                When(subtree_q("area_id", area_code[:12]), then=Value(0)),
                When(subtree_q("area_id", area_code[:9]), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        order = ["nearness", *order]
    if category:
        qs = qs.filter(category=category)
    if target:
        qs = qs.filter(target_groups__contains=f",{target},")
    return (
        qs.select_related("area", "team", "station")
        .annotate(confirmed=Count("signups", filter=Q(signups__status=SignUpStatus.CONFIRMED)))
        .order_by(*order)
    )


def activity_public_get(pk) -> Activity:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Activity.objects.select_related("area", "team", "station"), pk=pk)


def activity_list(*, viewer) -> QuerySet[Activity]:
    return (
        Activity.objects.visible_to(viewer, "volunteering.manage")
        .select_related("area", "team")
        .annotate(
            confirmed=Count("signups", filter=Q(signups__status=SignUpStatus.CONFIRMED)),
            waiting=Count("signups", filter=Q(signups__status=SignUpStatus.WAITING)),
        )
        .order_by("-starts_at", "-id")
    )


def activity_get(*, viewer, pk) -> Activity:
    return get_visible_or_404(
        Activity.objects.select_related("area", "team", "station"), viewer, "volunteering.manage", pk=pk
    )


def activity_signups(activity: Activity) -> QuerySet[SignUp]:
    return activity.signups.exclude(status=SignUpStatus.CANCELLED).select_related("volunteer", "approved_by")


def signup_get(*, viewer, pk) -> SignUp:
    return get_visible_or_404(
        SignUp.objects.select_related("activity", "volunteer"), viewer, "volunteering.manage", pk=pk
    )


def my_signups(*, user) -> QuerySet[SignUp]:
    return (
        SignUp.objects.filter(volunteer__user=user)
        .exclude(status=SignUpStatus.CANCELLED)
        .select_related("activity")
        .order_by("-activity__starts_at")
    )


def my_signup_for(*, user, activity: Activity) -> SignUp | None:
    return my_signups(user=user).filter(activity=activity).first()


def my_participation_for(*, user, activity: Activity) -> Participation | None:
    return Participation.objects.filter(activity=activity, user=user, cancelled_at__isnull=True).first()


def participants_count(activity: Activity) -> int:
    return activity.participations.filter(cancelled_at__isnull=True).count()


@dataclass(frozen=True)
class HoursSummary:
    approved_hours: Decimal
    pending: int
    activities: int
    points: int


def hours_summary(volunteer: Volunteer) -> HoursSummary:
    approved = SignUp.objects.filter(volunteer=volunteer, approved_at__isnull=False)
    agg = approved.aggregate(h=Sum("hours"), p=Sum("points"), n=Count("pk"))
    pending = SignUp.objects.filter(
        volunteer=volunteer, checked_out_at__isnull=False, approved_at__isnull=True
    )
    return HoursSummary(agg["h"] or Decimal("0"), pending.count(), agg["n"] or 0, agg["p"] or 0)


def my_records(*, user) -> QuerySet[VolunteerRecord]:
    return VolunteerRecord.objects.filter(volunteer__user=user)


def volunteer_records(*, viewer, volunteer: Volunteer) -> QuerySet[VolunteerRecord]:
    return VolunteerRecord.objects.visible_to(viewer).filter(volunteer=volunteer)


def my_carried_hours(volunteer: Volunteer) -> Decimal:
    """Approved hours not yet paid as a whole hour: they count toward the next one."""
    total = hours_summary(volunteer).approved_hours
    return total - int(total)


def my_certificates(*, user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(volunteer__user=user).order_by("-issued_on", "-pk")


def certificate_get(*, viewer, pk) -> Certificate:
    return get_visible_or_404(Certificate.objects.select_related("volunteer"), viewer, pk=pk)


# ---------------------------------------------------------------- pairings


def pairing_list(*, viewer, pair_type: PairType | None = None) -> QuerySet[Pairing]:
    qs = (
        Pairing.objects.visible_to(viewer, "volunteering.pair")
        .filter(ended_on__isnull=True)
        .select_related("pair_type", "volunteer", "person", "person__area")
        .annotate(last_visit=Max("visits__date"))
        .order_by("person__area_id", "person__name")
    )
    if pair_type is not None:
        qs = qs.filter(pair_type=pair_type)
    return qs


def my_pairings(*, user) -> QuerySet[Pairing]:
    return (
        Pairing.objects.filter(volunteer__user=user, ended_on__isnull=True)
        .select_related("pair_type", "person")
        .annotate(last_visit=Max("visits__date"))
    )


def pairing_get(*, viewer, pk) -> Pairing:
    qs = Pairing.objects.select_related("pair_type", "volunteer", "person")
    own = qs.filter(pk=pk, volunteer__user=viewer).first() if viewer.is_authenticated else None
    return own or get_visible_or_404(qs, viewer, "volunteering.pair", pk=pk)


def visit_photo_get(*, viewer, pk) -> VisitPhoto:
    """A visit photo, for whoever may open its pairing (the volunteer, or a worker of the area)."""
    from django.http import Http404

    photo = VisitPhoto.objects.select_related("visit").filter(pk=pk).first()
    if photo is None:
        raise Http404
    pairing_get(viewer=viewer, pk=photo.visit.pairing_id)
    return photo


def pairing_visits(pairing: Pairing) -> QuerySet[Visit]:
    return pairing.visits.select_related("ticket").prefetch_related("photos")[:50]


def is_overdue(pairing: Pairing, today: date) -> bool:
    since = pairing.last_visit or pairing.started_on
    return (today - since).days > pairing.pair_type.visit_every_days


def overdue_pairings(*, viewer, today: date | None = None) -> list[Pairing]:
    today = today or timezone.localdate()
    return [p for p in pairing_list(viewer=viewer) if is_overdue(p, today)]


@dataclass(frozen=True)
class CoverageRow:
    area: Area
    pair_type: PairType
    people: int
    paired: int
    on_schedule: int

    @property
    def share_paired(self) -> float:
        return self.paired / self.people if self.people else 0.0

    @property
    def share_on_schedule(self) -> float:
        return self.on_schedule / self.paired if self.paired else 0.0


def coverage(*, viewer, level: str, today: date | None = None) -> list[CoverageRow]:
    """Share of the people a pair type cares for who are paired, and visited on schedule, per area.

    ``level``: "village" groups by community (12-digit code), "town" by town/street (9 digits).
    """
    today = today or timezone.localdate()
    width = 12 if level == "village" else 9
    people = Person.objects.visible_to(viewer, "volunteering.pair")
    rows: list[CoverageRow] = []
    pairings = list(pairing_list(viewer=viewer))
    for pt in PairType.objects.order_by("code"):
        counts: dict[str, list[int]] = {}
        for code in people.filter(tags__tag=pt.person_tag).values_list("area_id", flat=True):
            counts.setdefault(code[:width], [0, 0, 0])[0] += 1
        for p in pairings:
            if p.pair_type_id != pt.pk:
                continue
            c = counts.setdefault(p.person.area_id[:width], [0, 0, 0])
            c[1] += 1
            c[2] += 0 if is_overdue(p, today) else 1
        names = {a.code[:width]: a for a in Area.objects.filter(code__in=[k.ljust(12, "0") for k in counts])}
        for key in sorted(counts):
            area = names.get(key)
            if area is not None:
                rows.append(CoverageRow(area, pt, *counts[key]))
    return rows


@dataclass(frozen=True)
class Suggestion:
    person: Person
    volunteer: Volunteer
    distance_m: float
    same_village: bool


@dataclass(frozen=True)
class Suggestions:
    pairs: list[Suggestion]
    unmatched: list[Person]  # no volunteer within reach or free capacity
    needs_consent: list[Person]  # children without an active guardian consent
    no_location: int
    proven_optimal: bool


def pairing_suggestions(
    *, viewer, pair_type: PairType, area_code: str, weights: matching.PairingWeights | None = None
) -> Suggestions:
    """Optimal pairs for the unpaired people of a pair type in an area (gongzhi.lib.matching)."""
    prefix = prefix_of(area_code)
    paired = Pairing.objects.filter(pair_type=pair_type, ended_on__isnull=True)
    candidates = (
        Person.objects.visible_to(viewer, "volunteering.pair")
        .filter(subtree_q("area_id", prefix), tags__tag=pair_type.person_tag)
        .exclude(pk__in=paired.values("person_id"))
        .prefetch_related("consents")
        .order_by("pk")
    )
    people, needs_consent, no_location = [], [], 0
    for person in candidates:
        if person.lat is None or person.lng is None:
            no_location += 1
        elif pair_type.needs_consent and not any(c.withdrawn_at is None for c in person.consents.all()):
            needs_consent.append(person)
        else:
            people.append(person)
    load = dict(
        Pairing.objects.filter(ended_on__isnull=True)
        .values("volunteer")
        .annotate(n=Count("pk"))
        .values_list("volunteer", "n")
    )
    volunteers = []
    for v in Volunteer.objects.filter(
        subtree_q("area_id", prefix), lat__isnull=False, lng__isnull=False
    ).order_by("pk"):
        free = v.pair_capacity - load.get(v.pk, 0)
        if free > 0:
            volunteers.append((v, free))
    if not people or not volunteers:
        return Suggestions([], people, needs_consent, no_location, True)
    problem = matching.pairing_problem(
        person_lat=[p.lat for p in people],
        person_lon=[p.lng for p in people],
        person_village=np.array([int(p.area_id[:12]) for p in people]),
        person_language=np.zeros(len(people), dtype=np.int64),
        volunteer_lat=[v.lat for v, _f in volunteers],
        volunteer_lon=[v.lng for v, _f in volunteers],
        volunteer_village=np.array([int(v.area_id[:12]) for v, _f in volunteers]),
        volunteer_languages=np.ones((len(volunteers), 1), dtype=bool),
        volunteer_capacity=[f for _v, f in volunteers],
        weights=weights,
    )
    result = matching.solve_optimal(problem)
    pairs, unmatched = [], []
    for i, person in enumerate(people):
        j = int(result.provider_of[i])
        if j < 0:
            unmatched.append(person)
            continue
        comps = problem.components(np.array([i]), np.array([j]))
        pairs.append(
            Suggestion(
                person, volunteers[j][0], float(comps["distance_m"][0]), bool(comps["same_village"][0])
            )
        )
    return Suggestions(pairs, unmatched, needs_consent, no_location, result.proven_optimal)


def pair_types() -> QuerySet[PairType]:
    return PairType.objects.order_by("code")


# ---------------------------------------------------------------- figures for town and city staff


@dataclass(frozen=True)
class FigureRow:
    area: Area
    category: str
    month: str  # YYYY-MM
    activities: int
    served: int  # person-times served (服务人次)
    volunteer_times: int  # approved attendances
    hours: Decimal

    @property
    def category_label(self) -> str:
        from .models import Category

        return str(dict(Category.choices).get(self.category, self.category))


def figures(*, viewer, level: str, year: int) -> list[FigureRow]:
    """Hours and person-times served per town (9 digits) or community (12), category and month,
    over the activities of the viewer's scope for ``volunteering.figures``, in one year."""
    from django.db.models.functions import TruncMonth

    width = 9 if level == "town" else 12
    tz = timezone.get_current_timezone()
    activities = Activity.objects.visible_to(viewer, "volunteering.figures").filter(starts_at__year=year)
    rows: dict[tuple[str, str, str], list] = {}
    for r in (
        activities.annotate(month=TruncMonth("starts_at", tzinfo=tz))
        .values("area_id", "category", "month")
        .annotate(n=Count("pk"), served=Sum("served"))
        .order_by()
    ):
        key = (r["area_id"][:width], r["category"], r["month"].strftime("%Y-%m"))
        row = rows.setdefault(key, [0, 0, 0, Decimal("0")])
        row[0] += r["n"]
        row[1] += r["served"] or 0
    for r in (
        SignUp.objects.filter(activity__in=activities, approved_at__isnull=False)
        .annotate(month=TruncMonth("activity__starts_at", tzinfo=tz))
        .values("activity__area_id", "activity__category", "month")
        .annotate(n=Count("pk"), hours=Sum("hours"))
        .order_by()
    ):
        key = (r["activity__area_id"][:width], r["activity__category"], r["month"].strftime("%Y-%m"))
        row = rows.setdefault(key, [0, 0, 0, Decimal("0")])
        row[2] += r["n"]
        row[3] += r["hours"] or Decimal("0")
    names = {a.code[:width]: a for a in Area.objects.filter(code__in={k[0].ljust(12, "0") for k in rows})}
    return [FigureRow(names[k[0]], k[1], k[2], *rows[k]) for k in sorted(rows) if k[0] in names]

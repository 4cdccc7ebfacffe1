"""Reads of the rider registry, gates, scans and figures; every one starts from ``visible_to``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from gongzhi.areas.models import Area, Level, prefix_of, subtree_q
from gongzhi.areas.scoping import get_visible_or_404

from .conf import setting
from .models import (
    AccessEvent,
    Gate,
    GateDay,
    InsurancePolicy,
    PassRecord,
    Rider,
    RiderDocument,
    RiderFriendlyCommunity,
    RiderStatus,
)


def _under(qs, area_code: str, column: str = "area_id"):
    try:
        return qs.filter(subtree_q(column, prefix_of(area_code)))
    except Exception:  # noqa: BLE001 - a malformed filter code matches nothing
        return qs.none()


def rider_of(user) -> Rider | None:
    """The signed-in user's own rider record, if any."""
    if user is None or not user.is_authenticated:
        return None
    return Rider.objects.select_related("platform", "area", "user").filter(user_id=user.pk).first()


def rider_list(
    *, viewer, status: str = "", platform: str = "", q: str = "", area_code: str = ""
) -> QuerySet[Rider]:
    qs = Rider.objects.visible_to(viewer).select_related("user", "platform", "area")
    today = timezone.localdate()
    qs = qs.annotate(
        insured=Exists(
            InsurancePolicy.objects.filter(rider=OuterRef("pk"), starts_on__lte=today, ends_on__gte=today)
        )
    )
    if status:
        qs = qs.filter(status=status)
    if platform:
        qs = qs.filter(platform__code=platform)
    if area_code:
        qs = _under(qs, area_code)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(user__name__startswith=q[:50]) | Q(plate__startswith="".join(q.split()).upper()[:20])
        )
    return qs.order_by("area_id", "-created_at", "id")


def rider_get(*, viewer, pk) -> Rider:
    return get_visible_or_404(
        Rider.objects.select_related("user", "platform", "area", "verified_by"), viewer, pk=pk
    )


def rider_documents(*, viewer, rider: Rider) -> QuerySet[RiderDocument]:
    return RiderDocument.objects.visible_to(viewer).filter(rider=rider)


def document_get(*, viewer, pk) -> RiderDocument:
    return get_visible_or_404(RiderDocument.objects.select_related("rider"), viewer, pk=pk)


def rider_passes(*, viewer, rider: Rider) -> QuerySet[PassRecord]:
    return PassRecord.objects.visible_to(viewer).filter(rider=rider).select_related("signing_key")


def policies_of(rider: Rider) -> QuerySet[InsurancePolicy]:
    """A rider's policies: the caller already holds the rider through a scoped read."""
    return InsurancePolicy.objects.filter(rider=rider).order_by("-ends_on")


def insurance_status(rider: Rider, today: date | None = None) -> dict:
    """{"insured": bool, "ends_on": date|None, "ending_soon": bool} for the rider's best policy."""
    today = today or timezone.localdate()
    best = policies_of(rider).filter(starts_on__lte=today, ends_on__gte=today).order_by("-ends_on").first()
    horizon = today + timedelta(days=int(setting("INSURANCE_REMINDER_DAYS")))
    return {
        "insured": best is not None,
        "ends_on": best.ends_on if best else None,
        "ending_soon": best is not None and best.ends_on <= horizon,
    }


def own_events(*, user, limit: int = 20) -> QuerySet[AccessEvent]:
    """A rider's own gate scans (their own location data, which they may always see)."""
    return AccessEvent.objects.filter(rider__user_id=user.pk).select_related("gate", "area")[:limit]


def communities_in_scope(*, viewer, permission: str = "passes.gates.view") -> QuerySet[Area]:
    """Communities whose rider-friendly settings and gates the viewer may see or manage."""
    scope = viewer.access.scope(permission)
    qs = Area.objects.filter(level=Level.VILLAGE)
    if scope.empty:
        return qs.none()
    if not scope.everything:
        qs = qs.filter(scope.q("code", None, None))
    return qs.order_by("code")


def rider_home_areas(user) -> QuerySet[Area]:
    """Communities where the user holds a role that may hold a pass: where they register."""
    from gongzhi.accounts.roles import roles_with

    holders = roles_with("passes.own")
    codes = [m.area_id for m in user.access.memberships if m.role in holders]
    return Area.objects.filter(code__in=codes, level=Level.VILLAGE).order_by("code")


def community_settings(area: Area) -> RiderFriendlyCommunity | None:
    return RiderFriendlyCommunity.objects.filter(area=area).first()


def friendly_communities(*, near: str = "", only_honouring: bool = True) -> QuerySet[RiderFriendlyCommunity]:
    """Rider-friendly communities and their services: public facts for riders, not personal data."""
    qs = RiderFriendlyCommunity.objects.select_related("area")
    if only_honouring:
        qs = qs.filter(honours_pass=True)
    if near:
        qs = _under(qs, near[:6] + "000000")
    return qs.order_by("area_id")


def community_rows(*, viewer) -> list[dict]:
    """The communities of the community page: those with rider-friendly settings or gates in the
    viewer's scope, and those the viewer manages (so they can start them)."""
    areas = communities_in_scope(viewer=viewer)
    manage = set(
        communities_in_scope(viewer=viewer, permission="passes.communities.manage").values_list(
            "code", flat=True
        )
    )
    settings_by_area = {
        c.area_id: c for c in RiderFriendlyCommunity.objects.filter(area__in=areas).select_related("area")
    }
    gates: dict[str, list[Gate]] = {}
    for gate in gate_list(viewer=viewer):
        gates.setdefault(gate.area_id, []).append(gate)
    wanted = set(settings_by_area) | set(gates) | manage
    return [
        {
            "area": a,
            "settings": settings_by_area.get(a.code),
            "gates": gates.get(a.code, []),
            "can_manage": a.code in manage,
        }
        for a in areas.filter(code__in=sorted(wanted))
    ]


def gate_list(*, viewer, area_code: str = "") -> QuerySet[Gate]:
    qs = Gate.objects.visible_to(viewer).select_related("area").prefetch_related("guards")
    if area_code:
        qs = _under(qs, area_code)
    return qs.order_by("area_id", "name")


def gate_get(*, viewer, pk, permission: str | None = None) -> Gate:
    return get_visible_or_404(Gate.objects.select_related("area"), viewer, permission, pk=pk)


def gates_of_guard(user) -> QuerySet[Gate]:
    """The gates a guard is posted at, inside the area where they hold the guard role."""
    if user is None or not user.is_authenticated or not user.access.has("passes.scan"):
        return Gate.objects.none()
    return (
        Gate.objects.visible_to(user, "passes.scan")
        .filter(guards=user, active=True)
        .select_related("area")
        .order_by("area_id", "name")
    )


def event_list(*, viewer, gate_id: int | None = None, ok: bool | None = None, area_code: str = ""):
    qs = AccessEvent.objects.visible_to(viewer).select_related(
        "gate", "area", "rider__user", "rider__platform"
    )
    if gate_id:
        qs = qs.filter(gate_id=gate_id)
    if ok is not None:
        qs = qs.filter(ok=ok)
    if area_code:
        qs = _under(qs, area_code)
    return qs.order_by("-at", "-id")


# ---------------------------------------------------------------------------------------------
# Figures


@dataclass
class Figures:
    start: date
    end: date
    minutes_per_scan: int
    scans: int = 0
    admitted: int = 0
    refused: int = 0
    riders_served: int = 0
    minutes_saved: int = 0
    riders_registered: int = 0
    riders_verified: int = 0
    riders_insured: int = 0
    communities_honouring: int = 0
    gates: int = 0
    per_gate_day: list[dict] = field(default_factory=list)
    per_gate: list[dict] = field(default_factory=list)
    refusals: dict[str, int] = field(default_factory=dict)

    @property
    def hours_saved(self) -> float:
        return round(self.minutes_saved / 60, 1)


def figures(*, viewer, start: date, end: date, area_code: str = "") -> Figures:
    """Scans per gate and day, riders served, time saved and riders insured, in the viewer's scope.

    Scans older than the retention period survive only as anonymous daily counts (``GateDay``);
    for those days "riders served" adds up each day's distinct riders.
    """
    perm = "passes.figures.view"
    tz = timezone.get_current_timezone()
    lo = datetime.combine(start, time.min, tzinfo=tz)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    minutes = int(setting("MINUTES_SAVED_PER_SCAN"))
    out = Figures(start=start, end=end, minutes_per_scan=minutes)

    events = AccessEvent.objects.visible_to(viewer, perm).filter(at__gte=lo, at__lt=hi)
    rolled = GateDay.objects.visible_to(viewer, perm).filter(day__gte=start, day__lte=end)
    riders = Rider.objects.visible_to(viewer, perm)
    communities = RiderFriendlyCommunity.objects.visible_to(viewer, perm)
    gates = Gate.objects.visible_to(viewer, perm)
    if area_code:
        events, rolled, riders, communities, gates = (
            _under(qs, area_code) for qs in (events, rolled, riders, communities, gates)
        )

    rows: dict[tuple[int, date], dict] = {}
    live = (
        events.annotate(day=TruncDate("at", tzinfo=tz))
        .values("gate_id", "gate__name", "area__name", "day")
        .annotate(
            scans=Count("id"),
            admitted=Count("id", filter=Q(ok=True)),
            riders=Count("rider", filter=Q(ok=True), distinct=True),
        )
    )
    for row in live:
        rows[(row["gate_id"], row["day"])] = {
            "gate_id": row["gate_id"],
            "gate": row["gate__name"],
            "community": row["area__name"],
            "day": row["day"],
            "scans": row["scans"],
            "admitted": row["admitted"],
            "riders": row["riders"],
        }
    for day_row in rolled.select_related("gate", "area"):
        r = rows.setdefault(
            (day_row.gate_id, day_row.day),
            {
                "gate_id": day_row.gate_id,
                "gate": day_row.gate.name,
                "community": day_row.area.name,
                "day": day_row.day,
                "scans": 0,
                "admitted": 0,
                "riders": 0,
            },
        )
        r["scans"] += day_row.scans
        r["admitted"] += day_row.admitted
        r["riders"] += day_row.riders
    out.per_gate_day = sorted(
        rows.values(), key=lambda r: (r["day"], r["community"], r["gate"]), reverse=True
    )

    per_gate: dict[int, dict] = {}
    for r in out.per_gate_day:
        g = per_gate.setdefault(
            r["gate_id"],
            {
                "gate_id": r["gate_id"],
                "gate": r["gate"],
                "community": r["community"],
                "scans": 0,
                "admitted": 0,
            },
        )
        g["scans"] += r["scans"]
        g["admitted"] += r["admitted"]
    out.per_gate = sorted(per_gate.values(), key=lambda g: -g["scans"])

    out.scans = sum(r["scans"] for r in out.per_gate_day)
    out.admitted = sum(r["admitted"] for r in out.per_gate_day)
    out.refused = out.scans - out.admitted
    out.riders_served = events.filter(ok=True, rider__isnull=False).values("rider").distinct().count() + (
        rolled.aggregate(n=Sum("riders"))["n"] or 0
    )
    out.minutes_saved = out.admitted * minutes
    out.refusals = dict(
        events.filter(ok=False)
        .values_list("reason")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("reason", "n")
    )
    today = timezone.localdate()
    out.riders_registered = riders.count()
    out.riders_verified = riders.filter(status=RiderStatus.VERIFIED).count()
    out.riders_insured = (
        riders.filter(policies__starts_on__lte=today, policies__ends_on__gte=today).distinct().count()
    )
    out.communities_honouring = communities.filter(honours_pass=True).count()
    out.gates = gates.filter(active=True).count()
    return out

"""Reads of the points app. Staff reads start from ``visible_to(viewer)``; a person's own reads
start from their own account; public reads (the honour roll) show only what was published."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from gongzhi.areas.models import Area, prefix_of, subtree_q
from gongzhi.areas.scoping import get_visible_or_404
from gongzhi.directory.models import Organisation, OrgKind

from .models import (
    Account,
    AccountKind,
    Award,
    Budget,
    EarningRule,
    Merchant,
    Nomination,
    ShopItem,
    ShopOrder,
    Transfer,
    TransferKind,
)
from .services import ledger, redemption
from .services.earning import area_chain


def _subtree(qs, field: str, area_code: str):
    """Narrow to an area's subtree; a malformed code matches nothing."""
    if not area_code:
        return qs
    try:
        return qs.filter(subtree_q(field, prefix_of(area_code)))
    except Exception:  # noqa: BLE001 - a filter typed by hand may be anything
        return qs.none()


def user_by_mobile(mobile: str):
    """The account holding a mobile number, found through its blind index (never in clear)."""
    from gongzhi.accounts.models import User

    try:
        return User.objects.get_by_natural_key(mobile)
    except User.DoesNotExist:
        return None


def is_reversed(transfer: Transfer) -> bool:
    return Transfer.objects.filter(reverses=transfer).exists()


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


# --- a person's own -----------------------------------------------------------------------------


def my_account(*, viewer) -> Account | None:
    return ledger.account_for_user(viewer, create=False)


def my_transfers(*, viewer) -> QuerySet[Transfer]:
    account = my_account(viewer=viewer)
    if account is None:
        return Transfer.objects.none()
    return Transfer.objects.of_account(account.pk).select_related("debit", "credit").order_by("-id")


def receipt_get(*, viewer, pk) -> Transfer:
    """A transfer seen by one of its parties (the person, the merchant's operators) or by staff."""
    try:
        transfer = Transfer.objects.select_related("debit", "credit", "reverses", "created_by").get(
            pk=int(pk)
        )
    except (Transfer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if viewer.pk and viewer.pk in (transfer.debit.user_id, transfer.credit.user_id):
        return transfer
    org_ids = {m.organisation_id for m in viewer.access.memberships if m.organisation_id}
    if org_ids & {transfer.debit.organisation_id, transfer.credit.organisation_id} - {None}:
        return transfer
    return get_visible_or_404(
        Transfer.objects.select_related("debit", "credit", "reverses"), viewer, pk=transfer.pk
    )


# --- the ledger, for staff ----------------------------------------------------------------------


def account_list(*, viewer, kind: str = "", q: str = "", area_code: str = "") -> QuerySet[Account]:
    qs = Account.objects.visible_to(viewer).select_related("area")
    if kind:
        qs = qs.filter(kind=kind)
    q = (q or "").strip()
    if q:
        cond = Q(name__startswith=q[:50])
        if q.isdigit() and len(q) <= 12:
            cond |= Q(pk=int(q))
        qs = qs.filter(cond)
    return _subtree(qs, "area_id", area_code).order_by("kind", "-balance", "id")


def account_get(*, viewer, pk) -> Account:
    return get_visible_or_404(
        Account.objects.select_related("area", "user", "organisation", "budget"), viewer, pk=pk
    )


def transfer_list(
    *,
    viewer,
    kind: str = "",
    account_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    area_code: str = "",
) -> QuerySet[Transfer]:
    qs = Transfer.objects.visible_to(viewer).select_related("debit", "credit")
    if kind:
        qs = qs.filter(kind=kind)
    if account_id:
        qs = qs.of_account(account_id)
    if since:
        qs = qs.filter(created_at__gte=_midnight(since))
    if until:
        qs = qs.filter(created_at__lt=_midnight(until + timedelta(days=1)))
    if area_code:
        try:
            prefix = prefix_of(area_code)
        except Exception:  # noqa: BLE001
            return qs.none()
        qs = qs.filter(subtree_q("area_id", prefix) | subtree_q("counter_area_id", prefix))
    return qs.order_by("-id")


def transfer_get(*, viewer, pk) -> Transfer:
    return get_visible_or_404(
        Transfer.objects.select_related("debit", "credit", "reverses", "created_by", "area"), viewer, pk=pk
    )


def reversal_of(transfer: Transfer) -> Transfer | None:
    return Transfer.objects.filter(reverses=transfer).first()


def budget_shards(*, budget: Budget) -> list[Account]:
    return list(Account.objects.filter(budget=budget, kind=AccountKind.ISSUANCE).order_by("shard"))


def budget_list(*, viewer) -> QuerySet[Budget]:
    return Budget.objects.visible_to(viewer).select_related("area").order_by("area_id", "name")


def budget_get(*, viewer, pk) -> Budget:
    return get_visible_or_404(Budget.objects.select_related("area"), viewer, pk=pk)


def budgets_for_rules(*, viewer, area: Area | None = None) -> QuerySet[Budget]:
    """Budgets the viewer may attach to a rule (their own areas and, read-only, those above)."""
    qs = Budget.objects.visible_to(viewer, "points.manage_rules")
    if area is not None:
        qs = Budget.objects.filter(Q(pk__in=qs.values("pk")) | Q(area_id__in=area_chain(area.code)))
    return qs.select_related("area").filter(active=True).order_by("area_id", "name")


def rule_list(*, viewer) -> QuerySet[EarningRule]:
    return EarningRule.objects.visible_to(viewer).select_related("area", "budget").order_by("code", "area_id")


def rule_get(*, viewer, pk) -> EarningRule:
    return get_visible_or_404(
        EarningRule.objects.select_related("area", "budget", "budget__area"), viewer, pk=pk
    )


def rules_applicable(*, area_code: str) -> list[EarningRule]:
    """The rules in force where a person lives: for each code, the most specific active rule."""
    chain = area_chain(area_code)
    rules = EarningRule.objects.filter(active=True, area_id__in=chain).select_related("area")
    best: dict[str, EarningRule] = {}
    for rule in sorted(rules, key=lambda r: chain.index(r.area_id), reverse=True):
        best[rule.code] = rule
    return sorted(best.values(), key=lambda r: (-r.points, r.code))


def rule_active(*, pk) -> EarningRule | None:
    """An active rule by id, for a manual award (the service checks it applies to the person)."""
    try:
        return EarningRule.objects.select_related("area", "budget").filter(pk=int(pk), active=True).first()
    except (ValueError, TypeError):
        return None


def rules_for_awarding(*, viewer) -> QuerySet[EarningRule]:
    """Active rules that apply somewhere in the viewer's areas (for a manual award)."""
    scope = viewer.access.scope("points.award")
    if scope.empty:
        return EarningRule.objects.none()
    codes: set[str] = set()
    for prefix in scope.subtrees | scope.exact:
        codes.update(area_chain(prefix.ljust(12, "0")))
    qs = EarningRule.objects.filter(active=True).select_related("area")
    if not scope.everything:
        qs = qs.filter(Q(area_id__in=codes) | scope.q("area_id", None, viewer))
    return qs.order_by("code", "area_id")


def collectives_for_awarding(*, viewer) -> QuerySet[Organisation]:
    """Organisations (not merchants) in the viewer's areas that may be rewarded as a whole."""
    return (
        Organisation.objects.visible_to(viewer, "points.award")
        .filter(is_active=True)
        .exclude(kind=OrgKind.MERCHANT)
        .select_related("area")
        .order_by("area_id", "name")
    )


def award_list(*, viewer, status: str = "") -> QuerySet[Award]:
    qs = Award.objects.visible_to(viewer).select_related("account", "rule", "area")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def award_get(*, viewer, pk) -> Award:
    return get_visible_or_404(Award.objects.select_related("account", "rule", "rule__budget"), viewer, pk=pk)


# --- merchants ----------------------------------------------------------------------------------


def merchant_list(*, viewer, q: str = "") -> QuerySet[Merchant]:
    qs = Merchant.objects.visible_to(viewer).select_related("organisation", "area")
    q = (q or "").strip()
    if q:
        qs = qs.filter(organisation__name__contains=q[:50])
    return qs.order_by("area_id", "id")


def merchant_get(*, viewer, pk) -> Merchant:
    return get_visible_or_404(Merchant.objects.select_related("organisation", "area"), viewer, pk=pk)


def merchant_for_operator(*, viewer, pk) -> Merchant:
    """A merchant the viewer operates (its terminal), or 404."""
    for merchant in redemption.merchants_operated_by(viewer):
        if str(merchant.pk) == str(pk):
            return merchant
    raise Http404


def operators_of(*, merchant: Merchant) -> list:
    """The users who work the merchant's till (merchant role for its organisation)."""
    from gongzhi.accounts.models import Membership

    memberships = Membership.objects.active().filter(
        role="merchant", organisation_id=merchant.organisation_id
    )
    return [m.user for m in memberships.select_related("user").order_by("user_id")]


def merchants_enrolable(*, viewer) -> QuerySet[Organisation]:
    return (
        Organisation.objects.visible_to(viewer, "points.manage_merchants")
        .filter(kind=OrgKind.MERCHANT, is_active=True, points_merchant__isnull=True)
        .select_related("area")
        .order_by("area_id", "name")
    )


def merchants_near(*, account: Account, limit: int = 50) -> list[Merchant]:
    """Merchants in the scheme that take this person's points, their own community first."""
    scheme = ledger.scheme_code(account.area_id)
    qs = (
        Merchant.objects.active()
        .filter(subtree_q("area_id", prefix_of(scheme)))
        .select_related("organisation", "area")
    )
    return sorted(
        qs[:500], key=lambda m: (m.area_id != account.area_id, m.area_id[:9] != account.area_id[:9], m.pk)
    )[:limit]


def settlements_of(*, merchant: Merchant, limit: int = 24) -> list:
    return list(merchant.settlements.select_related("transfer").order_by("-period")[:limit])


def terminal_receipts(*, merchant: Merchant, limit: int = 20) -> list[Transfer]:
    account = redemption.merchant_account(merchant)
    return list(
        Transfer.objects.filter(
            Q(credit=account, kind=TransferKind.PAYMENT) | Q(debit=account, kind=TransferKind.REVERSAL)
        )
        .select_related("debit", "credit", "reverses")
        .order_by("-id")[:limit]
    )


# --- the shop -----------------------------------------------------------------------------------


def shop_items_for(*, viewer) -> list[ShopItem]:
    """Goods on sale in the viewer's scheme: their own community's shop first."""
    account = my_account(viewer=viewer)
    home = account.area_id if account else ledger.home_area_code(viewer)
    if not home:
        return []
    scheme = ledger.scheme_code(home)
    qs = ShopItem.objects.on_sale().filter(subtree_q("area_id", prefix_of(scheme))).select_related("area")
    return sorted(qs[:500], key=lambda i: (i.area_id != home, i.area_id[:9] != home[:9], i.price, i.pk))


def shop_item_public_get(*, viewer, pk) -> ShopItem:
    for item in shop_items_for(viewer=viewer):
        if str(item.pk) == str(pk):
            return item
    raise Http404


def shop_item_list(*, viewer) -> QuerySet[ShopItem]:
    return ShopItem.objects.visible_to(viewer).select_related("area").order_by("area_id", "-active", "name")


def shop_item_get(*, viewer, pk) -> ShopItem:
    return get_visible_or_404(ShopItem.objects.select_related("area"), viewer, pk=pk)


def my_orders(*, viewer) -> QuerySet[ShopOrder]:
    account = my_account(viewer=viewer)
    if account is None:
        return ShopOrder.objects.none()
    return ShopOrder.objects.filter(account=account).select_related("item", "item__area").order_by("-id")


def my_order_get(*, viewer, pk) -> ShopOrder:
    try:
        return my_orders(viewer=viewer).get(pk=int(pk))
    except (ShopOrder.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def shop_order_list(*, viewer, status: str = "") -> QuerySet[ShopOrder]:
    qs = ShopOrder.objects.visible_to(viewer).select_related("item", "account")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def shop_order_get(*, viewer, pk) -> ShopOrder:
    return get_visible_or_404(ShopOrder.objects.select_related("item", "account"), viewer, pk=pk)


# --- the honour roll ----------------------------------------------------------------------------


def nomination_list(*, viewer, status: str = "") -> QuerySet[Nomination]:
    qs = Nomination.objects.visible_to(viewer).select_related("area", "nominated_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def nomination_get(*, viewer, pk) -> Nomination:
    return get_visible_or_404(
        Nomination.objects.select_related("area", "nominated_by", "reviewed_by"), viewer, pk=pk
    )


def my_nominations(*, viewer) -> QuerySet[Nomination]:
    return Nomination.objects.filter(nominated_by=viewer).order_by("-id")


def nomination_areas(*, viewer) -> QuerySet[Area]:
    """Communities a nominator may name: those a reviewer serves, or else their own."""
    from gongzhi.areas.models import Level
    from gongzhi.areas.selectors import areas_for_permission

    areas = areas_for_permission(
        viewer=viewer, permission="points.review_nominations", levels=(Level.VILLAGE,)
    )
    if areas.exists():
        return areas
    home = ledger.home_area_code(viewer)
    return Area.objects.filter(code=home) if home else Area.objects.none()


def expiry_notice_count(*, year: int) -> int:
    from .models import ExpiryNotice

    return ExpiryNotice.objects.filter(year=year).count()


def honour_roll(*, area_code: str = "", kind: str = "") -> QuerySet[Nomination]:
    """Published nominations, newest first: public, no sign-in needed."""
    qs = Nomination.objects.published().select_related("area")
    if kind:
        qs = qs.filter(nominee_kind=kind)
    return _subtree(qs, "area_id", area_code).order_by("-published_at", "-id")


def honour_get(*, pk) -> Nomination:
    try:
        return Nomination.objects.published().select_related("area").get(pk=int(pk))
    except (Nomination.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def honour_counts() -> dict[str, int]:
    rows = Nomination.objects.published().values("nominee_kind").annotate(n=Count("id"))
    return {r["nominee_kind"]: r["n"] for r in rows}


def ranking(*, area_code: str, year: int | None = None, limit: int = 20) -> list[dict]:
    """Top earners of the year in an area among those who opted in, under their chosen names."""
    year = year or timezone.localdate().year
    if not area_code:
        return []
    qs = Transfer.objects.filter(
        kind=TransferKind.AWARD,
        reversal__isnull=True,
        credit__kind=AccountKind.PERSON,
        credit__in_ranking=True,
        created_at__year=year,
    )
    qs = _subtree(qs, "credit__area_id", area_code)
    rows = (
        qs.values("credit_id", "credit__ranking_name")
        .annotate(points=Sum("amount"))
        .order_by("-points", "credit_id")[:limit]
    )
    return [{"name": r["credit__ranking_name"], "points": r["points"]} for r in rows]


def ranking_areas() -> QuerySet[Area]:
    """Towns and communities that have at least one opted-in earner."""
    codes = set(Account.objects.filter(in_ranking=True).values_list("area_id", flat=True))
    wanted = codes | {c[:9] + "000" for c in codes}
    return Area.objects.filter(code__in=wanted).order_by("code")

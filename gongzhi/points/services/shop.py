"""The points shop (积分超市): goods with point prices and stock, reserved together with points.

Placing an order takes the stock and the points in one transaction, each by a conditional
UPDATE: ``stock = stock - q WHERE stock >= q`` and the ledger's floor-checked debit. Either both
happen or neither; stock never goes below zero (a CHECK constraint stands behind the update).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import Area
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import invalid
from gongzhi.lib import points as lib

from ..models import ORDER_TRANSITIONS, AccountKind, OrderStatus, ShopItem, ShopOrder, TransferKind
from . import ledger


def _texts(name: str, description: str, pickup: str) -> dict:
    errors: dict[str, list] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter a name.")]
    if errors:
        raise invalid(errors, code="points.item_invalid")
    return {
        "name": name[:80],
        "description": (description or "").strip()[:300],
        "pickup": (pickup or "").strip()[:120],
    }


def _limit(value) -> int:
    limit = ledger.amount_of(value, field="limit_per_order")
    if limit > 100:
        raise invalid({"limit_per_order": [_("At most 100 per order.")]}, code="points.item_invalid")
    return limit


@transaction.atomic
def shop_item_create(
    *,
    area: Area,
    name: str,
    price,
    stock,
    actor,
    description: str = "",
    limit_per_order=5,
    pickup: str = "",
    ip: str | None = None,
) -> ShopItem:
    if not actor.access.can("points.manage_shop", area.code):
        raise PermissionDenied
    fields = _texts(name, description, pickup)
    price = ledger.amount_of(price, field="price")
    stock = 0 if stock in (0, "0") else ledger.amount_of(stock, field="stock")
    item = ShopItem.objects.create(
        area=area,
        price=price,
        stock=stock,
        limit_per_order=_limit(limit_per_order),
        created_by=actor,
        **fields,
    )
    audit_record(
        actor=actor,
        action="points.shop.item_create",
        obj=item,
        ip=ip,
        changes={"name": item.name, "price": price, "stock": stock},
    )
    return item


@transaction.atomic
def shop_item_update(
    *,
    item: ShopItem,
    actor,
    name: str,
    price,
    description: str = "",
    limit_per_order=5,
    pickup: str = "",
    active: bool = True,
    ip: str | None = None,
) -> ShopItem:
    """Change an item's details. Stock changes go through ``shop_item_restock``, never a plain save."""
    if not actor.access.can("points.manage_shop", item.area_id):
        raise PermissionDenied
    fields = _texts(name, description, pickup)
    price = ledger.amount_of(price, field="price")
    limit = _limit(limit_per_order)
    ShopItem.objects.filter(pk=item.pk).update(
        price=price, limit_per_order=limit, active=bool(active), **fields
    )
    item.refresh_from_db()
    audit_record(
        actor=actor,
        action="points.shop.item_update",
        obj=item,
        ip=ip,
        changes={"name": item.name, "price": price, "active": item.active},
    )
    return item


@transaction.atomic
def shop_item_restock(*, item: ShopItem, change, actor, note: str = "", ip: str | None = None) -> ShopItem:
    """Add goods (positive) or write them off (negative); stock never falls below zero."""
    if not actor.access.can("points.manage_shop", item.area_id):
        raise PermissionDenied
    if isinstance(change, bool):
        raise invalid({"change": [_("Enter a whole number.")]}, code="points.invalid_number")
    try:
        sign = -1 if str(change).strip().startswith("-") else 1
        amount = ledger.amount_of(str(change).strip().lstrip("-+"), field="change")
    except ValidationError:
        raise invalid(
            {"change": [_("Enter how many to add (e.g. 20) or to write off (e.g. -3).")]},
            code="points.invalid_number",
        ) from None
    delta = sign * amount
    changed = ShopItem.objects.filter(pk=item.pk, stock__gte=-delta).update(stock=F("stock") + delta)
    if not changed:
        item.refresh_from_db(fields=["stock"])
        raise invalid(
            {
                "change": [
                    _("Only %(stock)d in stock: cannot write off more than that.") % {"stock": item.stock}
                ]
            },
            code="points.out_of_stock",
        )
    item.refresh_from_db(fields=["stock"])
    audit_record(
        actor=actor,
        action="points.shop.restock",
        obj=item,
        ip=ip,
        changes={"change": delta, "stock": item.stock, "note": note[:100]},
    )
    return item


class _OutOfStock(Exception):
    pass


@ledger.retrying
@transaction.atomic
def shop_order_place(*, item: ShopItem, buyer, quantity, key: str, ip: str | None = None) -> ShopOrder:
    """Reserve ``quantity`` of an item for the buyer and pay for it: stock and points, or neither."""
    quantity = ledger.amount_of(quantity, field="quantity")
    key = (key or "").strip()
    if not 8 <= len(key) <= 64:
        raise invalid(_("The request key is missing; reload the page."), code="points.no_key")
    account = ledger.account_for_user(buyer)
    full_key = f"shop:{account.pk}:{key}"
    fingerprint = lib.body_fingerprint({"item": item.pk, "quantity": quantity})
    earlier = ShopOrder.objects.filter(idempotency_key=full_key).select_related("transfer").first()
    if earlier is not None:
        if earlier.transfer.body_hash != fingerprint:
            raise ledger._conflict()
        return earlier
    if not item.active:
        raise invalid(_("This item is no longer on sale."), code="points.item_off_sale")
    if ledger.scheme_code(item.area_id) != ledger.scheme_code(account.area_id):
        raise invalid(
            _("This shop belongs to another points scheme; points are spent where they were earned."),
            code="points.shop_outside_scheme",
        )
    if quantity > item.limit_per_order:
        raise invalid(
            {"quantity": [_("At most %(n)d per order.") % {"n": item.limit_per_order}]},
            code="points.over_limit",
        )
    points = item.price * quantity
    audit_record(  # before any row is locked: audit chain, then stock and ledger rows (see earning._award)
        actor=buyer,
        action="points.shop.order",
        obj=item,
        ip=ip,
        changes={"item": item.pk, "quantity": quantity, "points": points, "key": key[:64]},
    )
    try:
        with transaction.atomic():
            if not ShopItem.objects.filter(pk=item.pk, active=True, stock__gte=quantity).update(
                stock=F("stock") - quantity
            ):
                raise _OutOfStock
            posted = ledger.post(
                kind=TransferKind.SHOP_ORDER,
                debit_id=account.pk,
                credit_id=ledger.system_account_id(AccountKind.REDEMPTION, item.area_id, full_key),
                amount=points,
                key=full_key,
                fingerprint=fingerprint,
                source_type="points.shop_item",
                source_id=str(item.pk),
                area_code=account.area_id,
                counter_area_code=item.area_id,
                actor=buyer,
                memo=f"{item.name} × {quantity}",
                check_replay=False,
            )
            if not posted.created:
                raise IntegrityError("concurrent twin")
            order = ShopOrder.objects.create(
                item=item,
                area_id=item.area_id,
                account=account,
                quantity=quantity,
                points=points,
                idempotency_key=full_key,
                transfer=posted.transfer,
            )
    except _OutOfStock:
        item.refresh_from_db(fields=["stock", "active"])
        raise invalid(
            {"quantity": [_("Only %(stock)d left in stock.") % {"stock": item.stock}]},
            code="points.out_of_stock",
        ) from None
    except ledger.Insufficient:
        account.refresh_from_db(fields=["balance"])
        raise invalid(
            {
                "quantity": [
                    _("Not enough points: the balance is %(balance)d, %(amount)d are needed.")
                    % {"balance": account.balance, "amount": points}
                ]
            },
            code="points.insufficient",
        ) from None
    except IntegrityError:
        earlier = ShopOrder.objects.filter(idempotency_key=full_key).first()
        if earlier is None:
            raise
        return earlier
    return order


def _move(order: ShopOrder, to: str) -> None:
    if to not in ORDER_TRANSITIONS[order.status]:
        raise invalid(
            _("This order is %(status)s and cannot change now.") % {"status": order.get_status_display()},
            code="points.order_transition",
        )


@transaction.atomic
def shop_order_hand_over(*, order: ShopOrder, actor, ip: str | None = None) -> ShopOrder:
    order = ShopOrder.objects.select_for_update().get(pk=order.pk)
    if not actor.access.can("points.manage_shop", order.area_id):
        raise PermissionDenied
    _move(order, OrderStatus.HANDED_OVER)
    order.status, order.closed_at, order.closed_by = OrderStatus.HANDED_OVER, timezone.now(), actor
    order.save(update_fields=["status", "closed_at", "closed_by"])
    audit_record(actor=actor, action="points.shop.hand_over", obj=order, ip=ip)
    return order


@ledger.retrying
@transaction.atomic
def shop_order_cancel(*, order: ShopOrder, actor, reason: str = "", ip: str | None = None) -> ShopOrder:
    """Cancel an uncollected order: the points come back and the goods return to stock."""
    order = (
        ShopOrder.objects.select_for_update().select_related("transfer", "account", "item").get(pk=order.pk)
    )
    own = order.account.user_id == actor.pk
    if not own and not actor.access.can("points.manage_shop", order.area_id):
        raise PermissionDenied
    _move(order, OrderStatus.CANCELLED)
    audit_record(  # before the ledger rows are locked (see earning._award)
        actor=actor, action="points.shop.cancel", obj=order, ip=ip, changes={"reason": (reason or "")[:200]}
    )
    original = order.transfer
    posted = ledger.post(
        kind=TransferKind.REVERSAL,
        debit_id=original.credit_id,
        credit_id=original.debit_id,
        amount=original.amount,
        key=f"reverse:{original.pk}",
        fingerprint=lib.body_fingerprint({"reverses": original.pk}),
        source_type="points.transfer",
        source_id=str(original.pk),
        area_code=original.area_id,
        counter_area_code=original.counter_area_id,
        actor=actor,
        memo=(reason or "").strip()[:200] or _("Order cancelled"),
        reverses=original,
    )
    ShopItem.objects.filter(pk=order.item_id).update(stock=F("stock") + order.quantity)
    order.status, order.closed_at, order.closed_by, order.refund = (
        OrderStatus.CANCELLED,
        timezone.now(),
        actor,
        posted.transfer,
    )
    order.save(update_fields=["status", "closed_at", "closed_by", "refund"])
    return order

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import ANXIANGJIE
from gongzhi.points.models import OrderStatus, ShopItem, ShopOrder, Transfer
from gongzhi.points.services import shop

from .conftest import balance_of, codes, ledger_ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(worker_of_community_a, area):
    return shop.shop_item_create(
        area=area(ANXIANGJIE),
        name="洗衣液",
        price=30,
        stock=2,
        actor=worker_of_community_a,
        pickup="社区服务站",
    )


def test_order__takes_stock_and_points_together(resident_a, give, item):
    give(resident_a, 100)
    order = shop.shop_order_place(item=item, buyer=resident_a, quantity=2, key="order-key-1")
    item.refresh_from_db()
    assert (item.stock, balance_of(resident_a), order.points, order.status) == (0, 40, 60, OrderStatus.PLACED)
    ledger_ok()


def test_order__without_enough_points__takes_no_stock(resident_a, give, item):
    give(resident_a, 50)
    with pytest.raises(ValidationError) as exc:
        shop.shop_order_place(item=item, buyer=resident_a, quantity=2, key="order-key-2")
    item.refresh_from_db()
    assert codes(exc.value) == {"points.insufficient"}
    assert (item.stock, balance_of(resident_a), ShopOrder.objects.count()) == (2, 50, 0)


def test_order__beyond_the_stock__takes_no_points(resident_a, give, item):
    give(resident_a, 500)
    shop.shop_order_place(item=item, buyer=resident_a, quantity=2, key="order-key-3")
    with pytest.raises(ValidationError) as exc:
        shop.shop_order_place(item=item, buyer=resident_a, quantity=1, key="order-key-4")
    assert codes(exc.value) == {"points.out_of_stock"}
    assert balance_of(resident_a) == 440 and ShopItem.objects.get(pk=item.pk).stock == 0


def test_order__retried_with_the_same_key__orders_once(resident_a, give, item):
    give(resident_a, 100)
    orders = {
        shop.shop_order_place(item=item, buyer=resident_a, quantity=1, key="order-key-5").pk
        for _ in range(10)
    }
    assert len(orders) == 1 and balance_of(resident_a) == 70


def test_cancel__returns_points_and_stock(resident_a, give, item, worker_of_community_a):
    give(resident_a, 100)
    order = shop.shop_order_place(item=item, buyer=resident_a, quantity=1, key="order-key-6")
    shop.shop_order_cancel(order=order, actor=resident_a, reason="不需要了")
    item.refresh_from_db()
    assert (item.stock, balance_of(resident_a)) == (2, 100)
    with pytest.raises(ValidationError) as exc:
        shop.shop_order_hand_over(order=order, actor=worker_of_community_a)
    assert codes(exc.value) == {"points.order_transition"}
    ledger_ok()


def test_hand_over__is_for_the_shops_staff(resident_a, give, item, worker_of_community_a):
    give(resident_a, 100)
    order = shop.shop_order_place(item=item, buyer=resident_a, quantity=1, key="order-key-7")
    with pytest.raises(PermissionDenied):
        shop.shop_order_hand_over(order=order, actor=resident_a)
    assert (
        shop.shop_order_hand_over(order=order, actor=worker_of_community_a).status == OrderStatus.HANDED_OVER
    )


def test_restock__cannot_write_off_more_than_is_there(item, worker_of_community_a):
    with pytest.raises(ValidationError) as exc:
        shop.shop_item_restock(item=item, change="-3", actor=worker_of_community_a)
    assert codes(exc.value) == {"points.out_of_stock"}
    assert shop.shop_item_restock(item=item, change="+5", actor=worker_of_community_a).stock == 7


def test_order__over_the_per_order_limit__is_refused(resident_a, give, item):
    give(resident_a, 1000)
    with pytest.raises(ValidationError) as exc:
        shop.shop_order_place(item=item, buyer=resident_a, quantity=6, key="order-key-8")
    assert codes(exc.value) == {"points.over_limit"}
    assert not Transfer.objects.filter(kind="shop_order").exists()

"""Every write of the three lists and of service orders (a package by sub-topic: ``lists`` for the
entries, ``imports`` for Excel, ``orders`` for placing and batch-dispatching orders, ``push`` for
按需推送)."""

from .imports import list_import
from .lists import (
    need_create,
    need_update,
    offering_create,
    offering_update,
    resource_create,
    resource_update,
)
from .orders import order_place, orders_dispatch_all
from .push import push_offering, push_on_demand

__all__ = [
    "list_import",
    "need_create",
    "need_update",
    "offering_create",
    "offering_update",
    "order_place",
    "orders_dispatch_all",
    "push_offering",
    "push_on_demand",
    "resource_create",
    "resource_update",
]

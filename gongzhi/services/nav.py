from django.utils.translation import gettext_lazy as _

from gongzhi.core.nav import NavItem, register


def orders_waiting(user):
    from .selectors import order_queue

    return order_queue(viewer=user)


register(
    NavItem(
        key="services_order",
        label=_("Order a service"),
        url_name="services:catalogue",
        icon="✚",
        order=10,
        roles=frozenset({"resident", "rider"}),
        description=_("Choose from your community's service list, or say what you need in a few taps."),
        layouts=frozenset({"phone"}),
    ),
    NavItem(
        key="services_queue",
        label=_("Dispatch"),
        url_name="services:queue",
        permission="tickets.view",
        icon="➤",
        order=30,
        badge=orders_waiting,
        description=_("Service orders waiting for a provider, with ranked suggestions (派单)."),
        layouts=frozenset({"workbench", "phone"}),
    ),
    NavItem(
        key="services_lists",
        label=_("Three lists"),
        url_name="services:needs",
        permission="services.view",
        icon="☰",
        order=31,
        description=_("Needs, resources and services of your area; import and export with Excel."),
        layouts=frozenset({"workbench"}),
    ),
)

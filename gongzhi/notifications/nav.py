from django.utils.translation import gettext_lazy as _

from gongzhi.core.nav import NavItem, register

register(
    NavItem(
        key="notifications",
        label=_("Messages"),
        url_name="notifications:list",
        icon="✉",
        order=85,
        description=_("Offers, progress of your orders, reminders and services that match your needs."),
    ),
)

from django.utils.translation import gettext_lazy as _

from gongzhi.core.nav import NavItem, register


def unread_count(user):
    from .selectors import notification_unread

    return notification_unread(viewer=user)


register(
    NavItem(
        key="notifications",
        label=_("Messages"),
        url_name="notifications:list",
        icon="✉",
        order=85,
        badge=unread_count,
        in_header=True,
        description=_("Offers, progress of your orders, reminders and services that match your needs."),
    ),
)

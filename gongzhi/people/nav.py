from django.utils.translation import gettext_lazy as _

from gongzhi.core.nav import NavItem, register

register(
    NavItem(
        key="people",
        label=_("People"),
        url_name="people:list",
        permission="people.view",
        icon="👥",
        order=20,
        description=_(
            "The person registry of your area: the elderly, children, riders, veterans — masked, audited."
        ),
        layouts=frozenset({"workbench"}),
    ),
)

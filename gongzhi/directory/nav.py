from django.utils.translation import gettext_lazy as _

from gongzhi.core.nav import NavItem, register

register(
    NavItem(
        key="organisations",
        label=_("Organisations"),
        url_name="directory:list",
        permission="orgs.view",
        icon="🏛",
        order=30,
        description=_("Mass organisations, social organisations, caring merchants and teams in your area."),
        layouts=frozenset({"workbench"}),
    ),
)

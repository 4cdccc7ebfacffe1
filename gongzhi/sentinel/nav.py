from django.utils.translation import gettext_lazy as _

from gongzhi.core.nav import NavItem, register

register(
    NavItem(
        key="sentinel_report",
        label=_("Report a lead"),
        url_name="sentinel:report",
        permission="sentinel.report",
        icon="⚑",
        order=12,
        description=_("City sentinel: a photo, your position and a few words, in under 30 seconds."),
        layouts=frozenset({"phone"}),
    ),
    NavItem(
        key="sentinel_figures",
        label=_("Sentinel leads"),
        url_name="sentinel:figures",
        permission="tickets.view",
        icon="⚑",
        order=34,
        description=_("Leads reported and resolved within the deadline, by category, unit, area and month."),
        layouts=frozenset({"workbench"}),
    ),
    NavItem(
        key="sentinel_categories",
        label=_("Sentinel categories"),
        url_name="sentinel:categories",
        permission="sentinel.manage",
        icon="⚙",
        order=35,
        description=_("What sentinels report, the responsible unit, the deadline and the reward."),
        layouts=frozenset({"workbench"}),
    ),
)

register(
    NavItem(
        key="sentinel_clients",
        label=_("Open311 clients"),
        url_name="sentinel:clients",
        permission="sentinel.manage",
        icon="⚿",
        order=36,
        description=_("API keys of outside applications that post leads through Open311."),
        layouts=frozenset({"workbench"}),
    ),
)

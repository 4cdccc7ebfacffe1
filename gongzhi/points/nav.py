from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Role
from gongzhi.core.nav import NavItem, register

_EARNERS = frozenset(
    {Role.RESIDENT, Role.RIDER, Role.VOLUNTEER, Role.ORG_MEMBER, Role.SOCIAL_WORKER, Role.MERCHANT}
)

register(
    NavItem(
        key="points_me",
        label=_("My points"),
        url_name="points:me",
        roles=_EARNERS,
        icon="★",
        order=12,
        description=_("Your balance and history, your pay code, how to earn and where to spend."),
        layouts=frozenset({"phone"}),
    ),
    NavItem(
        key="points_terminal",
        label=_("Points till"),
        url_name="points:terminal",
        roles=frozenset({Role.MERCHANT}),
        icon="⌗",
        order=11,
        description=_("Take residents' points with their pay code; receipts, refunds, statements."),
        layouts=frozenset({"phone", "workbench"}),
    ),
    NavItem(
        key="points_shop",
        label=_("Points shop"),
        url_name="points:shop",
        roles=_EARNERS,
        icon="🛍",
        order=13,
        description=_("Goods for points (积分超市): order, then collect at the station."),
        layouts=frozenset({"phone"}),
    ),
    NavItem(
        key="points_honour",
        label=_("Honour roll"),
        url_name="points:honour",
        icon="❀",
        order=60,
        description=_("The honour roll: exemplary neighbours and teams. Nominate someone."),
    ),
    NavItem(
        key="points_ledger",
        label=_("Points"),
        url_name="points:ledger",
        permission="points.view_ledger",
        icon="★",
        order=40,
        description=_("The points ledger of your area: awards, merchants, the shop, budgets and rules."),
        layouts=frozenset({"workbench"}),
    ),
    NavItem(
        key="points_nominations",
        label=_("Honour roll review"),
        url_name="points:nominations",
        permission="points.review_nominations",
        icon="❀",
        order=41,
        description=_("Nominations to the honour roll waiting for review in your area."),
        layouts=frozenset({"workbench"}),
    ),
)

"""What each role may do with points (registered into the one permission registry)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Role, register_permissions

_OFFICE = {Role.COMMUNITY_WORKER, Role.TOWN_STAFF, Role.CITY_STAFF}
_SENIOR = {Role.TOWN_STAFF, Role.CITY_STAFF}

register_permissions(
    {
        "points.view_ledger": (_("View the points ledger of your area"), _OFFICE),
        "points.manage_rules": (_("Set earning rules"), _SENIOR),
        "points.manage_budgets": (_("Open and change issuing budgets"), _SENIOR),
        "points.award": (_("Award points for deeds recorded by hand"), _OFFICE),
        "points.reverse": (_("Reverse a points transfer (a compensating transfer)"), _SENIOR),
        "points.manage_merchants": (_("Enrol and suspend caring merchants in the points scheme"), _OFFICE),
        "points.settle": (_("Settle merchants' monthly statements"), _SENIOR),
        "points.manage_shop": (_("Run a points shop: goods, stock, hand-overs"), _OFFICE),
        "points.review_nominations": (_("Review nominations to the honour roll"), _OFFICE),
        "points.nominate": (_("Nominate someone to the honour roll"), set(Role.values)),
        "points.export": (_("Export the points ledger"), _SENIOR),
        "points.run_expiry": (_("Send expiry notices and run year-end expiry"), {Role.CITY_STAFF}),
    }
)

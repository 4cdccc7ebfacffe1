from django.utils.translation import gettext_lazy as _

from gongzhi.core.nav import NavItem, register

register(
    NavItem(
        key="users",
        label=_("Accounts and roles"),
        url_name="accounts:users",
        permission="users.view",
        icon="🔑",
        order=80,
        description=_("Create accounts, grant and withdraw roles, unlock locked accounts."),
        layouts=frozenset({"workbench"}),
    ),
    NavItem(
        key="logins",
        label=_("Login history"),
        url_name="accounts:logins",
        permission="loginlog.view",
        icon="🕑",
        order=91,
        description=_("Sign-ins, failures, lockouts and sign-outs in your area."),
        layouts=frozenset({"workbench"}),
    ),
)

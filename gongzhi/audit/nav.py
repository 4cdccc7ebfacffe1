from django.utils.translation import gettext_lazy as _

from gongzhi.core.nav import NavItem, register

register(
    NavItem(
        key="audit",
        label=_("Audit log"),
        url_name="audit:list",
        permission="audit.view",
        icon="🔏",
        order=90,
        description=_("Every change and every reveal of personal data, hash-chained and tamper-evident."),
        layouts=frozenset({"workbench"}),
    ),
)

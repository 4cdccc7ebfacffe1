"""Service categories shared by the three lists and by service orders.

Each has a limit class (its default deadline, see ``gongzhi.tickets.conf``) and a group: providers
of a neighbouring category in the same group rank above unrelated ones.
"""

from django.utils.translation import gettext_lazy as _

from gongzhi.tickets.policies import Category

CATEGORIES: tuple[Category, ...] = (
    Category("emergency_help", _("Urgent help"), limit="emergency", group="care"),
    Category("elderly_care", _("Elderly care and visits"), group="care"),
    Category("companion", _("Escort to hospital"), group="care"),
    Category("child_care", _("Children's care and tutoring"), group="care"),
    Category("disability", _("Help for the disabled"), group="care"),
    Category("meal", _("Meals for the elderly"), limit="utilities", group="home"),
    Category("housework", _("Housework and cleaning"), group="home"),
    Category("repair", _("Water, power and small repairs"), limit="utilities", group="home"),
    Category("haircut", _("Free haircuts"), group="home"),
    Category("health", _("Health checks and advice"), group="health"),
    Category("psych", _("Counselling"), group="health"),
    Category("legal", _("Legal advice"), group="rights"),
    Category("mediation", _("Dispute mediation"), limit="complex", group="rights"),
    Category("consumer_rights", _("Consumer rights"), group="rights"),
    Category("anti_fraud", _("Anti-fraud advice"), group="rights"),
    Category("employment", _("Jobs and home-based work"), limit="complex", group="work"),
    Category("rider_service", _("Services for riders and couriers"), group="work"),
)
BY_CODE = {c.code: c for c in CATEGORIES}


def category_choices() -> list[tuple[str, str]]:
    return [(c.code, c.label) for c in CATEGORIES]


def label_of(code: str) -> str:
    category = BY_CODE.get(code)
    return str(category.label) if category else code


def group_of(code: str) -> str:
    category = BY_CODE.get(code)
    return category.group if category else ""

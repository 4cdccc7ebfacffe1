from django.utils.translation import gettext_lazy as _

from gongzhi.core.nav import NavItem, register


def suggestions_waiting(user):
    from .selectors import suggestion_list

    return suggestion_list(viewer=user, show="queue")


register(
    NavItem(
        key="suggestions_submit",
        label=_("Make a suggestion"),
        url_name="suggestions:submit",
        permission="suggestions.submit",
        icon="✎",
        order=14,
        description=_("An idea for your community; adopted ones earn points."),
        layouts=frozenset({"phone"}),
    ),
    NavItem(
        key="suggestions_list",
        badge=suggestions_waiting,
        label=_("Resident suggestions"),
        url_name="suggestions:list",
        permission="suggestions.review",
        icon="✎",
        order=39,
        description=_("Review suggestions and answer them with a public reason."),
        layouts=frozenset({"workbench"}),
    ),
    NavItem(
        key="suggestions_figures",
        label=_("Suggestion figures"),
        url_name="suggestions:figures",
        permission="tickets.view",
        icon="✎",
        order=40,
        description=_("Suggestions received and adopted, by topic, community and month."),
        layouts=frozenset({"workbench"}),
    ),
)

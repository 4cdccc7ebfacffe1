"""Who may make suggestions (居民建议) and who answers them."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Role, register_permissions

register_permissions(
    {
        "suggestions.submit": (
            _("Make suggestions to the community (居民建议)"),
            {Role.RESIDENT, Role.RIDER, Role.VOLUNTEER, Role.SOCIAL_WORKER, Role.ORG_MEMBER, Role.MERCHANT},
        ),
        "suggestions.review": (
            _("Review suggestions and answer them: adopted or not, with a public reason"),
            {Role.COMMUNITY_WORKER},
        ),
    }
)

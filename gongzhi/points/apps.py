from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "gongzhi.points"
    label = "points"
    verbose_name = _("Points")

    def ready(self) -> None:
        from gongzhi.core.rewards import register_reward_handler

        from . import permissions  # noqa: F401 - registers the permissions
        from .services.earning import reward_handler

        # The ticket engine and volunteering award through this one service (core/rewards.py).
        register_reward_handler(reward_handler)

"""What every page's shell needs: the layout, the menu, the site name, the demo flag."""

from __future__ import annotations

from django.conf import settings

from gongzhi.core.nav import entries_for, layout_for


def shell(request) -> dict:
    user = getattr(request, "user", None)
    layout = (
        layout_for(user, request.session.get("gz_layout") if hasattr(request, "session") else None)
        if user
        else "phone"
    )
    return {
        "gz_layout": layout,
        "gz_shell": f"web/{layout}.html",
        "gz_nav": entries_for(user, layout) if user is not None and user.is_authenticated else [],
        "gz_site_name": settings.GONGZHI["SITE_NAME"],
        "gz_demo": settings.GONGZHI["DEMO"],
    }

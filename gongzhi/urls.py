from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from gongzhi.api import api, grouped_urls

admin.site.site_header = "Gongzhi · 共治"
# The admin has no log-in of its own: it uses ours, with lockout and the second factor.
admin.site.login = RedirectView.as_view(pattern_name="accounts:login", query_string=True)

urlpatterns = [
    # First: the API serves gate scanners and apps, its prefix is literal and shadows no page.
    path("api/v1/", grouped_urls(api.urls)),
    path("", include("gongzhi.web.urls")),
    path("accounts/", include("gongzhi.accounts.urls")),
    path("people/", include("gongzhi.people.urls")),
    path("points/", include("gongzhi.points.urls")),
    path("stations/", include("gongzhi.stations.urls")),
    path("volunteering/", include("gongzhi.volunteering.urls")),
    path("organisations/", include("gongzhi.directory.urls")),
    path("audit/", include("gongzhi.audit.urls")),
    path("tickets/", include("gongzhi.tickets.urls")),
    path("services/", include("gongzhi.services.urls")),
    path("notifications/", include("gongzhi.notifications.urls")),
    path("sentinel/", include("gongzhi.sentinel.urls")),
    path("hazards/", include("gongzhi.hazards.urls")),
    path("suggestions/", include("gongzhi.suggestions.urls")),
    path("open311/v2/", include("gongzhi.sentinel.open311_urls")),
    path("mediation/", include("gongzhi.mediation.urls")),
    path("", include("gongzhi.passes.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

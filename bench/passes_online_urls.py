"""URLconf of the online rider-pass benchmark: the product's routes plus ``/bench/minimal``, the
smallest Django JSON view, measured as the baseline in the same run."""

from django.http import JsonResponse
from django.urls import include, path


def minimal_view(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/minimal", minimal_view),
    path("", include("gongzhi.urls")),
]

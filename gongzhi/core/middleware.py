"""Chinese first: pages are Chinese unless the user chose English with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a phone set to English
(or a headless browser) would get English pages although the product is Chinese first
(ARCHITECTURE decision 8). Pages follow the language cookie only; API clients, which have no
switch, may still ask for English with Accept-Language.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

API_PREFIXES = ("/api/", "/open311/")


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path.startswith(API_PREFIXES):
            language = translation.get_language_from_request(request)
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            supported = {code for code, _ in settings.LANGUAGES}
            language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

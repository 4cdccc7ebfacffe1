"""Gongzhi settings, read from the environment.

Two modes: development (the default, what `make demo` and `make test` run) and production
(`GONGZHI_ENV=production`), where every secret must come from the environment and
`manage.py check --deploy` is clean. See the README's "Configuration" table.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGZHI_VAR_DIR", BASE_DIR / "var"))

ENV = os.environ.get("GONGZHI_ENV", "development")
PRODUCTION = ENV == "production"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _development_secret(filename: str, make) -> str:
    """Return a secret kept in var/, creating it on first use (development only)."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / filename
    if not path.exists():
        # Written once and reused, so sessions and encrypted demo data survive restarts. Written
        # to a temporary file and linked into place, so parallel processes never read half a file.
        tmp = VAR_DIR / f".{filename}.{os.getpid()}"
        tmp.write_text(make())
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} must be set when GONGZHI_ENV=production")
    return value


if PRODUCTION:
    SECRET_KEY = _required("SECRET_KEY")
    VAULT_KEYS = json.loads(_required("GONGZHI_VAULT_KEYS"))
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _development_secret(
        "secret_key", lambda: secrets.token_urlsafe(50)
    )
    if os.environ.get("GONGZHI_VAULT_KEYS"):
        VAULT_KEYS = json.loads(os.environ["GONGZHI_VAULT_KEYS"])
    else:
        from gongzhi.lib.vault import generate_keyring_config

        VAULT_KEYS = json.loads(
            _development_secret("vault_keys.json", lambda: json.dumps(generate_keyring_config()))
        )

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "gongzhi.core",
    "gongzhi.areas",
    "gongzhi.audit",
    "gongzhi.accounts",
    "gongzhi.directory",
    "gongzhi.people",
    "gongzhi.points",
    "gongzhi.notifications",
    "gongzhi.tickets",
    "gongzhi.services",
    "gongzhi.sentinel",
    "gongzhi.hazards",
    "gongzhi.suggestions",
    "gongzhi.mediation",
    "gongzhi.passes",
    "gongzhi.stations",
    "gongzhi.volunteering",
    "gongzhi.web",
    "gongzhi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongzhi.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gongzhi.accounts.middleware.SecurityPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "gongzhi.web.context_processors.shell",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------
# SQLite in WAL mode under var/ by default; DATABASE_URL switches (PostgreSQL in production).
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'gongzhi.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the single writer; IMMEDIATE makes a write transaction take
        # the lock at BEGIN, so two writers queue instead of failing halfway with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
else:
    DATABASES["default"].setdefault("TEST", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background work --------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Accounts and security (等保2.0 level 3, GB/T 22239-2019 §8.1.4) ---------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["gongzhi.accounts.backends.MobilePasswordBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "gongzhi.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

GONGZHI_SECURITY = {
    "LOCKOUT_FAILURES": int(os.environ.get("GONGZHI_LOCKOUT_FAILURES", "5")),
    "LOCKOUT_MINUTES": int(os.environ.get("GONGZHI_LOCKOUT_MINUTES", "10")),
    "IDLE_TIMEOUT_MINUTES": int(os.environ.get("GONGZHI_IDLE_MINUTES", "30")),
    # Two factors for staff: enforced in production; `make demo` relaxes it and says so on the login page.
    "REQUIRE_TOTP_FOR_STAFF": env_bool("GONGZHI_REQUIRE_TOTP", PRODUCTION),
    "PASSWORD_MAX_AGE_DAYS": int(
        os.environ.get("GONGZHI_PASSWORD_MAX_AGE_DAYS", "90" if PRODUCTION else "0")
    ),
}
SESSION_COOKIE_AGE = 12 * 3600  # absolute limit; the idle limit is enforced by SecurityPolicyMiddleware
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not from the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: no inline script anywhere; map tiles from the configured provider only.
MAP_TILE_PROVIDER = os.environ.get("GONGZHI_MAP_TILES", "osm")  # osm | tianditu | amap
MAP_TILE_HOSTS = {
    "osm": ["https://tile.openstreetmap.org"],
    "tianditu": ["https://t0.tianditu.gov.cn", "https://t1.tianditu.gov.cn", "https://t2.tianditu.gov.cn"],
    "amap": ["https://webrd01.is.autonavi.com", "https://webrd02.is.autonavi.com"],
}
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *MAP_TILE_HOSTS.get(MAP_TILE_PROVIDER, [])],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Personal data vault (AES-GCM by default; SM4 where national algorithms are required) ---------
# The key ring names its cipher; GONGZHI_VAULT_CIPHER=SM4-GCM overrides it for new writes.
VAULT_CIPHER = os.environ.get("GONGZHI_VAULT_CIPHER", "")

# --- Internationalisation: Chinese first -------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gongzhi" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start when it is missing
# Front-end packages (htmx, ECharts, Leaflet) are pinned in package.json and copied by `make` into
# gongzhi/web/static/vendor/ (not committed), where the app-directories finder picks them up.
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Gongzhi ----------------------------------------------------------------------------------
GONGZHI = {
    "SITE_NAME": _("Gongzhi co-governance"),
    "DEMO": env_bool("GONGZHI_DEMO", False),
    # Several times as many chains as connections writing at once: then a locked write never
    # waits for a head, and an award outside a transaction (which keeps to its connection's own
    # chain, unlocked) rarely finds another writer on it: with 16 writers, 7 % of awards had to
    # try again on 16 chains, 0.5 % on 64 (audit.services, bench/README.md).
    "AUDIT_CHAINS": int(os.environ.get("GONGZHI_AUDIT_CHAINS", "64")),
    "API_PAGE_SIZE": 50,
    "API_MAX_PAGE_SIZE": 200,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

"""Settings of the online rider-pass benchmark (bench/bench_passes_online.py): the product's, with
the bench's own URLconf, which adds the baseline view so the product never carries it."""

from gongzhi.settings import *  # noqa: F403

ROOT_URLCONF = "passes_online_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}

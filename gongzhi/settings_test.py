"""Settings for the test suite: the real ones, with the slow or outward-facing parts swapped."""

from gongzhi.lib.vault import generate_keyring_config
from gongzhi.settings import *  # noqa: F403

# Tasks run inline, so a test sees a task's effect without a worker process.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# PBKDF2 at a million rounds costs ~0.4 s a password; tests create hundreds of users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S105 - tests only
GONGZHI = {**GONGZHI, "AUDIT_CHAINS": 4}  # noqa: F405
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECRET_KEY = "test-only-secret-key-not-for-production-0123456789abcdef"  # noqa: S105
VAULT_KEYS = generate_keyring_config()  # noqa: F405 - fresh keys per test process

"""Settings for the test suite: the real settings, with what only slows tests down swapped out."""

from zhibiao.settings import *  # noqa: F403

# Tests render templates without running collectstatic first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEMO_MODE = False
DEMO_CATALOGUE = False  # tests that need the real catalogue load it (tests/standards)
DEMO_HISTORY = False  # tests of the history record their own snapshots (tests/dashboard)
JOBS_INLINE = True
DASHBOARD_CACHE_SECONDS = 0  # figures straight from the records
# The shared cache in this process's memory (tests/conftest.py clears it before every test);
# tests/core/test_shared_cache.py checks the Redis backend against a real server.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  whitenoise warns when it is missing

# A file, not shared-cache memory, for SQLite: tests that act from several threads at once then
# see SQLite's real locking (writers wait for each other) instead of shared-cache lock errors.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}  # noqa: F405

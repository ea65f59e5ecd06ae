"""Settings for every environment; production differs only by environment values.

Every variable is listed in .env.example at the repository root.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from pendopo.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
_SOURCE_ROOT = PACKAGE_DIR.parent.parent
# In a source checkout the data live in <checkout>/var; an installed package uses ./var.
DATA_DIR = Path(
    env_str(
        "PENDOPO_DATA_DIR",
        str((_SOURCE_ROOT if (_SOURCE_ROOT / "pyproject.toml").exists() else Path.cwd()) / "var"),
    )
)

DEBUG = env_bool("PENDOPO_DEBUG", False)
SECRET_KEY = env_str("PENDOPO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("PENDOPO_REQUIRE_SECRET", False):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("PENDOPO_SECRET_KEY wajib diisi (is required) in production")
    # A stable per-installation key kept beside the database, so sessions survive restarts.
    _key_file = DATA_DIR / "secret_key"
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        if not _key_file.exists():
            import secrets

            _key_file.write_text(secrets.token_urlsafe(50))
        SECRET_KEY = _key_file.read_text().strip()
    except OSError:
        SECRET_KEY = "pendopo-insecure-development-key"  # noqa: S105 - read-only checkouts only

ALLOWED_HOSTS = env_list("PENDOPO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("PENDOPO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "pendopo.core",
    "pendopo.population",
    "pendopo.aid",
    "pendopo.letters",
    "pendopo.api",
    "ninja",  # its bundled Swagger UI is served from our static files, not a CDN
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pendopo.core.middleware.RequestContextMiddleware",
    "pendopo.core.middleware.PasswordChangeRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pendopo.urls"
WSGI_APPLICATION = "pendopo.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "pendopo.core.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'pendopo.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("PENDOPO_DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while an import writes; IMMEDIATE avoids lock-upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("PENDOPO_DB_PREPARED", True):
    # Parameters bound by the server and statements prepared after their third run on a
    # connection: the API's few statements per request were planned anew every time (planning
    # took 0.1-0.4 ms each, longer than running them). Set PENDOPO_DB_PREPARED=0 behind a
    # pooler that does not keep prepared statements (PgBouncer in transaction mode before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 3})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work ------------------------------------------------------------------------
# Tasks wait in the database; `pendopo serve` starts one worker beside gunicorn (or run
# `pendopo db-worker` on its own when PENDOPO_TASK_WORKER=0).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TASK_WORKER = env_bool("PENDOPO_TASK_WORKER", True)

# --- Aid -------------------------------------------------------------------------------------
AID_UPLOAD_MAX_BYTES = env_int("PENDOPO_AID_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
AID_UPLOAD_MAX_ROWS = env_int("PENDOPO_AID_UPLOAD_MAX_ROWS", 10_000)
AID_APPEAL_FILE_DAYS = env_int("PENDOPO_AID_APPEAL_FILE_DAYS", 30)  # a decision may be appealed this long
AID_APPEAL_DECIDE_DAYS = env_int("PENDOPO_AID_APPEAL_DECIDE_DAYS", 14)  # Dinas Sosial answers within this

# --- Letters -----------------------------------------------------------------------------------
LETTERS_NOTIFIER = env_str("PENDOPO_LETTERS_NOTIFIER", "log")  # log | email
# The address the public reaches Pendopo at: printed in each letter's QR code.
PENDOPO_PUBLIC_URL = env_str("PENDOPO_PUBLIC_URL", "http://127.0.0.1:8000")

# --- Authentication -------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after 5 failures for one username from one address, wait 15 minutes.
AXES_FAILURE_LIMIT = env_int("PENDOPO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("PENDOPO_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "core/login_locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("PENDOPO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Language, time, numbers ----------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"  # WIB
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["pendopo.formats"]

# --- Static files: served by the project itself (no CDN; village links are weak) -------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
try:  # whitenoise warns about a missing root before the first collectstatic
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError:
    pass
WHITENOISE_USE_FINDERS = True
WHITENOISE_MAX_AGE = 60 * 60 * 24
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = env_str("PENDOPO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("PENDOPO_FROM_EMAIL", "pendopo@localhost")

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("PENDOPO_LOG_LEVEL", "WARNING")},
}

# Which regency this installation serves (its Kemendagri code).
PENDOPO_REGENCY_CODE = env_str("PENDOPO_REGENCY_CODE", "35.10")
PENDOPO_REGENCY_NAME = env_str("PENDOPO_REGENCY_NAME", "Kabupaten Banyuwangi")

NINJA_PAGINATION_PER_PAGE = 50

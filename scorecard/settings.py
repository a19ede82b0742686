"""Settings for Scorecard.

Everything that differs between the embedded default (SQLite, a broker on the
local filesystem) and production (PostgreSQL, Redis) comes from environment
variables, so one settings module serves the demo, the tests, CI and production.
"""
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _lazy  # lazy: settings load before the translation machinery

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# Runtime state of the embedded default (SQLite file, broker folders, PDFs).
VAR_DIR = Path(env.str("SCORECARD_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)
# The fallback key exists only so that the tests and `manage.py` commands start with no
# configuration; the web server refuses it unless DEBUG (scorecard/wsgi.py, core/security.py) and
# the demo generates a key of its own under var/ (scripts/demo.py).
FALLBACK_SECRET_KEY = "django-insecure-scorecard-embedded-default-key"
SECRET_KEY = env.str("SECRET_KEY", default=FALLBACK_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin with a site that lets in administrators only (accounts.admin_site).
    "scorecard.accounts.admin_config.ScorecardAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    # Third-party apps under Chinese names in the admin (core.thirdparty).
    "scorecard.core.thirdparty.CeleryBeatConfig",
    "scorecard.core.thirdparty.CeleryResultsConfig",
    "scorecard.core.thirdparty.AxesConfig",
    "rest_framework",
    "rest_framework.authtoken",  # named literally: its TokenProxy model checks INSTALLED_APPS for this string
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files: no CDN at runtime
    # The project's apps, lowest floor first (docs/architecture.md; `make check` enforces the order).
    "scorecard.core",
    "scorecard.grid",
    "scorecard.accounts",
    "scorecard.complaints",
    "scorecard.imports",
    "scorecard.kpis",
    "scorecard.notices",
    "scorecard.orders",
    "scorecard.portal",
    "scorecard.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "scorecard.core.middleware.DefaultLanguageMiddleware",
    # Unusable query parameters (control characters, month 9999-12, per_page=-5) answer 400 here.
    "scorecard.core.params.ParameterMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, whose check reads the body: an upload above its view's limit is refused unread.
    "scorecard.core.uploads.BodySizeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every denied access of a logged-in user goes to the audit log; auditors post nothing.
    "scorecard.accounts.middleware.AccessAuditMiddleware",
    "scorecard.accounts.middleware.AuditorReadOnlyMiddleware",
    "scorecard.accounts.middleware.ContentSecurityPolicyMiddleware",
    # Pages, exports and downloads of a signed-in user hold personal data: never stored by a cache.
    "scorecard.accounts.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last: it inspects the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "scorecard.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "scorecard.accounts.context_processors.navigation",
                "scorecard.portal.context_processors.lookbacks",  # the days of each 「重复」
                "scorecard.core.context_processors.data_updating",
            ],
            # Figures print one way on every page (count / rate / score / per10k / hours / figure).
            "builtins": ["scorecard.core.templatetags.figures"],
        },
    },
]

WSGI_APPLICATION = "scorecard.wsgi.application"

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'scorecard.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the Celery worker and beat share one SQLite file: WAL lets
    # readers go on during a write, IMMEDIATE transactions take the write lock up
    # front (no "database is locked" half-way through an import) and the timeout
    # makes a second writer wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The work-order index is covering (INCLUDE) on PostgreSQL; SQLite builds the plain
    # two-column index, which is all the embedded default needs. Only this backend's
    # notice is silenced; production (PostgreSQL) runs every check.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The monthly aggregates have high plan costs but run in well under a
        # second; PostgreSQL's JIT would spend more than that compiling them.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# --- Cache ----------------------------------------------------------------------
# Read-outs of unpublished months are cached per data version (scorecard.core.freshness).
# Unset: a per-process LocMemCache (fine for the demo and the tests). With several
# gunicorn workers or machines, share one Redis so that a read-out computed by one
# process serves all of them: CACHE_URL=redis://host:6379/5.
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                          "KEY_PREFIX": "scorecard"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "scorecard.accounts.backends.RolePermissionBackend",  # role admin holds every model permission
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock a username after repeated failures from one client address (django-axes): the pair, so that a
# stranger elsewhere cannot lock a user out. The address is the client's behind the proxies listed in
# TRUSTED_PROXIES (addresses or networks, e.g. 127.0.0.1 for nginx on the same machine): their
# X-Forwarded-For is read, anybody else's ignored (scorecard/core/clientip.py; the audit log uses it too).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "scorecard.core.clientip.client_ip"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "scorecard.accounts.lockout.lockout_response"  # a Chinese page saying for how long

# --- Sessions and security ----------------------------------------------------
# Sessions on the embedded default are files under var/sessions, not rows of the SQLite database: with
# SESSION_SAVE_EVERY_REQUEST every page view would write the session, and a long import holds SQLite's
# one write lock — pages failed with 「database is locked」 and a login took 18 s (issue #15). Files need
# no lock of the database, are shared by every gunicorn worker and are deleted at logout. PostgreSQL:
# database sessions (SESSION_ENGINE overrides either).
_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
SESSION_ENGINE = env.str("SESSION_ENGINE", default="django.contrib.sessions.backends.file" if _SQLITE
                         else "django.contrib.sessions.backends.db")
SESSION_FILE_PATH = env.str("SESSION_FILE_PATH", default=str(VAR_DIR / "sessions"))
Path(SESSION_FILE_PATH).mkdir(parents=True, exist_ok=True)
SESSION_COOKIE_AGE = 30 * 60  # 30 minutes idle
SESSION_SAVE_EVERY_REQUEST = True  # so the 30 minutes count from the last request
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Everything (ECharts, Swagger UI) is served from our own origin: no third-party sources. Scripts only
# from files (static/js, no inline <script> or on*= attributes; tests/core/test_csp.py), so an injected
# script cannot run (issue #15); inline styles stay allowed (style= attributes, ECharts).
CONTENT_SECURITY_POLICY = env.str("CONTENT_SECURITY_POLICY", default=(
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"))

# --- JSON API (scorecard.portal.api) ---------------------------------------------------
# Read-only, for the company's other systems: session (browser) or token
# (Authorization: Token <key>; tokens are created by administrators in the admin).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request gets 401 with "WWW-Authenticate: Token".
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["scorecard.portal.api.permissions.ReadOnlyAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "scorecard.portal.api.views.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Scorecard API",
    "DESCRIPTION": "95598 投诉管控考核平台只读接口：考核排名、投诉画像、供电瓶颈事件。按用户角色与单位范围过滤。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["scorecard.portal.api.permissions.ReadOnlyAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates in tables and pages as 2018-03-31 in both languages (scorecard/formats/).
FORMAT_MODULE_PATH = ["scorecard.core.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Front-end packages come from the npm registry (`make setup` runs npm ci) and are served
# from node_modules rather than copied into the repository -- but only the files the pages
# load, named one by one (URL path under STATIC_URL -> file under node_modules/): a whole
# package folder would be collected and compressed on every `make demo` (issue #14).
NPM_ROOT = BASE_DIR / "node_modules"
NPM_STATIC_FILES = {
    "echarts/echarts.min.js": "echarts/dist/echarts.min.js",
    # The searchable pickers (unit tree, 线路): Tom Select, its complete build and default theme.
    "tom-select/tom-select.complete.min.js": "tom-select/dist/js/tom-select.complete.min.js",
    "tom-select/tom-select.default.min.css": "tom-select/dist/css/tom-select.default.min.css",
    # Their source maps: the files name them (sourceMappingURL), which the manifest storage resolves.
    "tom-select/tom-select.complete.min.js.map": "tom-select/dist/js/tom-select.complete.min.js.map",
    "tom-select/tom-select.default.min.css.map": "tom-select/dist/css/tom-select.default.min.css.map",
}
# Source maps (8 MB of the Swagger UI / ReDoc bundles) are for a developer's debugger, not
# for a page: served as they are rather than gzip- and brotli-compressed at collectstatic.
from whitenoise.compress import Compressor

WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "scorecard.core.staticfinders.NpmFileFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Notice PDFs (Notice.file): under MEDIA_ROOT, never served as public media (downloads go through
    # a view that checks rights). A local filesystem: the render writes atomically (temp file + rename).
    "notices": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"  # never served directly: downloads go through views that check rights
# Uploads above this are streamed to a temporary file, not held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A request body without files (form fields, JSON) above this is refused by Django (400).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# Each upload view refuses a larger body by its Content-Length before reading any of it (413;
# scorecard/core/uploads.py). The proxy in front should cap bodies at the largest, e.g. nginx
# client_max_body_size 100m (docs/operations.md).
SCORECARD_UPLOAD_LIMITS = {
    "import": env.int("IMPORT_MAX_UPLOAD_MB", default=100) * 1024 * 1024,  # a work-order file
    "attachment": env.int("ATTACHMENT_MAX_UPLOAD_MB", default=10) * 1024 * 1024,  # an appeal's evidence
    "verify": env.int("VERIFY_MAX_UPLOAD_MB", default=20) * 1024 * 1024,  # a notice PDF to check
}

# --- Celery -------------------------------------------------------------------
# Embedded default: a filesystem broker (no server) shared by web, worker and
# beat through var/broker; Redis in production via CELERY_BROKER_URL.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
# SCORECARD_BROKER_DIR lets the test harness give each test run its own queue.
BROKER_DIR = Path(env.str("SCORECARD_BROKER_DIR", default=str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport with atomic message files (scorecard/core/broker.py says why).
    CELERY_BROKER_TRANSPORT = "scorecard.core.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        # Broadcasts (remote control such as `celery inspect ping`) keep their
        # exchange tables here; kombu's default is a folder relative to the cwd.
        "control_folder": str(BROKER_DIR / "control"),
        # Seconds between looks at an empty queue (kombu's default is 1 s); a
        # directory listing is cheap, and tasks start sooner.
        "polling_interval": 0.2,
    }
    # kombu lists these folders on every poll and fails if they are missing.
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# The test harness gives each test run a queue of its own on a shared Redis.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Filters (django-filter) -----------------------------------------------------
# The empty choice of every filter select reads 「全部」, not Django's 「---------」 (issue #14).
FILTERS_EMPTY_CHOICE_LABEL = _lazy("全部")
FILTERS_NULL_CHOICE_LABEL = _lazy("（空）")

# --- Tables (django-tables2) -------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "tables/table.html"
# The largest page a list shows (?per_page=); more rows are what the exports are for (core.params).
SCORECARD_MAX_PAGE_SIZE = env.int("MAX_PAGE_SIZE", default=200)
# Exports of more rows than this are prepared by the worker and downloaded when ready (accounts.exports).
SCORECARD_EXPORT_BACKGROUND_ROWS = env.int("EXPORT_BACKGROUND_ROWS", default=50_000)

# --- E-mail -------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="scorecard@localhost")
# Links in notification e-mails are made absolute with this (e.g. https://scorecard.example.com).
SCORECARD_BASE_URL = env.str("SCORECARD_BASE_URL", default="http://localhost:8000")

# --- Logging ------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"denied_one_line": {"()": "scorecard.core.logfilters.DeniedOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    # A 403 is logged as one line, without the PermissionDenied's traceback.
    "loggers": {"django.request": {"filters": ["denied_one_line"]}},
}

# --- Product settings ---------------------------------------------------------
# The single province (root org unit) imports create when the tree is empty.
SCORECARD_PROVINCE = env.str("SCORECARD_PROVINCE", default="国网湖南省电力有限公司")
# The issuer printed on the notices: the province's service command center unless set.
SCORECARD_ISSUER = env.str("SCORECARD_ISSUER", default=f"{SCORECARD_PROVINCE}供电服务指挥中心")

# An import runs at most this long (Celery soft limit: the job fails cleanly, nothing imported; the hard
# limit a minute later kills a worker stuck in C code). Rows with errors are kept up to a number, the
# rest counted per cause (scorecard/imports/importers/base.py).
IMPORT_SOFT_TIME_LIMIT = env.int("IMPORT_SOFT_TIME_LIMIT", default=1800)
IMPORT_TIME_LIMIT = IMPORT_SOFT_TIME_LIMIT + 60
IMPORT_MAX_STORED_ERRORS = env.int("IMPORT_MAX_STORED_ERRORS", default=1000)

# A work-order CSV of at least this many rows that at least doubles the table is
# loaded the bulk way on PostgreSQL (scorecard/imports/importers/bulk.py: indexes
# and foreign keys rebuilt at the end; locks the tables until commit). 0 = never.
IMPORT_BULK_MIN_ROWS = env.int("IMPORT_BULK_MIN_ROWS", default=100_000)

# --- Monthly notice (scorecard.notices) -----------------------------------------
# The embedded TrueType faces of the PDF (ReportLab embeds TrueType outlines only; a .ttc uses
# its simplified-Chinese face). NOTICE_FONT_PATH: the sans (黑体) face, empty = Debian
# fonts-wqy-zenhei (notices of schema 1–2 use it alone, else fonts-droid-fallback);
# NOTICE_SERIF_FONT_PATH: the 明/宋 serif of title and body, empty = fonts-arphic-uming;
# NOTICE_KAI_FONT_PATH: the 楷体 of second-level headings, empty = fonts-arphic-ukai.
NOTICE_FONT_PATH = env.str("NOTICE_FONT_PATH", default="")
NOTICE_SERIF_FONT_PATH = env.str("NOTICE_SERIF_FONT_PATH", default="")
NOTICE_KAI_FONT_PATH = env.str("NOTICE_KAI_FONT_PATH", default="")
# A rendering notice without a progress heartbeat for this long lost its worker
# and is sent again (must exceed the task's hard time limit, 300 s).
NOTICE_STALE_SECONDS = env.int("NOTICE_STALE_SECONDS", default=600)
# Test hook only: seconds to pause between writing <name>.pdf.tmp and moving it into place.

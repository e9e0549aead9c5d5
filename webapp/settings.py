"""LabelTune settings: one module, every knob an environment variable.

With no environment at all this is a working development setup (SQLite under var/,
an embedded Redis started by `manage.py up`). Production sets DEBUG=0, SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL and REDIS_URL; see the README's Configuration table.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0, not {value!r}.")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "1")
DATA_DIR = Path(os.getenv("LABELTUNE_DATA_DIR", BASE_DIR / "var")).resolve()

SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0.")
    SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_rq",
    "axes",
    "webapp.queue",
    "webapp.accounts",
    "webapp.spreadsheets",
    "webapp.runs",
    "webapp.catalog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lib.htmx.HtmxLoginMiddleware",  # an expired session sends the whole page to the login
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lib.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it answers a locked-out sign-in
]

ROOT_URLCONF = "webapp.urls"
WSGI_APPLICATION = "webapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write to the same file: wait for locks, don't fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 30, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (django-axes, with webapp.accounts.lockout.PairAndAddressHandler):
# 1. LOGIN_FAILURE_LIMIT wrong passwords for one account from one address pause that account
#    at that address for LOGIN_COOLOFF_MINUTES; the account still signs in from elsewhere and
#    other accounts still sign in from that address (an office behind one address).
# 2. LOGIN_ADDRESS_FAILURE_LIMIT wrong passwords from one address, for any accounts, within
#    LOGIN_ADDRESS_WINDOW_MINUTES pause every sign-in from that address (password guessing).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out sign-in before the password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "webapp.accounts.lockout.PairAndAddressHandler"
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # the pair, never either one alone
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # one row per wrong password: the per-address count
LOGIN_ADDRESS_FAILURE_LIMIT = envint("LOGIN_ADDRESS_FAILURE_LIMIT", "30")
LOGIN_ADDRESS_WINDOW = timedelta(minutes=envint("LOGIN_ADDRESS_WINDOW_MINUTES", "60"))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "webapp.accounts.lockout.locked_out"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# E-mail (team invitations, password resets). With no EMAIL_HOST it is printed on the
# console (the Quickstart's terminal); with EMAIL_HOST it goes out through that SMTP server.
EMAIL_HOST = os.getenv("EMAIL_HOST", "")
EMAIL_BACKEND = os.getenv(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = EMAIL_HOST or "localhost"  # an SMTP backend named without a host: this machine
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")  # STARTTLS, usually on port 587
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "0")  # TLS from the start, usually on port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
EMAIL_PORT = envint("EMAIL_PORT", "587" if EMAIL_USE_TLS else "465" if EMAIL_USE_SSL else "25")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "10")  # seconds; a dead mail server must not hang a page
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "LabelTune <labeltune@localhost>")
PASSWORD_RESET_TIMEOUT = 24 * 3600  # seconds a password reset link works (once)
# The prediction API: requests a minute per token (0 turns the limit off).
API_RATE_PER_MINUTE = envint("API_RATE_PER_MINUTE", "120")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", DATA_DIR / "media")).resolve()
MEDIA_URL = "/media/"  # never served directly: downloads go through team-checked views


def s3_storage(bucket: str, endpoint_url: str = "", region: str = "", prefix: str = "") -> dict:
    """STORAGES["default"] for an S3-compatible bucket (AWS S3, MinIO, Ceph...). Credentials
    come the way boto3 finds them: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a role."""
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,  # None: AWS itself
        "region_name": region or None,
        "location": prefix.strip("/"),  # a folder inside the bucket; "" for the whole bucket
        "file_overwrite": True,  # names carry uuids; a new epoch's checkpoint replaces the last
        "default_acl": None,  # private objects; the bucket's policy decides
        "signature_version": "s3v4",
        "querystring_expire": 300,  # seconds a presigned download link works
    }
    if endpoint_url:
        options["addressing_style"] = "path"  # MinIO and most self-hosted servers want it
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


# Uploads, run folders and scored files: the media folder above, or an S3-compatible bucket
# when LABELTUNE_S3_BUCKET is set (every web and worker machine then shares it). Each machine
# keeps local copies of what it reads in LABELTUNE_CACHE_DIR (models it loaded, inputs).
LABELTUNE_S3_BUCKET = os.getenv("LABELTUNE_S3_BUCKET", "")
if LABELTUNE_S3_BUCKET:
    STORAGES["default"] = s3_storage(
        LABELTUNE_S3_BUCKET,
        endpoint_url=os.getenv("AWS_S3_ENDPOINT_URL", ""),
        region=os.getenv("AWS_S3_REGION_NAME", os.getenv("AWS_DEFAULT_REGION", "")),
        prefix=os.getenv("LABELTUNE_S3_PREFIX", ""),
    )
LABELTUNE_CACHE_DIR = Path(os.getenv("LABELTUNE_CACHE_DIR", DATA_DIR / "cache")).resolve()
# Downloads from a bucket: 0 streams them through the web process; 1 redirects the browser
# to a presigned link valid for 5 minutes (the browser must reach the storage's address).
LABELTUNE_S3_PRESIGNED_DOWNLOADS = envbool("LABELTUNE_S3_PRESIGNED_DOWNLOADS", "0")

# Uploads: spreadsheets above this size are refused with a plain message.
MAX_UPLOAD_MB = envint("MAX_UPLOAD_MB", "50")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Queue. `manage.py up` starts an embedded Redis and sets REDIS_URL when it is unset.
REDIS_URL = os.getenv("REDIS_URL", "redis://127.0.0.1:6379/0")
# Seconds a page waits for Redis before saying the queue is not reachable: a paused or hung
# Redis must not hang the request. RQ workers raise it for their own long waits.
REDIS_TIMEOUT = envint("REDIS_TIMEOUT", "5")
TRAINING_JOB_TIMEOUT = envint("TRAINING_JOB_TIMEOUT", str(24 * 3600))


def with_timeouts(url: str, seconds: int) -> str:
    """The Redis URL with connect and reply timeouts, unless it names its own."""
    if "socket_timeout=" in url:
        return url
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}socket_timeout={seconds}&socket_connect_timeout={seconds}"


RQ_QUEUES = {
    "training": {"URL": with_timeouts(REDIS_URL, REDIS_TIMEOUT),
                 "DEFAULT_TIMEOUT": TRAINING_JOB_TIMEOUT},
    "predictions": {"URL": with_timeouts(REDIS_URL, REDIS_TIMEOUT), "DEFAULT_TIMEOUT": 3600},
}  # fmt: skip
# Caches: "default" is each process's own memory; "shared" is the queue's Redis, for what
# every web process and machine must count together: the API's requests per token.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": with_timeouts(REDIS_URL, REDIS_TIMEOUT),
        "KEY_PREFIX": "labeltune",
    },
}
RQ_SHOW_ADMIN_LINK = True
# The worker class marks runs whose work horse died, and repairs stuck runs when it starts.
RQ = {"WORKER_CLASS": "webapp.queue.worker.Worker"}

# Extra base models: every model folder inside this folder appears in the catalogue
# (pre-downloaded or in-house models for sites without internet). Empty: none.
LABELTUNE_LOCAL_MODELS_DIR = os.getenv("LABELTUNE_LOCAL_MODELS_DIR", "")
# Trained models the web process keeps loaded for "Try it" (each holds its weights in memory).
PREDICTOR_CACHE_SIZE = envint("PREDICTOR_CACHE_SIZE", "3")
# Predictions each web process computes at once ("Try it" and the API); a request that finds
# no free slot within PREDICT_WAIT_SECONDS is answered 429 "busy, try again", never queued on.
PREDICT_CONCURRENCY = envint("PREDICT_CONCURRENCY", "2")
PREDICT_WAIT_SECONDS = envint("PREDICT_WAIT_SECONDS", "5")
# Threads each of those predictions uses. One text gains little from more, and on a busy
# machine threads that wait for each other made a Try-it answer take 20 times as long.
PREDICT_THREADS = envint("PREDICT_THREADS", "1")


# Production hardening; `manage.py check --deploy` passes when DEBUG=0.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
# Cookies only over HTTPS; scripts/start serves plain HTTP on one machine and sets it to 0.
SECURE_COOKIES = envbool("SECURE_COOKIES", "0" if DEBUG else "1")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind a proxy that terminates HTTPS and sets X-Forwarded-Proto and X-Forwarded-For, set
# TRUST_PROXY_HEADERS=1. Without a proxy, a client could forge these headers, so they are ignored.
TRUST_PROXY_HEADERS = envbool("TRUST_PROXY_HEADERS", "0")
if TRUST_PROXY_HEADERS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_ORDER = "right-most"  # the address the proxy itself added
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},  # failed and refused sign-ins, not every success
        # Django's own console handler (DEBUG only) would print each line a second time.
        "django": {"handlers": [], "level": "INFO"},
    },
}

"""Django settings built in code for one desk folder: no settings module, no ``manage.py``.

A desk folder holds ``desk.json`` (where its database and queue are), ``secret.key``, the SQLite
database and queue (unless PostgreSQL or Redis are named) and ``files/`` (every stored file, named
by its SHA-256).  Every desk command and the server start by ``configure(folder)``.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gaidocx.desk import MAX_UPLOAD_BYTES

CONFIG_NAME = "desk.json"
SECRET_NAME = "secret.key"
DATABASE_NAME = "desk.sqlite3"
QUEUE_NAME = "queue.sqlite3"
#: The desk folder ``gaidocx serve`` uses (and creates) when none is named.
DEFAULT_FOLDER = "gaidocx-desk"


class DeskError(Exception):
    """A desk folder or option that cannot be used: the message says what to do."""


@dataclass(frozen=True, slots=True)
class DeskConfig:
    """What ``desk init`` decided, kept in ``desk.json`` so every later command agrees."""

    #: ``postgresql://…`` or None for SQLite in the folder
    database: str | None = None
    #: ``redis://…`` or None for huey's SQLite storage in the folder
    queue: str | None = None
    #: how agencies reach the desk; links are printed with it
    address: str = "http://127.0.0.1:8000"
    #: the desk's own queue, so that desks sharing one Redis never take each other's jobs
    queue_name: str = "gaidocx-desk"

    def save(self, folder: Path) -> None:
        (folder / CONFIG_NAME).write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> DeskConfig:
        try:
            data = json.loads((folder / CONFIG_NAME).read_text(encoding="utf-8"))
            return cls(**data)
        except FileNotFoundError:
            raise DeskError(f"“{folder}”不是收集台文件夹（没有 {CONFIG_NAME}）。请先运行 gaidocx desk init。") from None
        except (ValueError, TypeError) as exc:
            raise DeskError(f"收集台的配置文件“{folder / CONFIG_NAME}”已损坏：{exc}") from None


def database_settings(folder: Path, url: str | None) -> dict:
    """SQLite in the folder (WAL, so pages read while an upload writes; IMMEDIATE, so two writers
    wait for each other instead of failing), or the PostgreSQL server ``url`` names."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(folder / DATABASE_NAME),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise DeskError(f"--database 只支持 postgresql://… 形式的地址：{url}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "gaidocx",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
    }


def queue_settings(folder: Path, config: DeskConfig, *, immediate: bool) -> dict:
    """huey with its SQLite storage in the folder, or Redis when the config names one."""
    name = config.queue_name
    if immediate:
        return {"name": name, "huey_class": "huey.MemoryHuey", "immediate": True}
    if not config.queue:
        return {"name": name, "huey_class": "huey.SqliteHuey", "filename": str(folder / QUEUE_NAME), "immediate": False}
    if urlsplit(config.queue).scheme not in ("redis", "rediss"):
        raise DeskError(f"--queue 只支持 redis://… 形式的地址：{config.queue}")
    return {"name": name, "huey_class": "huey.PriorityRedisHuey", "url": config.queue, "immediate": False}


def secret_key(folder: Path) -> str:
    """Signs sessions and CSRF tokens; made once by ``desk init``, readable by its owner only."""
    path = folder / SECRET_NAME
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as stream:
            stream.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()


def configure(folder: Path, *, immediate: bool = False) -> DeskConfig:
    """Set Django up for the desk in ``folder`` (once per process).  ``immediate`` runs jobs in the
    request, for tests."""
    import django
    from django.conf import settings

    folder = folder.resolve()
    config = DeskConfig.load(folder)
    settings.configure(
        DEBUG=False,
        SECRET_KEY=secret_key(folder),
        # The office PC is reached by whatever name or address the office's network gives it.
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF="gaidocx.desk.urls",
        INSTALLED_APPS=["gaidocx.desk"],
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "gaidocx.desk.middleware.security_headers",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {}}],
        DATABASES={"default": database_settings(folder, config.database)},
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        HUEY=queue_settings(folder, config, immediate=immediate),
        # A session is a signed cookie naming the role and the link's hash; revoking the link ends it.
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_AGE=180 * 24 * 3600,
        CSRF_COOKIE_HTTPONLY=True,
        CSRF_COOKIE_SAMESITE="Lax",
        CSRF_FAILURE_VIEW="gaidocx.desk.views.csrf_failure",
        SECURE_CONTENT_TYPE_NOSNIFF=True,
        SECURE_REFERRER_POLICY="same-origin",
        X_FRAME_OPTIONS="DENY",
        # A workbook of at most 8 MiB stays in memory: it is read once, hashed and stored.
        FILE_UPLOAD_MAX_MEMORY_SIZE=MAX_UPLOAD_BYTES + 1,
        DATA_UPLOAD_MAX_NUMBER_FIELDS=100,
        USE_TZ=True,
        TIME_ZONE="Asia/Shanghai",
        LANGUAGE_CODE="zh-hans",
        USE_I18N=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        LOGGING_CONFIG=None,
        DESK_FOLDER=folder,
        DESK_ADDRESS=config.address,
    )
    django.setup()
    logging.getLogger("django.request").addFilter(_hide_link_secrets)
    return config


#: The addresses that carry a link's secret (``/a/…`` for an agency, ``/o/…`` for the office).
_LINK_PATHS = ("/a/", "/o/")


def _hide_link_secrets(record: logging.LogRecord) -> bool:
    """Django logs the path of every 404 and 429 (``Not Found: /a/…``): a mistyped or revoked
    link's path holds a secret, which must never reach the console or a log file."""
    if isinstance(record.args, tuple):  # Django passes the path (escaped) as an argument
        record.args = tuple(
            argument[:3] + "…" if isinstance(argument, str) and argument.startswith(_LINK_PATHS) else argument
            for argument in record.args
        )
    return True

"""Helpers for the desk's tests and benchmarks/desk.py: a browser for Django's test client and one
for a real ``gaidocx serve``, the workbooks uploaded, and every address of the desk to walk."""

from __future__ import annotations

import importlib.util
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from support import ROOT, SAMPLE_WORKBOOK, write_workbook

AREA, YEAR = "策勒县人民政府", 2024
AGENCY = "策勒县人民政府办公室"  # the sample workbook's own agency
OTHER = "策勒县财政局"
STARTED = re.compile(r"收集台已启动：(http://\S+?)/ ")


def load_test_module(relative: str):
    """A test module of another folder (test modules are not importable by name)."""
    spec = importlib.util.spec_from_file_location(Path(relative).stem, ROOT / "tests" / relative)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def path_of(link: str) -> str:
    """``http://host/a/SECRET`` → ``/a/SECRET``."""
    return "/" + link.split("/", 3)[3]


def client_for(link_path: str, *, csrf: bool = False):
    """A browser that opened ``link_path``."""
    from django.test import Client

    client = Client(enforce_csrf_checks=csrf)
    response = client.get(link_path)
    assert response.status_code == 303, response.status_code
    return client


def sample_bytes() -> bytes:
    return SAMPLE_WORKBOOK.read_bytes()


def broken_bytes(tmp_path: Path) -> bytes:
    """The sample with a negative count in 表三!D9."""

    def negative(workbook):
        workbook["表三"]["D9"] = -3

    return write_workbook(tmp_path / "broken.xlsx", edit=negative).read_bytes()


def upload(client, name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/agency/upload", {"workbook": SimpleUploadedFile(name, data)})


def text(response) -> str:
    return response.content.decode("utf-8")


class Served:
    """``gaidocx serve`` in a subprocess on a free port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gaidocx", "serve", str(folder), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        self.base = self._wait_for_start()

    def _wait_for_start(self) -> str:
        deadline = time.monotonic() + 60
        seen = []
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            seen.append(line)
            found = STARTED.search(line)
            if found:
                return found.group(1)
        self.process.kill()
        raise AssertionError("gaidocx serve did not start:\n" + "".join(seen))

    def stop(self) -> tuple[int, str]:
        """SIGTERM, as a service manager stops it; returns the exit code and the rest of its output."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            rest, _ = self.process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            rest, _ = self.process.communicate()
        return self.process.returncode, rest


def desk_command(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "gaidocx", "desk", *args], capture_output=True, text=True, encoding="utf-8", timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


class Browser:
    """A cookie-keeping HTTP client for the real server that does not follow redirects."""

    def __init__(self, base: str) -> None:
        import http.cookiejar

        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None):
        """(status, headers, body) — error statuses included, never raised."""
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def csrf(self, path: str) -> str:
        _, _, body = self.request(path)
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()

    def upload(self, name: str, data: bytes, token: str | None = None):
        token = token if token is not None else self.csrf("/agency/")
        body, kind = multipart({"csrfmiddlewaretoken": token}, "workbook", name, data)
        return self.request("/agency/upload", body, {"Content-Type": kind, "Referer": self.base + "/agency/"})

    def post(self, path: str, fields: dict[str, str], referer: str):
        token = self.csrf(referer)
        body, kind = multipart({"csrfmiddlewaretoken": token, **fields})
        return self.request(path, body, {"Content-Type": kind, "Referer": self.base + referer})


def multipart(fields: dict[str, str], file_field: str = "", name: str = "", data: bytes = b"") -> tuple[bytes, str]:
    boundary = "----gaidocxdesk7d93"
    out = io.BytesIO()
    for key, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    if file_field:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{name}"\r\n'.encode())
        out.write(b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


#: Views that take POST; every other address is read with GET.
POSTED = {"agency_upload", "office_add", "office_link", "office_revoke", "office_decide", "office_export"}
#: What anyone may read.
PUBLIC = {"healthz", "stylesheet"}
#: An agency's own addresses (its page, its upload form, its workbook).
OWN = {"agency_page", "agency_upload", "agency_workbook"}


@dataclass(frozen=True)
class Owned:
    """The ids of one agency's objects (and an export) that other roles must not reach."""

    agency: int
    upload: int
    export: int


def addresses(owned: Owned):
    """Every address of the desk (read from its URL patterns, so a new one is walked too) filled
    with ``owned``'s ids, as (method, path, view name); the link addresses are left out."""
    from django.urls import get_resolver

    for pattern in get_resolver().url_patterns:
        route, name = str(pattern.pattern), pattern.callback.__name__
        if "<str:secret>" in route:
            continue
        kind = "summary" if name == "office_export" else "docx"
        path = "/" + (
            route.replace("<int:upload_id>", str(owned.upload))
            .replace("<int:agency_id>", str(owned.agency))
            .replace("<int:export_id>", str(owned.export))
            .replace("<str:kind>", kind)
        )
        yield ("POST" if name in POSTED else "GET"), path, name


def expected_for(role: str, name: str) -> int | None:
    """404 for whatever is not the role's own; None where the address is the role's own."""
    if name in PUBLIC:
        return None
    if role == "agency" and name in OWN:
        return None
    if role == "office" and name.startswith("office_"):
        return None
    return 404


def enter(server, link_path: str) -> Browser:
    browser = Browser(server.base)
    status, headers, _ = browser.request(link_path)
    assert status == 303 and headers["Location"] == ("/agency/" if "/a/" in link_path else "/office/")
    assert headers["Referrer-Policy"] == "no-referrer"
    return browser


def rows(folder, sql: str, *args):
    with sqlite3.connect(f"file:{folder / 'desk.sqlite3'}?mode=ro", uri=True) as connection:
        return connection.execute(sql, args).fetchall()


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)

"""The desk in this process (Django's test client, jobs run at once) and as a real ``gaidocx serve``."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("django")
pytest.importorskip("waitress")
pytest.importorskip("huey")

from support import SAMPLE_WORKBOOK, write_workbook  # noqa: E402

AREA, YEAR = "策勒县人民政府", 2024
AGENCY = "策勒县人民政府办公室"  # the sample workbook's own agency
OTHER = "策勒县财政局"
STARTED = re.compile(r"收集台已启动：(http://\S+?)/ ")


@pytest.fixture(scope="session")
def desk_folder(tmp_path_factory):
    """Django set up once for this process, on a desk folder of its own, jobs run in the request."""
    from gaidocx.desk.settings import DeskConfig, configure

    folder = tmp_path_factory.mktemp("desk")
    DeskConfig().save(folder)
    configure(folder, immediate=True)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return folder


@dataclass
class Desk:
    office: str  # the office link's path, /o/…
    agencies: dict[str, str]  # name → /a/… path


@pytest.fixture
def desk(desk_folder, monkeypatch):
    """A fresh area with two agencies; no LibreOffice unless a test puts it back."""
    from django.core.management import call_command

    from gaidocx.desk import service
    from gaidocx.document import pdf

    call_command("flush", verbosity=0, interactive=False)
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    office = service.start_area(AREA, YEAR)
    links = dict(service.add_agencies([AGENCY, OTHER]))
    return Desk(_path(office), {name: _path(link) for name, link in links.items()})


def _path(link: str) -> str:
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


# ---------------------------------------------------------------- a real gaidocx serve


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


@pytest.fixture
def served(tmp_path):
    """A new desk with two agencies, served; yields (Served, office path, {agency: path})."""
    folder = tmp_path / "desk"
    office = desk_command("init", str(folder), "--area", AREA, "--year", str(YEAR)).stdout
    office_path = _path(re.search(r"http://\S+/o/\S+", office).group(0))
    added = desk_command("add", str(folder), AGENCY, OTHER).stdout
    agencies = {name: _path(link) for name, link in (line.split("\t") for line in added.splitlines())}
    server = Served(folder)
    yield server, office_path, agencies
    server.stop()


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

"""The desk in this process (Django's test client, jobs run at once) and as a real ``gaidocx serve``."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

pytest.importorskip("django")
pytest.importorskip("waitress")
pytest.importorskip("huey")

from desk_support import AGENCY, AREA, OTHER, YEAR, Served, desk_command, path_of  # noqa: E402


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
    return Desk(path_of(office), {name: path_of(link) for name, link in links.items()})


@pytest.fixture
def served(tmp_path):
    """A new desk with two agencies, served; yields (Served, office path, {agency: path})."""
    folder = tmp_path / "desk"
    office = desk_command("init", str(folder), "--area", AREA, "--year", str(YEAR)).stdout
    office_path = path_of(re.search(r"http://\S+/o/\S+", office).group(0))
    added = desk_command("add", str(folder), AGENCY, OTHER).stdout
    agencies = {name: path_of(link) for name, link in (line.split("\t") for line in added.splitlines())}
    server = Served(folder)
    yield server, office_path, agencies
    server.stop()

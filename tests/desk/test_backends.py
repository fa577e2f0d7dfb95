"""The same desk on PostgreSQL (``--database``), on a Redis queue (``--queue``), and with its jobs
done by ``gaidocx desk worker``.  PostgreSQL and Redis are the real servers that .ci/run starts and
names in GAIDOCX_TEST_POSTGRES and GAIDOCX_TEST_REDIS; without them those cases are skipped."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from desk_support import AGENCY, AREA, OTHER, YEAR, Served, broken_bytes, desk_command, enter, rows, sample_bytes, wait_for

POSTGRES = os.environ.get("GAIDOCX_TEST_POSTGRES")
REDIS = os.environ.get("GAIDOCX_TEST_REDIS")


@pytest.fixture
def postgres_database():
    """A database of its own on the test server, dropped afterwards."""
    if not POSTGRES:
        pytest.skip("GAIDOCX_TEST_POSTGRES is not set")
    psycopg = pytest.importorskip("psycopg")
    name = f"gaidocx_test_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield urlsplit(POSTGRES)._replace(path=f"/{name}").geturl(), name
    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def new_desk(folder, *options: str) -> tuple[str, dict[str, str]]:
    office = desk_command("init", str(folder), "--area", AREA, "--year", str(YEAR), *options).stdout
    added = desk_command("add", str(folder), AGENCY, OTHER).stdout
    links = {name: "/" + link.split("/", 3)[3] for name, link in (line.split("\t") for line in added.splitlines())}
    return "/" + re.search(r"http://\S+/o/\S+", office).group(0).split("/", 3)[3], links


def test_the_desk_on_postgresql(tmp_path, postgres_database):
    import psycopg

    url, _ = postgres_database
    folder = tmp_path / "desk"
    options = ["--database", url] + (["--queue", REDIS] if REDIS else [])
    office_path, agencies = new_desk(folder, *options)
    assert not (folder / "desk.sqlite3").exists()
    server = Served(folder)
    try:
        clerk = enter(server, agencies[AGENCY])
        assert "检查通过" in clerk.upload("填报表.xlsx", sample_bytes())[2].decode()
        other = enter(server, agencies[OTHER])
        assert "共 1 个错误" in other.upload("错的.xlsx", broken_bytes(tmp_path))[2].decode()
        office = enter(server, office_path)
        wait_for(lambda: "Word 文档" in office.request("/office/")[2].decode())
    finally:
        server.stop()
    with psycopg.connect(url) as connection:
        assert connection.execute("select file_name, outcome from desk_upload order by id").fetchall() == [
            ("填报表.xlsx", "passed"), ("错的.xlsx", "errors")]
        assert connection.execute("select count(*) from desk_product").fetchone()[0] >= 3
    again = Served(folder)
    try:
        office.base = again.base
        page = office.request("/office/")[2].decode()
        assert "检查通过" in page and "有错误" in page
    finally:
        again.stop()


@pytest.mark.parametrize("queue", [None, "redis"])
def test_a_worker_does_the_jobs(tmp_path, queue):
    """An upload received while no server runs waits in the queue until ``gaidocx desk worker`` takes it."""
    if queue == "redis" and not REDIS:
        pytest.skip("GAIDOCX_TEST_REDIS is not set")
    folder = tmp_path / "desk"
    new_desk(folder, *(["--queue", REDIS] if queue else []))
    (folder / "填报表.xlsx").write_bytes(sample_bytes())
    receive = (
        "import sys; from pathlib import Path; from gaidocx.desk.settings import configure; configure(Path(sys.argv[1]));"
        "from gaidocx.desk import service, tasks; tasks.receive(service.agency_named(sys.argv[2]), '填报表.xlsx',"
        " (Path(sys.argv[1]) / '填报表.xlsx').read_bytes())"
    )
    subprocess.run([sys.executable, "-c", receive, str(folder), AGENCY], check=True, timeout=120)
    assert rows(folder, "select files from desk_upload") == [("making",)]
    time.sleep(1)
    assert rows(folder, "select files from desk_upload") == [("making",)]  # nobody has taken the job yet
    worker = subprocess.Popen([sys.executable, "-m", "gaidocx", "desk", "worker", str(folder)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: rows(folder, "select files from desk_upload") == [("made",)], 120)
        assert {suffix for (suffix,) in rows(folder, "select suffix from desk_product")} >= {".docx", ".html", ".json"}
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert worker.returncode is not None

"""``gaidocx desk …`` as a user runs it: a process, its printed links and exit codes."""

from __future__ import annotations

import subprocess
import sys

from desk_support import AREA, YEAR, desk_command


def test_init_add_link_revoke(tmp_path):
    folder = tmp_path / "收集台"
    made = desk_command("init", str(folder), "--area", AREA, "--year", str(YEAR))
    assert made.stdout.count("/o/") == 1
    again = desk_command("init", str(folder), "--area", AREA, "--year", str(YEAR), check=False)
    assert again.returncode == 2 and "已经是一个收集台" in again.stderr

    names = tmp_path / "名单.txt"
    names.write_bytes("策勒县教育局\r\n\r\n策勒县卫生健康委员会\r\n".encode("gb18030"))
    added = desk_command("add", str(folder), "策勒县财政局", "--from", str(names)).stdout.splitlines()
    links = dict(line.split("\t") for line in added)
    assert list(links) == ["策勒县财政局", "策勒县教育局", "策勒县卫生健康委员会"]
    assert all("/a/" in link and len(link.rsplit("/", 1)[1]) >= 43 for link in links.values())  # 256 bits
    twice = desk_command("add", str(folder), "策勒县财政局", check=False)
    assert twice.returncode == 2 and "已经登记过" in twice.stderr

    renewed = desk_command("link", str(folder), "策勒县财政局").stdout.strip().split("\t")
    assert renewed[0] == "策勒县财政局" and renewed[1] != links["策勒县财政局"]
    assert "/o/" in desk_command("link", str(folder), "--office").stdout
    assert "已作废" in desk_command("revoke", str(folder), "策勒县教育局").stdout
    assert "2025 年度" in desk_command("year", str(folder), "2025").stdout
    backwards = desk_command("year", str(folder), "2024", check=False)
    assert backwards.returncode == 2 and "新的年度应在 2025 之后" in backwards.stderr
    unknown = desk_command("revoke", str(folder), "不存在的局", check=False)
    assert unknown.returncode == 2 and "没有登记这个机关" in unknown.stderr

    database = (folder / "desk.sqlite3").read_bytes()
    for link in links.values():
        assert link.rsplit("/", 1)[1].encode() not in database  # only hashes are kept


def test_a_folder_that_is_no_desk(tmp_path):
    result = desk_command("add", str(tmp_path), "某局", check=False)
    assert result.returncode == 2 and "不是收集台文件夹" in result.stderr


def test_without_the_desk_extra_the_command_says_how_to_install_it(tmp_path):
    blocked = "import sys; sys.modules['django'] = None; from gaidocx.__main__ import main; sys.argv = ['gaidocx', *sys.argv[1:]]; main()"
    for args in (["serve", str(tmp_path)], ["desk", "init", str(tmp_path), "--area", "某县", "--year", "2024"]):
        result = subprocess.run([sys.executable, "-c", blocked, *args], capture_output=True, text=True, encoding="utf-8")
        assert result.returncode == 2, result.stderr
        assert 'pip install "gaidocx[desk]"' in result.stderr
    assert not any(tmp_path.iterdir())


def test_the_plain_commands_do_not_load_django():
    code = "import sys; from gaidocx.cli import cli; print('django' in sys.modules, 'huey' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False False"


def test_serve_without_a_folder_makes_one_prints_the_office_link_and_stops_on_ctrl_c(tmp_path):
    import re
    import signal
    import urllib.request

    from desk_support import STARTED

    process = subprocess.Popen(
        [sys.executable, "-m", "gaidocx", "serve", "--port", "0", "--area", AREA, "--year", str(YEAR)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
    )
    try:
        printed = []
        for line in process.stdout:
            printed.append(line)
            if STARTED.search(line):
                break
        assert any(re.search(r"http://127\.0\.0\.1:8000/o/\S{43}", line) for line in printed), printed
        base = STARTED.search(printed[-1]).group(1)
        assert urllib.request.urlopen(base + "/healthz", timeout=30).status == 200
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=60)
    assert process.returncode == 0 and "收集台已停止" in rest
    assert (tmp_path / "gaidocx-desk" / "desk.json").exists()
    again = subprocess.run([sys.executable, "-m", "gaidocx", "serve", str(tmp_path / "elsewhere")], capture_output=True, text=True, encoding="utf-8")
    assert again.returncode == 2 and "不是收集台文件夹" in again.stderr

"""The collection desk under the deadline week's load, as ratios against one `gaidocx check` process.

    python benchmarks/desk.py [--uploads 200] [--agencies 20] [--at-once 10] [--dashboard 200]

Run it after `pip install ".[desk]"`.  T is the median of three `gaidocx check` processes of the
sample, measured in the same run.  Figures (issue 15):

- 200 uploads from 20 agencies, 10 at a time: every answer carries the verdict, none is an error;
  all answered ≤ 20 × T, p95 of one answer ≤ 2 × T;
- the .docx, page and JSON of all 200 ready ≤ 40 × T after the first upload was sent;
- the office's page with 200 agencies answers ≤ 1 × T (median of 5);
- the desk's memory (resident set of the `gaidocx serve` process) after those uploads ≤ 300 MB.

The desk runs as a real `gaidocx serve` on 127.0.0.1 in a temporary folder; nothing else is contacted.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from desk_support import Browser, Served, desk_command  # noqa: E402

SAMPLE = ROOT / "samples" / "cele-county-2024.xlsx"
GAIDOCX = [sys.executable, "-m", "gaidocx"]
VERDICT = re.compile(r"检查通过|个错误")


def check_process_seconds() -> float:
    """T: one whole `gaidocx check` process of the sample (median of three, after a warm-up)."""
    times = []
    for _ in range(4):
        started = time.perf_counter()
        subprocess.run([*GAIDOCX, "check", str(SAMPLE)], capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def count(folder: Path, sql: str) -> int:
    with sqlite3.connect(f"file:{folder / 'desk.sqlite3'}?mode=ro", uri=True, timeout=30) as connection:
        return connection.execute(sql).fetchone()[0]


def report(name: str, value: float, bound: float, unit: str = "×T") -> bool:
    ok = value <= bound
    print(f"{name}: {value:.2f}{unit} (target ≤ {bound}{unit}) {'ok' if ok else 'OVER'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--at-once", type=int, default=10)
    parser.add_argument("--dashboard", type=int, default=200, help="agencies on the office's page")
    options = parser.parse_args()
    unit = check_process_seconds()
    print(f"T (one gaidocx check process of the sample): {unit:.3f} s")
    data = SAMPLE.read_bytes()
    results = []
    with tempfile.TemporaryDirectory(prefix="gaidocx-desk-bench-") as temporary:
        folder = Path(temporary) / "desk"
        office = re.search(r"(/o/\S+)", desk_command("init", str(folder), "--area", "基准测试县", "--year", "2024").stdout).group(1)
        names = [f"基准单位{n:04d}" for n in range(max(options.agencies, options.dashboard))]
        lines = desk_command("add", str(folder), *names).stdout.splitlines()
        links = [re.search(r"(/a/\S+)", line).group(1) for line in lines]
        server = Served(folder)
        try:
            clerks = []
            for link in links[: options.agencies]:
                clerk = Browser(server.base)
                clerk.request(link)
                clerks.append((clerk, clerk.csrf("/agency/")))

            def send(index: int) -> tuple[float, int, bool]:
                clerk, token = clerks[index % len(clerks)]
                started = time.perf_counter()
                status, _, body = clerk.upload(f"第{index}次.xlsx", data, token=token)
                return time.perf_counter() - started, status, bool(VERDICT.search(body.decode("utf-8", "replace")))

            first_sent = time.perf_counter()
            with ThreadPoolExecutor(options.at_once) as pool:
                answers = list(pool.map(send, range(options.uploads)))
            all_answered = time.perf_counter() - first_sent
            while count(folder, "select count(*) from desk_upload where files = 'made'") < options.uploads:
                if time.perf_counter() - first_sent > 600:
                    break
                time.sleep(0.1)
            files_ready = time.perf_counter() - first_sent
            memory = resident_mb(server.process.pid)

            boss = Browser(server.base)
            boss.request(office)
            boss.request("/office/")
            page_times = []
            for _ in range(5):
                started = time.perf_counter()
                status, _, body = boss.request("/office/")
                page_times.append(time.perf_counter() - started)
            rows = body.decode().count('<tr class="status-row">')
        finally:
            server.stop()
    latencies = sorted(seconds for seconds, _, _ in answers)
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    bad = [(status, verdict) for _, status, verdict in answers if status != 200 or not verdict]
    print(f"{options.uploads} uploads from {options.agencies} agencies, {options.at_once} at a time: "
          f"{len(answers) - len(bad)} answered with a verdict, {len(bad)} not")
    results.append(not bad)
    results.append(report("all answered", all_answered / unit, 20))
    results.append(report("p95 of one answer", p95 / unit, 2))
    print(f"  (all answered in {all_answered:.2f} s; median answer {statistics.median(latencies):.3f} s, p95 {p95:.3f} s)")
    results.append(report(".docx, page and JSON of all ready", files_ready / unit, 40))
    print(f"  (ready {files_ready:.2f} s after the first upload was sent)")
    results.append(report(f"office page with {rows} agencies", statistics.median(page_times) / unit, 1))
    results.append(report("desk's memory after the uploads", memory, 300, " MB"))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()

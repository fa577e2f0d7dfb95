"""Measure how fast and how lean gaidocx refuses malicious workbooks.

    python benchmarks/hostile.py [--runs 5]

Builds three files from the shipped sample (tests/malicious.py) — a zip bomb
(a sheet that inflates to 300 MB), the same bomb lying about its size, and an
XML entity expansion ("billion laughs") — then runs `gaidocx check` on each as
a whole process and prints the median wall time and the peak memory (max RSS)
of that process.  Targets: under 2 s and under 200 MB each.  Run it after
`pip install .`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from malicious import billion_laughs, lying_zip_bomb, zip_bomb  # noqa: E402

BOMB_SIZE = 300 * 1024 * 1024
CASES = {
    "zip-bomb": lambda: zip_bomb(BOMB_SIZE),
    "lying-zip-bomb": lambda: lying_zip_bomb(BOMB_SIZE),
    "billion-laughs": billion_laughs,
}


def measure(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak memory in MB and exit code of one whole process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        for name, make in CASES.items():
            (args.make / f"{name}.xlsx").write_bytes(make())
        return
    command = shutil.which("gaidocx") or sys.exit("gaidocx is not installed: pip install . first")
    with tempfile.TemporaryDirectory() as folder:
        # Built by a child process: a child forked from a parent holding 300 MB would report that as its peak.
        subprocess.run([sys.executable, __file__, "--make", folder], check=True)
        for name in CASES:
            path = Path(folder) / f"{name}.xlsx"
            runs = [measure([command, "check", str(path)]) for _ in range(args.runs)]
            print(
                f"{name:15} file {path.stat().st_size / 1024:5.0f} KB  "
                f"median {statistics.median(t for t, _, _ in runs):.3f} s  "
                f"peak {max(m for _, m, _ in runs):.0f} MB  exit {sorted({code for _, _, code in runs})}"
            )


if __name__ == "__main__":
    main()

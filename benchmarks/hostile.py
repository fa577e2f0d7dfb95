"""Measure how fast and how lean gaidocx refuses malicious workbooks.

    python benchmarks/hostile.py [--runs 5]

Builds hostile files from the shipped sample (tests/malicious.py) and runs
gaidocx on each as a whole process, printing the median wall time and the peak
memory (max RSS) of that process.  Workbooks: a zip bomb (a sheet that inflates
to 300 MB), the same bomb lying about its size, an XML entity expansion
("billion laughs"), one 20-million-character shared string in every figure cell
(with and without the version marker: the 2019-format scan), narrative cells of
Alt+Enter lines (just under the reader's bound, rendered; far over it,
refused).  Word templates (``render --template``): a 1 GiB part, code that
loops, multiplies strings or doubles a namespace.  Targets (issue 10): under
5 s and 300 MB each.  Run it after `pip install .`.
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

from malicious import (  # noqa: E402
    SAMPLE_WORKBOOK,
    alt_enter_lines,
    billion_laughs,
    giant_shared_string,
    lying_zip_bomb,
    template_with_code,
    template_with_huge_part,
    zip_bomb,
)

BOMB_SIZE = 300 * 1024 * 1024
#: name → (what to build, which command: "check" or "render" the workbook, or "template" to render the sample with it)
CASES = {
    "zip-bomb": (lambda: zip_bomb(BOMB_SIZE), "check"),
    "lying-zip-bomb": (lambda: lying_zip_bomb(BOMB_SIZE), "check"),
    "billion-laughs": (billion_laughs, "check"),
    "giant-shared-string": (giant_shared_string, "check"),
    "giant-no-version": (lambda: giant_shared_string(version=False), "check"),
    "alt-enter-1600": (lambda: alt_enter_lines(20, 80), "render"),
    "alt-enter-32000": (lambda: alt_enter_lines(400, 80), "check"),
    "template-1GiB-part": (lambda: template_with_huge_part(1024**3), "template"),
    "template-loops": (lambda: template_with_code("{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}"), "template"),
    "template-string-times": (lambda: template_with_code('{{ "x" * 1000000000 }}'), "template"),
    "template-doubling": (
        lambda: template_with_code('{% set ns = namespace(s="xx") %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}'),
        "template",
    ),
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
        for name, (make, command) in CASES.items():
            (args.make / f"{name}{'.docx' if command == 'template' else '.xlsx'}").write_bytes(make())
        return
    command = shutil.which("gaidocx") or sys.exit("gaidocx is not installed: pip install . first")
    with tempfile.TemporaryDirectory() as folder:
        # Built by a child process: a child forked from a parent holding 300 MB would report that as its peak.
        subprocess.run([sys.executable, __file__, "--make", folder], check=True)
        for name, (_, kind) in CASES.items():
            path = Path(folder) / f"{name}{'.docx' if kind == 'template' else '.xlsx'}"
            output = Path(folder) / "out.docx"
            arguments = {
                "check": ["check", str(path)],
                "render": ["render", str(path), "-o", str(output), "--force"],
                "template": ["render", str(SAMPLE_WORKBOOK), "--template", str(path), "-o", str(output), "--force"],
            }[kind]
            runs = [measure([command, *arguments]) for _ in range(args.runs)]
            print(
                f"{name:22} {kind:8} file {path.stat().st_size / 1024:5.0f} KB  "
                f"median {statistics.median(t for t, _, _ in runs):.3f} s  "
                f"peak {max(m for _, m, _ in runs):.0f} MB  exit {sorted({code for _, _, code in runs})}"
            )


if __name__ == "__main__":
    main()

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

Each area adds its cases in a module of its own, ``benchmarks/hostile_*.py``, holding
``CASES``: name → ``Case`` (how to build the file, its suffix, and the command's
arguments given the file and an output folder); they are gathered here.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent / "tests"), str(Path(__file__).resolve().parent)]

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


@dataclass(frozen=True)
class Case:
    """A hostile file and the gaidocx command that meets it."""

    make: Callable[[], bytes]
    suffix: str
    #: the command's arguments, given the file and a folder for outputs
    arguments: Callable[[str, str], list[str]]


def checked(make: Callable[[], bytes]) -> Case:
    return Case(make, ".xlsx", lambda path, out: ["check", path])


def rendered(make: Callable[[], bytes]) -> Case:
    return Case(make, ".xlsx", lambda path, out: ["render", path, "-o", f"{out}/out.docx", "--force"])


def as_template(make: Callable[[], bytes]) -> Case:
    """A Word template the sample is rendered with."""
    return Case(make, ".docx", lambda path, out: ["render", str(SAMPLE_WORKBOOK), "--template", path, "-o", f"{out}/out.docx", "--force"])


CASES: dict[str, Case] = {
    "zip-bomb": checked(lambda: zip_bomb(BOMB_SIZE)),
    "lying-zip-bomb": checked(lambda: lying_zip_bomb(BOMB_SIZE)),
    "billion-laughs": checked(billion_laughs),
    "giant-shared-string": checked(giant_shared_string),
    "giant-no-version": checked(lambda: giant_shared_string(version=False)),
    "alt-enter-1600": rendered(lambda: alt_enter_lines(20, 80)),
    "alt-enter-32000": checked(lambda: alt_enter_lines(400, 80)),
    "template-1GiB-part": as_template(lambda: template_with_huge_part(1024**3)),
    "template-loops": as_template(lambda: template_with_code("{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}")),
    "template-string-times": as_template(lambda: template_with_code('{{ "x" * 1000000000 }}')),
    "template-doubling": as_template(
        lambda: template_with_code('{% set ns = namespace(s="xx") %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}')
    ),
}


def all_cases() -> dict[str, Case]:
    """This module's cases and those of every ``hostile_*.py`` beside it."""
    cases = dict(CASES)
    for module in sorted(Path(__file__).parent.glob("hostile_*.py")):
        cases.update(importlib.import_module(module.stem).CASES)
    return cases


def measure(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak memory in MB and exit code of one whole process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="run only the cases whose name contains this")
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    cases = {name: case for name, case in all_cases().items() if not args.only or args.only in name}
    if args.make:
        for name, case in cases.items():
            (args.make / f"{name}{case.suffix}").write_bytes(case.make())
        return
    command = shutil.which("gaidocx") or sys.exit("gaidocx is not installed: pip install . first")
    with tempfile.TemporaryDirectory() as folder:
        # Built by a child process: a child forked from a parent holding 300 MB would report that as its peak.
        make = [sys.executable, __file__, "--make", folder] + (["--only", args.only] if args.only else [])
        subprocess.run(make, check=True)
        for name, case in cases.items():
            path = Path(folder) / f"{name}{case.suffix}"
            runs = [measure([command, *case.arguments(str(path), folder)]) for _ in range(args.runs)]
            print(
                f"{name:30} file {path.stat().st_size / 1024:7.0f} KB  "
                f"median {statistics.median(t for t, _, _ in runs):.3f} s  "
                f"peak {max(m for _, m, _ in runs):.0f} MB  exit {sorted({code for _, _, code in runs})}"
            )


if __name__ == "__main__":
    main()

"""In-process timings of the two steps every report takes: reading the workbook and rendering the document.

    python benchmarks/inprocess.py [--runs 21]

Prints the median in milliseconds of ``read_workbook`` on the shipped sample,
of ``render_docx`` (the default template, prepared once per process and
reused) and of the first ``render_docx`` in a process (which prepares it).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "cele-county-2024.xlsx"
FIRST = """
import time
from gaidocx.workbook.read import read_workbook
from gaidocx.document.render import render_docx
report = read_workbook({sample!r}).report
started = time.perf_counter()
render_docx(report)
print((time.perf_counter() - started) * 1000)
"""


def median_ms(action, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from gaidocx.document.render import render_docx
    from gaidocx.workbook.read import read_workbook

    report = read_workbook(SAMPLE).report
    render_docx(report)  # prepares the default template
    print(f"read_workbook (sample)         median {median_ms(lambda: read_workbook(SAMPLE), args.runs):7.1f} ms")
    print(f"render_docx (prepared)         median {median_ms(lambda: render_docx(report), args.runs):7.1f} ms")
    firsts = [
        float(subprocess.run([sys.executable, "-c", FIRST.format(sample=str(SAMPLE))], capture_output=True, text=True,
                             check=True, cwd=ROOT).stdout)
        for _ in range(max(3, args.runs // 4))
    ]
    print(f"render_docx (first in process) median {statistics.median(firsts):7.1f} ms")


if __name__ == "__main__":
    main()

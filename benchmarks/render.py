"""Time `gaidocx render` on the shipped sample as a whole process (start-up included).

    python benchmarks/render.py [--runs 11]

Prints each run and the median in seconds.  Run it after `pip install .`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "cele-county-2024.xlsx"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    command = shutil.which("gaidocx") or sys.exit("gaidocx is not installed: pip install . first")
    timings = []
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "report.docx"
        for run in range(args.runs):
            started = time.perf_counter()
            subprocess.run([command, "render", str(SAMPLE), "-o", str(output), "--force"], check=True, capture_output=True)
            timings.append(time.perf_counter() - started)
            print(f"run {run + 1}: {timings[-1]:.3f} s")
    print(f"median of {args.runs} runs: {statistics.median(timings):.3f} s")


if __name__ == "__main__":
    main()

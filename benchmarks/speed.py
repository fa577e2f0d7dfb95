"""How fast whole `gaidocx` processes are, as ratios against a floor measured in the same run.

    python benchmarks/speed.py [--runs 9] [--batch 200] [--pdf-batch 20] [--no-pdf]

The machines are shared and noisy, so every figure is a median of paired runs:
each run of gaidocx is timed right after a run of its floor, and the ratio of
the medians is printed with both medians.  Figures (issue 7):

- render of the sample       ≤ 1.25 × `python -c "import docxtpl, openpyxl, click"`
- check of the sample        ≤ 1.2  × `python -c "import openpyxl, click"`
- render of N workbooks      ≤ 8    × one render of the sample; peak memory of any one process
- render --pdf of M workbooks ≤ 4   × one render --pdf

Run it after `pip install .` (it uses the installed `gaidocx`, or `python -m gaidocx`).
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "cele-county-2024.xlsx"
GAIDOCX = [shutil.which("gaidocx")] if shutil.which("gaidocx") else [sys.executable, "-m", "gaidocx"]


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=False, capture_output=True)
    return time.perf_counter() - started


def paired(name: str, floor: list[str], command: list[str], runs: int, bound: float) -> float:
    """Median of ``command`` over median of ``floor``, runs interleaved."""
    timed(floor), timed(command)  # warm the file cache
    floors, commands = [], []
    for _ in range(runs):
        floors.append(timed(floor))
        commands.append(timed(command))
    ratio = statistics.median(commands) / statistics.median(floors)
    print(
        f"{name}: {statistics.median(commands):.3f} s / floor {statistics.median(floors):.3f} s"
        f" = {ratio:.2f}×  (target ≤ {bound}×)"
    )
    return ratio


def filled_workbooks(folder: Path, count: int) -> list[Path]:
    """``count`` workbooks of the sample's figures, each of its own agency (so no two share an output)."""
    sys.path.insert(0, str(ROOT))
    import json

    from gaidocx.core.report import report_from_dict
    from gaidocx.workbook.fillin import build_template
    from gaidocx.workbook.filled import fill_workbook

    report = report_from_dict(json.loads((ROOT / "samples" / "cele-county-2024.json").read_text(encoding="utf-8")))
    workbook = build_template()
    paths = []
    for index in range(count):
        fill_workbook(workbook, dataclasses.replace(report, agency=f"测试县第{index + 1}局"))
        path = folder / f"{index + 1:03d}.xlsx"
        workbook.save(path)
        paths.append(path)
    return paths


def batch(name: str, one: list[str], many: list[str], runs: int, bound: float) -> None:
    ones, manys = [], []
    for _ in range(runs):
        ones.append(timed(one))
        manys.append(timed(many))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    ratio = statistics.median(manys) / statistics.median(ones)
    print(
        f"{name}: {statistics.median(manys):.2f} s / one {statistics.median(ones):.3f} s = {ratio:.2f}×"
        f"  (target ≤ {bound}×); peak memory of any one process so far {peak:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--pdf-batch", type=int, default=20)
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        output = scratch / "report.docx"
        render_one = [*GAIDOCX, "render", str(SAMPLE), "-o", str(output), "--force"]
        paired("render", [sys.executable, "-c", "import docxtpl, openpyxl, click"], render_one, args.runs, 1.25)
        paired("check", [sys.executable, "-c", "import openpyxl, click"], [*GAIDOCX, "check", str(SAMPLE)], args.runs, 1.2)

        inbox = scratch / "inbox"
        inbox.mkdir()
        filled_workbooks(inbox, args.batch)
        render_all = [*GAIDOCX, "render", str(inbox), "-o", str(scratch / "out"), "--force"]
        batch(f"render of {args.batch} workbooks", render_one, render_all, max(3, args.runs // 3), 8)

        if not args.no_pdf:
            pdf_inbox = scratch / "pdf-inbox"
            pdf_inbox.mkdir()
            filled_workbooks(pdf_inbox, args.pdf_batch)
            pdf_one = [*render_one, "--pdf"]
            pdf_all = [*GAIDOCX, "render", str(pdf_inbox), "-o", str(scratch / "pdf-out"), "--force", "--pdf"]
            batch(f"render --pdf of {args.pdf_batch} workbooks", pdf_one, pdf_all, 3, 4)


if __name__ == "__main__":
    main()

"""Hostile batches (issue 17, "The batch and the outputs"), gathered by ``benchmarks/hostile.py``.

Each case renders the shipped sample as part of a batch built beside it in the output
folder: a thousand copies with ``--jobs 1000`` (the pool is capped at the CPUs), the same
file named twice (processed once), and a batch holding a symbolic link to itself (a
Chinese message on every Python, not 意外错误).  Copies are hard links, so the batch costs
no disk and, unlike symbolic links, each is a file of its own.
"""

from __future__ import annotations

import os
from pathlib import Path

from hostile import Case
from malicious import SAMPLE_WORKBOOK

COPIES = 1000


def _sample() -> bytes:
    return SAMPLE_WORKBOOK.read_bytes()


def _copies(path: str, out: str) -> list[str]:
    """``COPIES`` hard links of the workbook in a folder of their own, rendered with ``--jobs 1000``."""
    folder = Path(out) / "copies"
    if not folder.is_dir():
        folder.mkdir()
        for index in range(COPIES):
            os.link(path, folder / f"{index:04}.xlsx")
    return ["render", str(folder), "-o", f"{out}/reports", "--jobs", str(COPIES), "--force"]


def _twice(path: str, out: str) -> list[str]:
    return ["render", path, path, "-o", f"{out}/twice", "--force"]


def _with_a_loop(path: str, out: str) -> list[str]:
    loop = Path(out) / "环.xlsx"
    if not os.path.lexists(loop):
        loop.symlink_to(loop)
    return ["render", path, str(loop), "-o", f"{out}/loop", "--force"]


CASES: dict[str, Case] = {
    "batch-jobs-1000": Case(_sample, ".xlsx", _copies),
    "batch-same-input-twice": Case(_sample, ".xlsx", _twice),
    "batch-symlink-loop": Case(_sample, ".xlsx", _with_a_loop),
}

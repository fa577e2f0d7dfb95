"""Issue 17's attacks on the template sandbox (``render --template``), for benchmarks/hostile.py:
costly template code, 50,000 tags left open, active content, markup written with ``|safe``.
Each must be refused (exit 2) in under 2 s and 300 MB; the files are built by
tests/template_attacks.py, which the tests use too."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hostile import Case, as_template  # noqa: E402
from template_attacks import ACTIVE, COSTLY_CODE, OPEN_TAGS, SAFE_MARKUP, with_code, with_last_paragraph  # noqa: E402


def _code(code: str) -> Case:
    return as_template(lambda: with_code(code))


CASES: dict[str, Case] = {
    **{f"sandbox-{name}": _code(code) for name, code in COSTLY_CODE.items()},
    "sandbox-open-tags": as_template(lambda: with_last_paragraph(OPEN_TAGS)),
    **{f"sandbox-{name}": as_template(make) for name, make in ACTIVE.items()},
    **{f"sandbox-{name}": _code(code) for name, code in SAFE_MARKUP.items()},
}

"""Files shipped under templates/: found in the installed package or in a source checkout."""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def shipped_file(*parts: str) -> Path:
    """``shipped_file("word", "annual-report.docx")``.

    pyproject.toml installs the repository's templates/ folder as the package
    ``gaidocx.templates``; run from a source checkout that package does not
    exist and the folder beside ``gaidocx/`` is used instead.
    """
    try:
        base = Path(str(importlib.resources.files("gaidocx.templates")))
    except ModuleNotFoundError:
        base = Path(__file__).resolve().parent.parent / "templates"
    return base.joinpath(*parts)

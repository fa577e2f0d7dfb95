"""docxtpl's internals, used behind gaidocx.document.docxtpl_steps, are the ones pinned: an
upgrade that changes any of them fails here, to be read before the checksums are updated."""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
import re

from support import ROOT

from gaidocx.document import docxtpl_steps


def test_the_pinned_methods_are_the_installed_ones():
    template = docxtpl_steps.docxtpl_class()
    found = {name: hashlib.sha256(inspect.getsource(getattr(template, name)).encode()).hexdigest() for name in docxtpl_steps.PINNED}
    assert found == docxtpl_steps.PINNED


def test_the_pinned_methods_read_nothing_from_self():
    for name in docxtpl_steps.PINNED:
        assert "self." not in inspect.getsource(getattr(docxtpl_steps.docxtpl_class(), name)), name


def test_pyproject_pins_the_versions_checked_and_the_installed_one_is_among_them():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"docxtpl{docxtpl_steps.VERSIONS}"' in pyproject
    low, high = re.fullmatch(r">=([\d.]+),<([\d.]+)", docxtpl_steps.VERSIONS).groups()
    installed = tuple(int(part) for part in importlib.metadata.version("docxtpl").split("."))
    assert tuple(int(p) for p in low.split(".")) <= installed < tuple(int(p) for p in high.split("."))

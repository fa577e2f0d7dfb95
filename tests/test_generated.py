"""Committed generated files must equal what scripts/generate.py writes now."""

from __future__ import annotations

import zipfile

import pytest
from support import load_script

generate = load_script("generate")
COMMITTED = {"excel": generate.EXCEL_TEMPLATE, "word": generate.WORD_TEMPLATE, "sample": generate.SAMPLE_WORKBOOK}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    paths = {name: folder / path.name for name, path in COMMITTED.items()}
    generate.generate(**paths)
    return paths


def members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("name", COMMITTED)
def test_committed_file_matches_the_generator(fresh, name):
    committed, regenerated = members(COMMITTED[name]), members(fresh[name])
    assert committed.keys() == regenerated.keys()
    drifted = [member for member in committed if committed[member] != regenerated[member]]
    assert not drifted, f"{COMMITTED[name].name} is out of date: run python scripts/generate.py ({drifted})"

"""The package's layers as the README draws them (docs/images/layers.svg, made by
scripts/make_layers_picture.py): the picture is the code's, no import runs up a floor, and no
two units import each other in a circle."""

from __future__ import annotations

from support import ROOT, load_script

script = load_script("make_layers_picture")


def test_every_unit_has_a_floor():
    units = {path.stem if path.suffix else path.name for path in (ROOT / "gaidocx").iterdir()
             if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()}
    assert units - set(script.floor_of()) == set(), "put the new unit on a floor in scripts/make_layers_picture.py"


def test_no_import_runs_up_a_floor():
    floors = script.floor_of()
    upward = [(a, b) for a, b in script.arrows() if floors[b] < floors[a]]
    assert upward == []


def test_no_circle():
    graph: dict[str, set[str]] = {}
    for a, b in script.arrows():
        graph.setdefault(a, set()).add(b)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and (seen.add(nxt) or reaches(nxt, goal, seen))):
                return True
        return False

    circles = sorted(a for a in graph if reaches(a, a, set()))
    assert circles == []


def test_the_picture_is_the_codes():
    assert script.PICTURE.read_text(encoding="utf-8") == script.picture(), (
        "the imports changed: run python scripts/make_layers_picture.py and commit docs/images/layers.svg"
    )


def test_the_readme_shows_the_picture():
    assert "docs/images/layers.svg" in (ROOT / "README.md").read_text(encoding="utf-8")

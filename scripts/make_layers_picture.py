"""Draw the package's layers, and which imports which, as docs/images/layers.svg.

    python scripts/make_layers_picture.py

The picture is computed from the code: every ``import`` of a gaidocx module, at the top of a
file or inside a function, becomes an arrow between the two units (a sub-package such as
``core`` or a top-level module such as ``pipeline``).  Units sit on floors, the front doors
at the top and the pure core at the bottom; an arrow may only point down a floor or along
one.  tests/test_layers.py fails when the code would draw a different picture, when an
arrow points up a floor, or when units import each other in a circle.  No tool beyond
Python is needed: the SVG is written here, deterministically.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "gaidocx"
PICTURE = ROOT / "docs" / "images" / "layers.svg"

#: Top floor first.  Each unit with what it is for, as the README's map says it.
FLOORS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("入口", (("__main__", "程序入口、信号"), ("cli", "命令行"), ("click_zh", "中文帮助"), ("desk", "网上收集台"))),
    ("库", (("pipeline", "各项操作"), ("files", "输入与输出文件"), ("exits", "退出码"))),
    ("格式适配", (("workbook", "Excel 填报表"), ("document", "Word、网页、PDF"), ("audit", "读回已发布的报告"), ("archive", "压缩包防护"))),
    ("核心", (("core", "官方格式、报告、检查"), ("limits", "文字上限"), ("resources", "随附文件"))),
)

BOX_WIDTH, BOX_HEIGHT, GAP, FLOOR_HEIGHT, LEFT = 150, 46, 24, 110, 90


def unit_of(module: str) -> str | None:
    """``gaidocx.core.form`` → ``core``; ``gaidocx.pipeline`` → ``pipeline``."""
    parts = module.split(".")
    if parts[0] != "gaidocx" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path, module: str) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def arrows() -> list[tuple[str, str]]:
    """Every (importer, imported) pair of distinct units, sorted."""
    found: set[tuple[str, str]] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        module = ".".join(relative.parts).removesuffix(".__init__")
        source = unit_of(module)
        for imported in _imports(path, module):
            target = unit_of(imported)
            if source and target and target != source and _is_unit(target):
                found.add((source, target))
    return sorted(found)


def _is_unit(name: str) -> bool:
    """A sub-package or a module of gaidocx (not a name imported from one)."""
    return (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file()


def floor_of() -> dict[str, int]:
    return {name: index for index, (_, units) in enumerate(FLOORS) for name, _ in units}


def _position(floors: dict[str, int]) -> dict[str, tuple[int, int]]:
    places = {}
    for index, (_, units) in enumerate(FLOORS):
        for column, (name, _) in enumerate(units):
            places[name] = (LEFT + column * (BOX_WIDTH + GAP), 20 + index * FLOOR_HEIGHT)
    return places


def picture() -> str:
    floors = floor_of()
    places = _position(floors)
    width = LEFT + max(len(units) for _, units in FLOORS) * (BOX_WIDTH + GAP)
    height = 20 + len(FLOORS) * FLOOR_HEIGHT
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="Noto Sans CJK SC, Microsoft YaHei, sans-serif" font-size="13">',
        "<title>gaidocx 的分层：上层只引用同层或下层</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    for index, (label, _) in enumerate(FLOORS):
        top = 20 + index * FLOOR_HEIGHT - 12
        lines.append(f'<rect x="4" y="{top}" width="{width - 8}" height="{FLOOR_HEIGHT - 16}" fill="#f4f6f8" rx="6"/>')
        lines.append(f'<text x="14" y="{top + 40}" font-weight="bold">{escape(label)}</text>')
    for source, target in arrows():
        if source not in places or target not in places:
            continue
        (x1, y1), (x2, y2) = places[source], places[target]
        colour = "#c00" if floors[target] < floors[source] else "#555"
        if y1 == y2:  # along a floor: an arc over the boxes between, so it never crosses one
            start, end = (x1 + BOX_WIDTH // 2 + 8, y1), (x2 + BOX_WIDTH // 2 - 8, y2)
            shape = f'<path d="M{start[0]},{start[1]} Q{(start[0] + end[0]) // 2},{y1 - 26} {end[0]},{end[1]}" fill="none" '
        else:
            start, end = (x1 + BOX_WIDTH // 2, y1 + BOX_HEIGHT), (x2 + BOX_WIDTH // 2, y2)
            shape = f'<path d="M{start[0]},{start[1]} L{end[0]},{end[1]}" '
        lines.append(
            f'{shape}stroke="{colour}" stroke-width="1.2" marker-end="url(#arrow)"><title>{source} → {target}</title></path>'
        )
    for _, units in FLOORS:
        for name, meaning in units:
            x, y = places[name]
            lines.append(f'<rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" fill="#fff" stroke="#333" rx="4"/>')
            lines.append(f'<text x="{x + BOX_WIDTH // 2}" y="{y + 19}" text-anchor="middle" font-weight="bold">{escape(name)}</text>')
            lines.append(f'<text x="{x + BOX_WIDTH // 2}" y="{y + 37}" text-anchor="middle" fill="#444">{escape(meaning)}</text>')
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def main() -> None:
    PICTURE.parent.mkdir(parents=True, exist_ok=True)
    PICTURE.write_text(picture(), encoding="utf-8")
    print(f"wrote {PICTURE.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()

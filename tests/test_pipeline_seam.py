"""The seam the CLI and the collection desk stand on: no import circle anywhere in the package
(lazy imports inside functions included), exit codes and report field names each defined once."""

from __future__ import annotations

import ast
from pathlib import Path

import gaidocx

PACKAGE = Path(gaidocx.__file__).parent


def module_name(path: Path) -> str:
    parts = ("gaidocx", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Each module of the package → the package's modules it imports, at any depth of its code."""
    files = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gaidocx"):
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = {module for module in found if module in files and module != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state = [], {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                found.append([*path[path.index(imported):], imported])
            elif imported not in state:
                visit(imported, [*path, imported])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return found


def test_no_module_imports_one_that_imports_it_back():
    graph = imports()
    assert "gaidocx.__main__" not in graph["gaidocx.cli"]
    assert circles(graph) == []


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def definitions(name: str) -> list[str]:
    """The modules that define ``name`` at their top level (a value, a function or a class)."""
    return [
        module_name(path)
        for path in PACKAGE.rglob("*.py")
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets))
        or (isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name)
    ]


def test_exit_codes_and_field_names_are_each_defined_once():
    for name in ("EXIT_OK", "EXIT_ERRORS", "EXIT_FILE_PROBLEM", "EXIT_INTERRUPTED", "INTERRUPTED"):
        assert definitions(name) == ["gaidocx.exits"], name
    for name in ("AGENCY", "YEAR", "SIGNED_ON", "REPORT_KIND", "METADATA_LABELS"):
        assert definitions(name) == ["gaidocx.core.report"], name


def test_file_handling_and_the_bad_file_policy_each_live_in_one_module():
    for helper in ("expand_inputs", "write_atomically", "check_output_path", "Protected", "default_name", "UserError"):
        assert definitions(helper) == ["gaidocx.files"], helper
    for helper in ("bad_file_reason", "unexpected"):
        assert definitions(helper) == ["gaidocx.failures"], helper

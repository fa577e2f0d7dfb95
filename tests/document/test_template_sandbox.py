"""The template sandbox against issue 17's attacks: memory bounded before allocating, time
bounded inside calls, docxtpl's cleaning never fed tags left open, active content refused,
markup written with ``|safe`` held to the template's own shape."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from support import SAMPLE_WORKBOOK, sample_report
from template_attacks import ACTIVE, ACTIVE_NAMED, COSTLY_CODE, OPEN_TAGS, SAFE_MARKUP, with_code, with_last_paragraph

from gaidocx.cli import cli
from gaidocx.core.report import checked_report
from gaidocx.document.package import field_instructions
from gaidocx.document.problems import TemplateProblem
from gaidocx.document.render import prepare_template, render_docx

HERE = Path(__file__).resolve().parent

CHILD = """
import json, sys, time
sys.path[:0] = [sys.argv[2], sys.argv[3]]
from support import sample_report
from template_attacks import COSTLY_CODE, with_code
from gaidocx.document.problems import TemplateProblem
from gaidocx.document.render import render_docx
import pathlib
code = COSTLY_CODE[sys.argv[1]]
path = pathlib.Path(sys.argv[4]) / (sys.argv[1] + ".docx")
path.write_bytes(with_code(code))
started = time.perf_counter()
try:
    render_docx(sample_report(), path)
    message = None
except TemplateProblem as exc:
    message = str(exc)
print(json.dumps({"seconds": time.perf_counter() - started, "message": message,
                  "peak_mb": int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024}))
"""


@pytest.mark.parametrize("name", sorted(COSTLY_CODE))
def test_costly_code_is_refused_in_seconds_and_little_memory(name, tmp_path):
    """Each took gigabytes or minutes (and ``map("center")`` exited 0); now a Chinese refusal.
    The bounds are generous for a loaded machine; benchmarks/hostile_template.py measures."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, name, str(HERE.parent), str(HERE), str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    result = json.loads(out.splitlines()[-1])
    assert result["message"] is not None, name
    assert "模板" in result["message"] and "已停止填充" in result["message"], result["message"]
    assert result["seconds"] < 6.5 and result["peak_mb"] < 300, result


def test_ordinary_formatting_and_filters_still_work(tmp_path):
    code = (
        '{{ "{0:>6}|{1:.2f}".format("右", 1.5) }}，{{ "%5s|%03d" % ("a", 7) }}，{{ "ab"|center(6) }}，'
        '{{ lipsum(1, false, 3, 4)|length > 0 }}，{{ section5|map(attribute="level")|list|sort|length > 0 }}，'
        '{{ ("x " * 10)|wordwrap(4)|length }}'
    )
    path = tmp_path / "t.docx"
    path.write_bytes(with_code(code))
    text = zipfile.ZipFile(io.BytesIO(render_docx(sample_report(), path))).read("word/document.xml").decode()
    assert "     右|1.50，    a|007，  ab  ，True，True，19" in text


def test_tags_left_open_get_a_syntax_message_at_once(tmp_path):
    """docxtpl's cleaning took 70–86 s on 50,000 ``{{ `` and then blamed recursion."""
    path = tmp_path / "open.docx"
    path.write_bytes(with_last_paragraph(OPEN_TAGS))
    started = time.perf_counter()
    with pytest.raises(TemplateProblem, match="语法错误") as caught:
        prepare_template(path)
    assert time.perf_counter() - started < 2
    assert "没有对应的“}}”" in str(caught.value) and "递归" not in str(caught.value) and "宏调用" not in str(caught.value)


def test_too_many_tags_are_refused_and_split_tags_are_matched(tmp_path):
    path = tmp_path / "many.docx"
    path.write_bytes(with_last_paragraph("{{ agency }}" * 20_001))
    with pytest.raises(TemplateProblem, match="超过 20000 个"):
        prepare_template(path)
    split = tmp_path / "split.docx"  # Word splits a tag into runs: {</w:t></w:r><w:r><w:t>{ agency }</w:t>...}
    split.write_bytes(with_last_paragraph('{</w:t></w:r><w:r><w:t xml:space="preserve">{ agency }</w:t></w:r><w:r><w:t>}'))
    text = zipfile.ZipFile(io.BytesIO(render_docx(sample_report(), split))).read("word/document.xml").decode()
    assert text.count(sample_report().agency) >= 2


@pytest.mark.parametrize("name", sorted(ACTIVE))
def test_active_content_is_refused_with_what_was_found_and_nothing_written(name, tmp_path):
    template = tmp_path / f"{name}.docx"
    template.write_bytes(ACTIVE[name]())
    output = tmp_path / "out.docx"
    result = CliRunner().invoke(cli, ["render", str(SAMPLE_WORKBOOK), "--template", str(template), "-o", str(output)])
    assert result.exit_code == 2, result.output
    assert ACTIVE_NAMED[name] in result.output and "已拒绝使用这个模板" in result.output, result.output
    assert not output.exists() and list(tmp_path.iterdir()) == [template]


def test_a_field_written_by_the_template_is_refused_too(tmp_path):
    code = '{{ "</w:t></w:r><w:r><w:fldChar w:fldCharType=\'begin\'/></w:r><w:r><w:instrText>DDEAUTO cmd</w:instrText></w:r><w:r><w:fldChar w:fldCharType=\'end\'/></w:r><w:r><w:t>"|safe }}'
    path = tmp_path / "t.docx"
    path.write_bytes(with_code(code))
    with pytest.raises(TemplateProblem):
        render_docx(sample_report(), path)


def test_harmless_fields_and_split_instructions_are_read_whole():
    xml = (
        '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DDE</w:instrText></w:r>'
        '<w:r><w:instrText>AUTO x</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:instrText>not an instruction</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:fldSimple w:instr=" PAGE "/></w:p>'
    )
    assert list(field_instructions(etree.fromstring(xml))) == [" DDEAUTO x", " PAGE "]


@pytest.mark.parametrize("name", sorted(SAFE_MARKUP))
def test_markup_outside_the_templates_shape_is_refused(name, tmp_path):
    """``<w:bogus/>`` gave a schema-invalid .docx with exit 0; a table inside a paragraph an
    AttributeError text."""
    path = tmp_path / "t.docx"
    path.write_bytes(with_code(SAFE_MARKUP[name]))
    with pytest.raises(TemplateProblem, match="文档结构无效") as caught:
        render_docx(sample_report(), path)
    assert "|safe" in str(caught.value) and "AttributeError" not in str(caught.value)


def test_markup_in_the_templates_shape_still_passes(tmp_path):
    """A line break written with ``|safe`` is an element the template uses where it uses it."""
    path = tmp_path / "t.docx"
    path.write_bytes(with_code('{{ "</w:t><w:br/><w:t>"|safe }}'))
    prepared = prepare_template(path)
    assert b"<w:br/>" in zipfile.ZipFile(io.BytesIO(prepared.render(checked_report(sample_report())))).read("word/document.xml")

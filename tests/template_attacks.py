"""Hostile Word templates of issue 17 (the template sandbox), built from the shipped template:
shared by tests/document/test_template_sandbox.py and benchmarks/hostile_template.py."""

from __future__ import annotations

from support import members as unzipped
from support import zipped

from gaidocx.document.word_template import build_word_template

#: Template code that took gigabytes or minutes (issue 17), by case name.
COSTLY_CODE = {
    "format-widths": '{{ ("{0:>999999}" * 4000).format("x") }}',
    "map-center": '{{ range(3000)|map("string")|map("center", 999999)|list|length }}',
    "percent-widths": '{{ ("%999999s" * 4000) % (("x",) * 4000) }}',
    "list-upper": '{% set a = "x" * 3999999 %}{{ ([a] * 999999)|map("upper")|list|length }}',
    "lipsum": "{{ lipsum(999999) }}",
    "wordwrap": '{{ ("x" * 3999999)|wordwrap(1) }}',
    "sort": '{{ ("x" * 3999999)|list|sort|length }}',
    "slow-iterations": '{% set s = "x " * 1999999 %}{% for i in range(400) %}{{ s|wordcount }}{% endfor %}',
    # kept alive: lists of a million distinct strings, and long strings, appended to a list
    "kept-lists": '{% set s = "xy " * 1333333 %}{% set l = [] %}{% for i in range(20) %}{{ l.append(s.split()) }}{% endfor %}',
    "kept-strings": '{% set l = [] %}{% for i in range(20) %}{{ l.append(("😀" * 3999999)|upper) }}{% endfor %}',
}

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def members() -> dict[str, bytes]:
    """The shipped template's parts by name."""
    return unzipped(build_word_template())


def with_code(code: str) -> bytes:
    """The shipped template with ``code`` typed after the signature's agency."""
    parts = members()
    escaped = code.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"{{ agency }}", b"{{ agency }}" + escaped, 1)
    return zipped(parts)


def with_body_start(xml: str) -> bytes:
    """The shipped template with WordprocessingML ``xml`` at the start of its body."""
    parts = members()
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:body>", b"<w:body>" + xml.encode(), 1)
    return zipped(parts)


def with_last_paragraph(text: str) -> bytes:
    """The shipped template with a last paragraph (before the page setup) holding ``text``."""
    parts = members()
    paragraph = f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'.encode()
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:sectPr>", paragraph + b"<w:sectPr>", 1)
    return zipped(parts)


def field(instruction: str) -> str:
    """A complex field (begin, instruction, separator, result, end) in a paragraph."""
    escaped = instruction.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{escaped}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>x</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )


def with_part(relationship_type: str, target: str, data: bytes, content_type: str | None = None) -> bytes:
    """The shipped template whose main document has a relationship of ``relationship_type`` to
    a part ``word/<target>`` holding ``data``."""
    parts = members()
    rels = parts["word/_rels/document.xml.rels"]
    relation = f'<Relationship Id="rIdAttack" Type="{relationship_type}" Target="{target}"/>'.encode()
    parts["word/_rels/document.xml.rels"] = rels.replace(b"</Relationships>", relation + b"</Relationships>")
    if content_type:
        types = parts["[Content_Types].xml"]
        override = f'<Override PartName="/word/{target}" ContentType="{content_type}"/>'.encode()
        parts["[Content_Types].xml"] = types.replace(b"</Types>", override + b"</Types>")
    parts[f"word/{target}"] = data
    return zipped(parts)


ACTIVE = {
    "ddeauto": lambda: with_body_start(field(' DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe" ')),
    "includetext": lambda: with_body_start(f'<w:p><w:fldSimple {_W} w:instr=\' INCLUDETEXT "/etc/passwd" \'><w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>'),
    "includepicture": lambda: with_body_start(field(' INCLUDEPICTURE "http://example.com/track.png" \\d ')),
    "dde-computed": lambda: with_body_start(
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> QUOTE 68 68 69 </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:instrText> "c:\\cmd.exe" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    ),
    "ole-package": lambda: with_part(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject",
        "embeddings/oleObject1.bin",
        b"\xd0\xcf\x11\xe0" + bytes(508),
        "application/vnd.openxmlformats-officedocument.oleObject",
    ),
    "renamed-vba": lambda: with_part(
        "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "media/image9.png", bytes(64), "image/png"
    ),
}

#: What the refusal names, by case.
ACTIVE_NAMED = {
    "ddeauto": "DDEAUTO",
    "includetext": "INCLUDETEXT",
    "includepicture": "INCLUDEPICTURE",
    "dde-computed": "另一个域代码",
    "ole-package": "OLE",
    "renamed-vba": "宏",
}

SAFE_MARKUP = {
    "safe-bogus": '{{ "<w:bogus/>"|safe }}',
    "safe-table": '{{ "</w:t></w:r><w:tbl/><w:r><w:t>"|safe }}',
}

#: 50,000 tags opened and never closed in the last paragraph (docxtpl's cleaning took 70–86 s).
OPEN_TAGS = "{{ " * 50_000

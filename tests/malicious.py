"""Malicious workbooks built from the shipped sample, shared by tests/test_hostile.py and benchmarks/hostile.py."""

from __future__ import annotations

import io
import re
import struct
import zipfile

from support import SAMPLE_WORKBOOK, members, zipped

BOMB_SHEET = "xl/worksheets/sheet4.xml"


def sample_members() -> dict[str, bytes]:
    return members(SAMPLE_WORKBOOK.read_bytes())


def zip_bomb(size: int) -> bytes:
    """The sample with one sheet that inflates to ``size`` bytes (a few hundred KB on disk)."""
    members = sample_members()
    members[BOMB_SHEET] = b" " * size
    return zipped(members)


def lying_zip_bomb(size: int) -> bytes:
    """The same bomb, but both zip headers declare the sheet as 1 KB."""
    data = bytearray(zip_bomb(size))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(BOMB_SHEET)
    struct.pack_into("<I", data, info.header_offset + 22, 1024)  # local header: uncompressed size
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == BOMB_SHEET.encode():
            struct.pack_into("<I", data, central + 24, 1024)  # central directory: uncompressed size
            break
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def billion_laughs() -> bytes:
    """The sample whose workbook part declares nine levels of nested entities (10⁹ "lol"s)."""
    members = sample_members()
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)
    )
    members["xl/workbook.xml"] = b"<!DOCTYPE workbook [" + entities + b"]>" + members["xl/workbook.xml"]
    return zipped(members)


# ---------------------------------------------------------------- issue 10: slow and huge, not only bombs

GIANT_CHARS = 20_000_000
_SHEETS_WITH_FIGURES = ("表二", "表三", "表四")
_SPREADSHEET = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _sheet_members(members: dict[str, bytes]) -> dict[str, str]:
    names = re.findall(rb'<sheet [^>]*name="([^"]+)"', members["xl/workbook.xml"])
    return {name.decode(): f"xl/worksheets/sheet{i}.xml" for i, name in enumerate(names, start=1)}


def giant_shared_string(*, version: bool = True) -> bytes:
    """The sample whose every figure cell (and, without ``version``, the template version cell)
    shows one shared string of 20 million characters: some 700 KB on disk."""
    import random

    members = sample_members()
    sheets = _sheet_members(members)
    for sheet in _SHEETS_WITH_FIGURES:
        member = sheets[sheet]
        members[member] = re.sub(rb'(<c r="[A-Z]+\d+" s="15") t="n"><v>[^<]*</v></c>', rb'\1 t="s"><v>0</v></c>', members[member])
    if not version:
        guide = sheets["填报说明"]
        members[guide] = re.sub(rb'(<c r="B2"[^>]*?)( t="\w+")?>.*?</c>', rb'\1 t="s"><v>0</v></c>', members[guide], count=1, flags=re.S)
    rng = random.Random(20)
    # one random letter every 150 characters: compresses some 30:1, within the archive guard's ratio
    giant = b"9" * 19 + b"".join(b"x" * 149 + bytes([rng.randrange(97, 123)]) for _ in range(GIANT_CHARS // 150))
    members["xl/sharedStrings.xml"] = b'<sst xmlns="%s" count="1" uniqueCount="1"><si><t>%s</t></si></sst>' % (_SPREADSHEET, giant)
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>',
    )
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdGiant" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    return zipped(members)


def alt_enter_lines(lines_per_cell: int, cells: int) -> bytes:
    """The sample with ``cells`` cells of section 五's rows, each ``lines_per_cell`` Alt+Enter lines."""
    import openpyxl

    from gaidocx.workbook.layout import INFO_SHEET, TEXT_BLOCKS, TEXT_COLUMN

    workbook = openpyxl.load_workbook(SAMPLE_WORKBOOK)
    rows = [row for block in TEXT_BLOCKS if block.place != "opening" for row in block.rows][:cells]
    for row in rows:
        workbook[INFO_SHEET][f"{TEXT_COLUMN}{row}"] = "\n".join(["（一）段落。"] * lines_per_cell)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def word_template(changes: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """The default Word template with members replaced or added."""
    from gaidocx.document.word_template import build_word_template

    with zipfile.ZipFile(io.BytesIO(build_word_template())) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members.update(changes or {})
    members.update(extra or {})
    return zipped(members)


def template_with_huge_part(size: int) -> bytes:
    return word_template(extra={"word/media/huge.bin": bytes(size)})


def template_with_code(code: str) -> bytes:
    from gaidocx.document.word_template import build_word_template

    with zipfile.ZipFile(io.BytesIO(build_word_template())) as source:
        document = source.read("word/document.xml")
    escaped = code.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()
    return word_template({"word/document.xml": document.replace(b"{{ agency }}", b"{{ agency }}" + escaped, 1)})

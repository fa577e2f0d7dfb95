"""Malicious workbooks built from the shipped sample, shared by tests/test_hostile.py and benchmarks/hostile.py."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

SAMPLE_WORKBOOK = Path(__file__).resolve().parent.parent / "samples" / "cele-county-2024.xlsx"
BOMB_SHEET = "xl/worksheets/sheet4.xml"


def sample_members() -> dict[str, bytes]:
    with zipfile.ZipFile(SAMPLE_WORKBOOK) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(members: dict[str, bytes]) -> bytes:
    """A zip archive of ``members``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


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

"""The archive guard alone (gaidocx.archive): one DOCTYPE defence for every encoding, bounded reads."""

from __future__ import annotations

import io
import zipfile

import pytest
from support import zipped

from gaidocx.archive import MB, ArchiveError, Limits, check_xml, open_archive

LIMITS = Limits(file=8 * MB, members=10, total=4 * MB, part=1 * MB, large_part=1 * MB, what="测试文件")
DECLARATION = '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'


@pytest.mark.parametrize(
    "encoded",
    [
        DECLARATION.encode("utf-8"),
        b"\xef\xbb\xbf" + DECLARATION.encode("utf-8"),
        DECLARATION.encode("utf-16"),  # with a byte-order mark
        DECLARATION.encode("utf-16-le"),  # without one: NULs between the characters
        DECLARATION.encode("utf-32"),
        '<?xml version="1.0" encoding="ISO-8859-1"?>'.encode() + DECLARATION.encode() + "é".encode("latin-1"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16", "utf-16-no-bom", "utf-32", "latin-1"],
)
def test_a_declaration_in_any_encoding_is_refused(encoded):
    with pytest.raises(ArchiveError) as caught:
        check_xml(encoded, "part.xml", "文件.xlsx")
    assert caught.value.kind in ("doctype", "damaged")


def test_plain_xml_passes():
    check_xml('<?xml version="1.0" encoding="UTF-8"?><x>“中文”</x>'.encode(), "part.xml", "文件.xlsx")
    check_xml('<x>&lt;!DOCTYPE 只是文字&gt;</x>'.encode(), "part.xml", "文件.xlsx")




def test_declared_sizes_and_counts_are_limits():
    assert open_archive(zipped({"a.xml": b"<a/>"}), "ok.zip", LIMITS).xml == {"a.xml": b"<a/>"}
    with pytest.raises(ArchiveError, match="包含 11 个文件"):
        open_archive(zipped({f"{i}.bin": b"" for i in range(11)}), "many.zip", LIMITS)
    with pytest.raises(ArchiveError, match="压缩炸弹") as caught:
        open_archive(zipped({"big.xml": b" " * (2 * MB)}), "big.zip", LIMITS)
    assert caught.value.kind == "bomb" and "big.xml" in str(caught.value)
    with pytest.raises(ArchiveError, match="解压后共有 5 MB"):
        open_archive(zipped({f"{i}.bin": bytes(range(256)) * 4096 * 1 for i in range(5)}), "total.zip", LIMITS)


def test_unknown_compression_is_damage_not_a_crash():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as target:
        target.writestr("a.xml", b"<a/>")
    with pytest.raises(ArchiveError) as caught:
        open_archive(buffer.getvalue(), "bz2.zip", LIMITS)
    assert caught.value.kind == "damaged"

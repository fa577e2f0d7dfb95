"""pdfminer's and pdfplumber's internals, used behind gaidocx.audit.pdfminer_bounds, are the ones
pinned: an upgrade that changes any of them fails here, to be read before the checksums are
updated.  The bounds report every step inside a block, and only there: outside, and in another
thread meanwhile, pdfminer is as shipped."""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import inspect
import io
import logging
import threading
import zlib

import audit_fixtures as files
import pdfplumber
import pytest
from packaging.specifiers import SpecifierSet
from pdfminer import pdfinterp, pdftypes
from pdfminer.psparser import LIT
from support import ROOT

from gaidocx.audit import UnreadableFile, pdfminer_bounds
from gaidocx.audit.read_pdf import MAX_STREAM, MAX_TOKENS_PER_PAGE, read_pdf

#: pdfminer's globals the adapter replaces inside a block, as they are when no block runs.
REPLACED = [(pdftypes, "zlib"), (pdftypes, "decompress_corrupted"), (pdftypes, "lzwdecode"), (pdftypes, "rldecode"), (pdfinterp, "PDFContentParser")]


def pinned(name: str):
    """The function, method or class named ``package.module.name[.attribute]`` (a property: its getter)."""
    parts = name.split(".")
    target = importlib.import_module(".".join(parts[:2]))
    for part in parts[2:]:
        target = inspect.getattr_static(target, part) if isinstance(target, type) else getattr(target, part)
    return target.fget if isinstance(target, property) else target


def shipped() -> dict:
    return {(module.__name__, name): getattr(module, name) for module, name in REPLACED} | {
        name: logging.getLogger(name).level for name in pdfminer_bounds.LOGGERS
    }


class Refused(Exception):
    pass


class Recorder:
    """A counter that records each step and refuses only what the adapter says must be refused."""

    max_stream = 1024 * 1024

    def __init__(self) -> None:
        self.inflated_sizes: list[int] = []
        self.pages: list[int] = []
        self.parsed_count = self.drawn_count = self.forms = 0

    def inflated(self, size: int) -> None:
        self.inflated_sizes.append(size)
        if size > self.max_stream:
            raise Refused("stream")

    def refused(self, compression: str):
        raise Refused(compression)

    def parsed(self) -> None:
        self.parsed_count += 1

    def new_page(self, number: int) -> None:
        self.pages.append(number)

    def drawn(self) -> None:
        self.drawn_count += 1

    def form_drawn(self) -> None:
        self.forms += 1


def deflated_stream(data: bytes, kind: str = "FlateDecode") -> pdftypes.PDFStream:
    packed = zlib.compress(data) if kind == "FlateDecode" else data
    return pdftypes.PDFStream({"Filter": LIT(kind)}, packed)


def decoded(stream: pdftypes.PDFStream) -> bytes:
    return stream.get_data()


def laid_out(data: bytes) -> list:
    """Each page's characters, rectangles and lines, read through the adapter's pages."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [len(page.chars) + len(page.rects) + len(page.lines) for page in pdfminer_bounds.pages(pdf)]


def test_the_pinned_internals_are_the_installed_ones():
    assert not pdfminer_bounds._blocks, "checked outside any block"
    found = {name: hashlib.sha256(inspect.getsource(pinned(name)).encode()).hexdigest() for name in pdfminer_bounds.PINNED}
    assert found == pdfminer_bounds.PINNED


def test_every_global_replaced_is_pinned_or_used_only_by_a_pinned_function():
    replaced = {f"{module.__name__}.{name}" for module, name in REPLACED}
    assert {(module, name) for module, name in pdfminer_bounds._replacements()} == set(REPLACED)
    # the replaced functions and class are pinned themselves; zlib is read only by PDFStream.decode
    assert {"pdfminer.pdftypes.decompress_corrupted", "pdfminer.pdfinterp.PDFContentParser"} <= replaced & set(pdfminer_bounds.PINNED)
    assert {"pdfminer.lzw.lzwdecode", "pdfminer.runlength.rldecode", "pdfminer.pdftypes.PDFStream.decode"} <= set(pdfminer_bounds.PINNED)
    decode = inspect.getsource(pinned("pdfminer.pdftypes.PDFStream.decode"))
    for call in ("zlib.decompress(data)", "decompress_corrupted(data)", "lzwdecode(data)", "rldecode(data)"):
        assert call in decode, call
    assert "PDFContentParser(valid_streams)" in inspect.getsource(pinned("pdfminer.pdfinterp.PDFPageInterpreter.execute"))


def test_pyproject_pins_the_versions_checked_and_the_installed_ones_are_among_them():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for package, versions in pdfminer_bounds.VERSIONS.items():
        assert f'"{package}{versions}"' in pyproject, package
        assert importlib.metadata.version(package) in SpecifierSet(versions), package


def test_inside_a_block_every_step_is_reported():
    recorder = Recorder()
    with pdfminer_bounds.bounded(recorder):
        assert decoded(deflated_stream(b"x" * 1000)) == b"x" * 1000
        with pytest.raises(Refused, match="stream"):
            decoded(deflated_stream(b" " * (recorder.max_stream + 10)))
        with pytest.raises(Refused, match="LZW"):
            decoded(deflated_stream(b"\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01", "LZWDecode"))
        with pytest.raises(Refused, match="RunLength"):
            decoded(deflated_stream(b"\x00a\x80", "RunLengthDecode"))
        # two pages of one rectangle (six tokens each); a form of ten rectangles drawn three times
        assert laid_out(files.pdf_file([b"0 0 10 10 re f"] * 2)) == [1, 1]
        assert laid_out(files.pdf_reused_form(draws=3)) == [30]
    assert recorder.inflated_sizes == [1000, recorder.max_stream + 1]
    assert recorder.pages == [1, 2, 1]
    assert recorder.forms == 3
    assert recorder.drawn_count == 2 + 30
    assert recorder.parsed_count == 2 * 6 + 3 * 4 + 3 * 10 * 6


def test_a_stream_with_a_bad_checksum_is_inflated_in_linear_time_and_bounded():
    damaged = zlib.compress(b"y" * 5000)[:-2] + b"\x00\x00"
    recorder = Recorder()
    with pdfminer_bounds.bounded(recorder):
        assert decoded(deflated_stream(b"")) == b""
        stream = pdftypes.PDFStream({"Filter": LIT("FlateDecode")}, damaged)
        assert decoded(stream) == b"y" * 5000
    assert recorder.inflated_sizes == [0, 5000]


def test_outside_a_block_pdfminer_is_as_shipped(tmp_path):
    before = shipped()
    busy = files.pdf_busy_pages(1, MAX_TOKENS_PER_PAGE)  # refused by read_pdf: over a page's bound
    path = tmp_path / "busy.pdf"
    path.write_bytes(busy)
    with pytest.raises(UnreadableFile, match="绘制指令"):
        read_pdf(path)
    assert shipped() == before
    assert pdftypes.zlib is zlib and pdfinterp.PDFContentParser.__module__ == "pdfminer.pdfinterp"
    # not counted, not refused: the same page and a stream larger than read_pdf's bound are read whole
    with pdfplumber.open(io.BytesIO(busy)) as pdf:
        assert pdf.pages[0].chars == []
    assert len(decoded(deflated_stream(b" " * (MAX_STREAM + 1)))) == MAX_STREAM + 1
    with pytest.raises(RuntimeError, match="bounded"):
        laid_out(files.pdf_file([b"0 0 10 10 re f"]))


def test_a_block_gives_pdfminer_back_even_when_the_reading_is_stopped():
    before = shipped()
    with pytest.raises(Refused), pdfminer_bounds.bounded(Recorder()):
        assert shipped() != before
        assert logging.getLogger("pdfminer").getEffectiveLevel() == logging.CRITICAL
        decoded(deflated_stream(b"\x00a\x80", "RunLengthDecode"))
    assert shipped() == before


def test_another_thread_is_not_counted_while_a_block_runs():
    recorder, inside, done = Recorder(), threading.Event(), threading.Event()
    other: dict = {}

    def elsewhere() -> None:
        inside.wait(10)
        try:
            other["data"] = decoded(deflated_stream(b" " * (recorder.max_stream + 10)))
            with pdfplumber.open(io.BytesIO(files.pdf_busy_pages(1, 100))) as pdf:
                other["chars"] = pdf.pages[0].chars
        finally:
            done.set()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    with pdfminer_bounds.bounded(recorder):
        inside.set()
        assert done.wait(30)
        # the other thread ran while the globals were replaced
        assert pdftypes.zlib is not zlib
    thread.join()
    assert len(other["data"]) == recorder.max_stream + 10 and other["chars"] == []
    assert recorder.inflated_sizes == [] and recorder.parsed_count == 0

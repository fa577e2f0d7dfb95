"""pdfminer's and pdfplumber's internals that bound the reading of a PDF, behind this one adapter.

pdfplumber's public API opens a PDF and lays out its pages, but pdfminer, its engine, has no
bound and no hook: it inflates a stream whole, parses a content stream to its end, draws a form
each time it is named and keeps every object drawn.  Plain pdfplumber (``page.chars`` of every
page) on the hostile cases of benchmarks/hostile_audit.py, measured on the project's machine,
where read_pdf refuses each in 0.3–2.2 s and at most 103 MB:

- ``audit-pdf-256MB-stream`` (250 KB inflating to 256 MB of spaces): 2.7 s, 547 MB;
- ``audit-pdf-form-drawn-50000-times`` (500 000 rectangles from 500 KB) and
  ``audit-pdf-form-chain-10e8`` (10⁸ forms drawn from 3 KB): still running after 30 s;
- ``audit-pdf-busy-pages`` (20 pages of nothing but ``q Q``): 5.7 s, and it grows with the pages;
- ``audit-pdf-40000-characters`` (one operator showing them): 1.1 s, 113 MB; 400 000 such
  characters: 9.8 s, 818 MB.

So, only while a ``bounded(counter)`` block runs, every step is reported to its counter, which
stops the reading by raising when a bound is passed (gaidocx.audit.read_pdf holds the bounds):

- ``pdfminer.pdftypes``'s ``zlib`` inflates a stream only up to ``counter.max_stream + 1`` bytes;
  its ``decompress_corrupted`` (pdfminer's recovery of a stream with a bad checksum, quadratic:
  it inflates byte by byte, 1.1 s for 4 MB) is done at once and bounded; its ``lzwdecode`` and
  ``rldecode`` (pure Python, expanding many times over; Word and WPS never write them) are
  refused;
- ``pdfminer.pdfinterp.PDFContentParser`` (which ``PDFPageInterpreter.execute`` looks up as a
  global) reports each operator and operand parsed;
- pdfminer's and pdfplumber's English log lines are not shown (the user reads Chinese messages).

These globals are replaced on entering the first block and given back on leaving the last one:
outside, pdfminer is as shipped.  The counter is a context variable, so another thread's use of
pdfminer meanwhile is passed through uncounted.  ``pages`` gives pdfplumber's pages one by one
(``PDF.pages`` makes every one first) whose ``layout`` is made by a device that reports each
character, path and image, and by an interpreter that reports each form drawn (``do_Do``; the
interpreters of nested forms are made by ``dup`` as ``self.__class__``, so they report too).

All of this is pdfminer's and pdfplumber's internals: pyproject pins the versions checked
(``VERSIONS``) and ``PINNED`` holds a checksum of the source of each function, method and class
relied on or replaced; tests/audit/test_pdfminer_bounds.py fails when an upgrade changes any of
them, so that an upgrade is read before it ships.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import zlib
from collections.abc import Iterator
from typing import NoReturn, Protocol

from pdfminer import lzw, pdfinterp, pdftypes, runlength
from pdfminer.pdfpage import PDFPage
from pdfplumber.page import Page, PDFPageAggregatorWithMarkedContent
from pdfplumber.pdf import PDF

#: The releases whose internals are the ones pinned below (pyproject's ranges).
VERSIONS = {"pdfplumber": ">=0.11.11,<0.12", "pdfminer.six": "==20260107"}
#: SHA-256 of ``inspect.getsource`` of each (a property: of its getter), as in pdfplumber 0.11.11
#: and pdfminer.six 20260107.
PINNED = {
    # calls zlib.decompress, decompress_corrupted, lzwdecode and rldecode by their global names
    "pdfminer.pdftypes.PDFStream.decode": "3679c846116c9d03557bcd729b7648d6654d8c1544c48c2d1e490ffd76e6da9a",
    "pdfminer.pdftypes.decompress_corrupted": "6e9ad2f4db31c17ecab7713af861bd8612d5adad3325232bbf6ae5149f7ac641",
    "pdfminer.lzw.lzwdecode": "2ef20a41d1e0494ef46c3dd37294ac9be0b7f7c7e0d989bc06c61053bdd09acf",
    "pdfminer.runlength.rldecode": "7d0f584f3876dd4589ef6c0a7b2bf0d496d5bde7449f0802267e56c54fd8a879",
    # makes its parser from the global name PDFContentParser, asks it one object at a time, and
    # passes an operator's operands by the argument count of its do_ method
    "pdfminer.pdfinterp.PDFPageInterpreter.execute": "20909827cdb83ad1c49936ad6bb640181ac2bff993267df92d946e5dfb3ae2bc",
    "pdfminer.pdfinterp.PDFContentParser": "b02ad84cffe74a33658cc07d025bcb85539e817f8ce5c7a89e67faca9c4cccf9",
    "pdfminer.psparser.PSStackParser.nextobject": "bd5fd0f25c10edcba23a023048242100232a226e94bd1d61812f0a2086de8553",
    "pdfminer.pdfinterp.PDFPageInterpreter.do_Do": "bf7665caae0158ec8081f225bdfca0399e84ca260c43e7d83475562f56d1f845",
    "pdfminer.pdfinterp.PDFPageInterpreter.dup": "b86c23e1fbdb8fde2c22dd4e665022dc8c74f271b66e1c6f6cbbaa3443efdb75",
    "pdfminer.pdfinterp.PDFPageInterpreter.subinterp": "48f4dd668c1f9e34c18513a9ba04f51a23e94f4c2bf1af798cc4090f7d0d1c27",
    # every object laid out goes through one of these three
    "pdfminer.converter.PDFLayoutAnalyzer.render_char": "46aa7d7858ff406a298ea16259f855a9c120e98abb55b4ce1cd9de302cf4d8c8",
    "pdfminer.converter.PDFLayoutAnalyzer.paint_path": "31912d72fd5d149055b00491d491197127d227b13a1d6a5c8d73437b76cdd915",
    "pdfminer.converter.PDFLayoutAnalyzer.render_image": "07c16641501c63a2784c0505eda9dc1c0bdce6bb84c21b059418c140ebad47b9",
    "pdfplumber.page.PDFPageAggregatorWithMarkedContent": "51aea09474fcde91d54ae928ef5dda15c8f81aaee5892da8fa2fa119f47124fc",
    # a page made as PDF.pages makes it, laid out as Page.layout does, cached in _layout
    "pdfplumber.pdf.PDF.__init__": "1fc887b8eda0bfdd1ccb848ce2180d7e6533680c12f657b81b644e9971cb34be",
    "pdfplumber.pdf.PDF.pages": "d03f4f4b5e64c8972f1ddae2e921ddb9126a09c26edd0cd979c285a154adc462",
    "pdfplumber.page.Page.__init__": "ad560e78ee8e530e5edb0c7ce2c17f8b045f7d0e90c7d1fdae47287dc040f75c",
    "pdfplumber.page.Page.layout": "84dfee0427a48570945b00419d9045fc01975634c71509d3529e47010950ae7d",
}
#: Loggers whose lines are not shown inside a block.
LOGGERS = ("pdfminer", "pdfplumber")


class Counter(Protocol):
    """What pdfminer does for one file, step by step; a method raises to stop the reading."""

    #: The most bytes a stream may inflate to.
    max_stream: int

    def inflated(self, size: int) -> None:
        """A stream inflated to ``size`` bytes; more than ``max_stream`` means it inflates to more
        (it was cut there) and must be refused."""

    def refused(self, compression: str) -> NoReturn:
        """A stream compressed as ``compression`` ("LZW", "RunLength"), which is not decoded."""

    def parsed(self) -> None:
        """One operator or operand of a content stream parsed."""

    def new_page(self, number: int) -> None:
        """Page ``number`` (from 1) is about to be laid out."""

    def drawn(self) -> None:
        """One character, path or image laid out on the current page."""

    def form_drawn(self) -> None:
        """A form (XObject) about to be drawn."""


_counter: contextvars.ContextVar[Counter | None] = contextvars.ContextVar("pdfminer_counter", default=None)
_lock = threading.Lock()
_blocks = 0
_saved: dict[tuple[object, str], object] = {}


@contextlib.contextmanager
def bounded(counter: Counter) -> Iterator[None]:
    """pdfminer, in this thread, reports to ``counter`` within the block."""
    global _blocks
    token = _counter.set(counter)
    with _lock:
        if not _blocks:
            _install()
        _blocks += 1
    try:
        yield
    finally:
        with _lock:
            _blocks -= 1
            if not _blocks:
                _restore()
        _counter.reset(token)


def pages(pdf: PDF) -> Iterator[Page]:
    """``pdf``'s pages, made one at a time, laid out under the counter of the enclosing block."""
    doctop = 0.0
    for number, page_obj in enumerate(PDFPage.create_pages(pdf.doc), start=1):
        page = _BoundedPage(pdf, page_obj, page_number=number, initial_doctop=doctop)
        doctop += page.height
        yield page


# ---------------------------------------------------------------- what replaces pdfminer's globals


class _BoundedZlib:
    """What ``pdftypes`` sees as ``zlib``."""

    error = zlib.error
    decompressobj = staticmethod(zlib.decompressobj)

    @staticmethod
    def decompress(data: bytes) -> bytes:
        counter = _counter.get()
        if counter is None:
            return zlib.decompress(data)
        inflater = zlib.decompressobj()
        out = inflater.decompress(data, counter.max_stream + 1)
        counter.inflated(len(out))
        if not inflater.eof:
            raise zlib.error("incomplete or truncated stream")
        return out


_decompress_corrupted = pdftypes.decompress_corrupted


def _decompress_damaged(data: bytes) -> bytes:
    """A stream whose checksum (its last four bytes) is wrong, inflated as pdfminer does, but at
    once instead of byte by byte; damaged before its checksum, it gives nothing, as in pdfminer."""
    counter = _counter.get()
    if counter is None:
        return _decompress_corrupted(data)
    try:
        out = zlib.decompressobj().decompress(data[:-4], counter.max_stream + 1)
    except zlib.error:
        return b""
    counter.inflated(len(out))
    return out


def _lzw_refused(data: bytes) -> bytes:
    counter = _counter.get()
    if counter is None:
        return lzw.lzwdecode(data)
    counter.refused("LZW")


def _run_length_refused(data: bytes) -> bytes:
    counter = _counter.get()
    if counter is None:
        return runlength.rldecode(data)
    counter.refused("RunLength")


class _CountedContentParser(pdfinterp.PDFContentParser):
    def nextobject(self):
        parsed = super().nextobject()
        counter = _counter.get()
        if counter is not None:
            counter.parsed()
        return parsed


def _replacements() -> dict[tuple[object, str], object]:
    return {
        (pdftypes, "zlib"): _BoundedZlib,
        (pdftypes, "decompress_corrupted"): _decompress_damaged,
        (pdftypes, "lzwdecode"): _lzw_refused,
        (pdftypes, "rldecode"): _run_length_refused,
        (pdfinterp, "PDFContentParser"): _CountedContentParser,
    }


def _install() -> None:
    for (module, name), replacement in _replacements().items():
        _saved[module, name] = getattr(module, name)
        setattr(module, name, replacement)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        _saved[logger, "level"] = logger.level
        logger.setLevel(logging.CRITICAL)


def _restore() -> None:
    for (owner, name), original in _saved.items():
        if isinstance(owner, logging.Logger):
            owner.setLevel(original)
        else:
            setattr(owner, name, original)
    _saved.clear()


# ---------------------------------------------------------------- pdfplumber's page, counted


class _CountingDevice(PDFPageAggregatorWithMarkedContent):
    counter: Counter

    def render_char(self, *args, **kwargs):
        self.counter.drawn()
        return super().render_char(*args, **kwargs)

    def paint_path(self, *args, **kwargs):
        self.counter.drawn()
        return super().paint_path(*args, **kwargs)

    def render_image(self, *args, **kwargs):
        self.counter.drawn()
        return super().render_image(*args, **kwargs)


class _CountingInterpreter(pdfinterp.PDFPageInterpreter):
    device: _CountingDevice

    def do_Do(self, xobjid) -> None:  # noqa: N802 - pdfminer's name
        # a form drawn inside itself, or a chain of forms each drawing the next many times
        self.device.counter.form_drawn()
        return super().do_Do(xobjid)


class _BoundedPage(Page):
    @property
    def layout(self):
        if hasattr(self, "_layout"):
            return self._layout
        counter = _counter.get()
        if counter is None:
            raise RuntimeError("a bounded page is laid out only inside pdfminer_bounds.bounded()")
        counter.new_page(self.page_number)
        device = _CountingDevice(self.pdf.rsrcmgr, pageno=self.page_number, laparams=self.pdf.laparams)
        device.counter = counter
        _CountingInterpreter(self.pdf.rsrcmgr, device).process_page(self.page_obj)
        self._layout = device.get_result()
        return self._layout

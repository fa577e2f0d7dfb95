"""Convert .docx files to PDF with LibreOffice (``soffice --headless --convert-to pdf``).

Each conversion runs with its own LibreOffice profile, so parallel runs do not
collide with each other or with a LibreOffice the user has open, and with a
fontconfig configuration that adds ``templates/fonts/fonts.conf`` (free
substitutes for 仿宋_GB2312, 楷体_GB2312, 黑体, 宋体, 方正小标宋简体) to the
system configuration.

``convert_many`` converts many documents with one LibreOffice start (starting
it is most of the time a conversion takes); a document LibreOffice cannot
convert is reported for that document only.  ``convert_to_pdf`` converts one.

LibreOffice runs in its own process group.  However the conversion ends — done,
timed out, failed, Ctrl+C (KeyboardInterrupt) or SIGTERM (turned into
``Terminated``, a KeyboardInterrupt, while a conversion runs in the main thread
of a process that has no SIGTERM handler of its own) — the whole group is
killed and the temporary folder with the profile is removed.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePath, PureWindowsPath
from xml.sax.saxutils import escape

from gaidocx.resources import shipped_file

DEFAULT_TIMEOUT = 180  # seconds; the first run of a fresh profile takes a few seconds
#: Added to a batch's time limit for each document (a report converts in well under a second).
TIMEOUT_PER_DOCUMENT = 30
_SYSTEM_FONTCONFIG = ("/etc/fonts/fonts.conf", "/usr/local/etc/fonts/fonts.conf", "/opt/homebrew/etc/fonts/fonts.conf")
#: Prefix of the temporary folder holding a conversion's profile, inputs and outputs.
TEMP_PREFIX = "gaidocx-pdf-"
#: LibreOffice's import filter for .docx: a damaged file is then refused, not imported as plain text.
_DOCX_FILTER = "MS Word 2007 XML"


class PdfError(RuntimeError):
    """LibreOffice is missing, failed or timed out."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived during a conversion (handled like Ctrl+C: clean up, then stop)."""


def default_locations(platform: str | None = None, environ: Mapping[str, str] | None = None) -> list[PurePath]:
    """Where LibreOffice's installer puts ``soffice`` on Windows and macOS (empty elsewhere)."""
    platform = sys.platform if platform is None else platform
    environ = os.environ if environ is None else environ
    if platform.startswith("win"):
        roots = []
        for variable, fallback in (("ProgramFiles", r"C:\Program Files"), ("ProgramFiles(x86)", r"C:\Program Files (x86)"), ("ProgramW6432", None)):
            for root in (environ.get(variable), fallback):
                if root and PureWindowsPath(root) not in roots:
                    roots.append(PureWindowsPath(root))
        return [root / "LibreOffice" / "program" / "soffice.exe" for root in roots]
    if platform == "darwin":
        apps = [PurePath("/Applications")]
        if environ.get("HOME"):
            apps.append(PurePath(environ["HOME"]) / "Applications")
        return [app / "LibreOffice.app" / "Contents" / "MacOS" / "soffice" for app in apps]
    return []


def find_soffice() -> str | None:
    """The LibreOffice executable: on PATH, else in its default install folder."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in default_locations():
        if os.path.isfile(str(candidate)):
            return str(candidate)
    return None


def fonts_conf() -> Path:
    """The shipped font aliases (``templates/fonts/fonts.conf``)."""
    return shipped_file("fonts", "fonts.conf")


def _fontconfig_file(directory: Path) -> Path:
    """A fontconfig file: the system configuration, then the shipped aliases."""
    system = os.environ.get("FONTCONFIG_FILE") or next((p for p in _SYSTEM_FONTCONFIG if Path(p).is_file()), None)
    includes = []
    if system:
        includes.append(f'  <include ignore_missing="yes">{escape(str(Path(system).resolve()))}</include>')
    aliases = fonts_conf()
    if aliases.is_file():
        includes.append(f'  <include ignore_missing="yes">{escape(str(aliases.resolve()))}</include>')
    path = directory / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        + "\n".join(includes)
        + "\n</fontconfig>\n",
        encoding="utf-8",
    )
    return path


def convert_to_pdf(docx_path: str | Path, pdf_path: str | Path, *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Write ``pdf_path`` (replaced atomically) from ``docx_path``; returns ``pdf_path``."""
    target = Path(pdf_path)
    error = convert_many([(docx_path, target)], timeout=timeout)[Path(docx_path)]
    if error is not None:
        raise error
    return target


def convert_many(
    documents: Iterable[str | Path | tuple[str | Path, str | Path]],
    out_dir: str | Path | None = None,
    *,
    timeout: float | None = None,
) -> dict[Path, PdfError | None]:
    """Convert every document with one LibreOffice start; returns each source's outcome.

    ``documents`` holds .docx paths, written as ``out_dir / <name>.pdf``, or
    ``(docx, pdf)`` pairs.  Each PDF is replaced atomically.  The result maps
    every source (as given, as a Path) to ``None`` when its PDF was written, or
    to the ``PdfError`` saying why not; one document LibreOffice cannot read
    does not stop the others.  ``timeout`` limits the whole run (default:
    ``DEFAULT_TIMEOUT`` plus ``TIMEOUT_PER_DOCUMENT`` a document); when it
    passes, LibreOffice is ended and every document not yet converted fails.
    """
    pairs: list[tuple[Path, Path]] = []
    for item in documents:
        if isinstance(item, tuple):
            source, target = Path(item[0]), Path(item[1])
        else:
            if out_dir is None:
                raise ValueError("convert_many: give out_dir or (docx, pdf) pairs")
            source = Path(item)
            target = Path(out_dir) / (source.stem + ".pdf")
        pairs.append((source, target))
    results: dict[Path, PdfError | None] = {}
    pending: dict[Path, Path] = {}  # source → target, each source once
    for source, target in pairs:
        if source in results or source in pending:
            continue
        if not source.is_file():
            results[source] = PdfError(f"找不到要转换的 Word 文档：{source}")
        else:
            pending[source] = target
    if not pending:
        return {source: results[source] for source, _ in pairs}
    soffice = find_soffice()
    if soffice is None:
        missing = PdfError("未找到 LibreOffice（soffice 命令），无法生成 PDF。请安装 LibreOffice 后重试。")
        return {source: results.get(source) or missing for source, _ in pairs}
    with _terminated_as_interrupt(), tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as tmp:
        work = Path(tmp)
        (work / "in").mkdir()
        (work / "out").mkdir()
        staged: dict[Path, str] = {}  # source → its plain ASCII stem (LibreOffice names outputs after inputs)
        for number, source in enumerate(pending, start=1):
            stem = f"report-{number:05d}"
            try:
                (work / "in" / f"{stem}.docx").write_bytes(_for_libreoffice(source.read_bytes()))
            except OSError as exc:
                results[source] = PdfError(f"无法读取要转换的 Word 文档“{source}”：{exc.strerror or exc}")
            else:
                staged[source] = stem
        remaining = list(staged)
        while remaining:
            limit = timeout if timeout is not None else DEFAULT_TIMEOUT + TIMEOUT_PER_DOCUMENT * len(remaining)
            inputs = [str(work / "in" / f"{staged[source]}.docx") for source in remaining]
            failure, retry = _run_soffice(soffice, work, inputs, limit)
            unconverted = []
            for source in remaining:
                produced = work / "out" / f"{staged[source]}.pdf"
                if not _complete(produced):
                    unconverted.append(source)
                    continue
                try:
                    _place(produced, pending[source])
                except OSError as exc:
                    results[source] = PdfError(f"无法写入 PDF 文件“{pending[source]}”：{exc.strerror or exc}")
                else:
                    results[source] = None
            if failure is None:
                for source in unconverted:
                    results[source] = PdfError(
                        f"LibreOffice 未能把“{source.name}”转换为 PDF（文件可能已损坏，或不是 Word 文档）。"
                    )
                break
            # LibreOffice converts in order: a run that crashed or hung did so on the first
            # document it left unconverted; the documents after it get a run of their own.
            blamed = unconverted[:1] if retry else unconverted
            for source in blamed:
                results[source] = PdfError(failure.replace(_NAME, source.name))
            remaining = unconverted[len(blamed) :]
    return {source: results[source] for source, _ in pairs}


def _complete(path: Path) -> bool:
    """Whether LibreOffice finished writing the PDF (it ends with ``%%EOF``)."""
    try:
        with path.open("rb") as file:
            size = file.seek(0, os.SEEK_END)
            file.seek(max(0, size - 1024))
            return size > 0 and b"%%EOF" in file.read()
    except OSError:
        return False


def _place(produced: Path, target: Path) -> None:
    """Copy ``produced`` to ``target`` atomically (a partial file never has the final name)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(produced, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


#: Stands for a document's name in a message about a whole LibreOffice run.
_NAME = "\0name\0"


def _run_soffice(soffice: str, work: Path, inputs: list[str], timeout: float) -> tuple[str | None, bool]:
    """Run one LibreOffice over ``inputs`` into ``work/out``.  If the run as a whole failed: the
    message for a document it did not convert (``_NAME`` standing for its name), and whether
    another run may convert the documents after it (not when LibreOffice cannot start)."""
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(_fontconfig_file(work))
    env["HOME"] = str(work)  # LibreOffice may write outside the profile (e.g. ~/.config)
    scratch = work / "tmp"  # and leaves its temporary files behind when it is killed
    scratch.mkdir(exist_ok=True)
    for variable in ("TMPDIR", "TMP", "TEMP"):
        env[variable] = str(scratch)
    command = [
        soffice,
        f"-env:UserInstallation={(work / 'profile').as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        f"--infilter={_DOCX_FILTER}",
        "--convert-to",
        "pdf:writer_pdf_Export",
        "--outdir",
        str(work / "out"),
        *inputs,
    ]
    try:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=work,
            start_new_session=True,  # its own process group, ended as a whole (soffice.bin too)
        )
    except OSError as exc:
        return f"无法启动 LibreOffice（{soffice}）：{exc.strerror or exc}", False
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        return f"LibreOffice 转换“{_NAME}”超时（超过 {timeout:g} 秒），已终止。", True
    except BaseException:  # Ctrl+C, SIGTERM: LibreOffice goes too, then the profile is removed
        _kill_group(process)
        raise
    _kill_group(process)  # anything it left running in its group
    if process.returncode != 0:
        detail = (stderr or stdout or b"").decode("utf-8", "replace").strip()[-500:]
        return f"LibreOffice 未能把“{_NAME}”转换为 PDF（退出码 {process.returncode}）。{detail}", True
    return None, False


@contextlib.contextmanager
def _terminated_as_interrupt() -> Iterator[None]:
    """While converting, SIGTERM raises ``Terminated`` (so the cleanup runs) — only in the main
    thread, and only when the program has not chosen its own SIGTERM handling."""
    sigterm = getattr(signal, "SIGTERM", None)
    if sigterm is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    try:
        previous = signal.getsignal(sigterm)
    except (ValueError, OSError):
        previous = None
    if previous is not signal.SIG_DFL:
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Terminated()

    signal.signal(sigterm, handler)
    try:
        yield
    finally:
        signal.signal(sigterm, signal.SIG_DFL)


_OVERFLOW_PUNCT = re.compile(rb'(<w:overflowPunct w:val=")(0|1|false|true)(")')
_INVERTED = {b"0": b"1", b"false": b"1", b"1": b"0", b"true": b"0"}


def _for_libreoffice(docx: bytes) -> bytes:
    """The document as LibreOffice must read it to lay it out as Word does.

    LibreOffice's DOCX import reads ``w:overflowPunct`` inverted (writerfilter
    maps it to ParaIsHangingPunctuation = ``val == 0``), so our "no punctuation
    past the margin" would hang commas into the margin in the PDF.  Only this
    private copy is changed; the .docx users get stays as Word and WPS read it.
    """
    try:
        source = zipfile.ZipFile(io.BytesIO(docx))
    except zipfile.BadZipFile:
        return docx  # LibreOffice will say what is wrong with it
    buffer = io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("word/") and info.filename.endswith(".xml"):
                data = _OVERFLOW_PUNCT.sub(lambda m: m[1] + _INVERTED[m[2]] + m[3], data)
            target.writestr(info, data)
    return buffer.getvalue()


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """End LibreOffice's whole process group and wait until it is gone (at most a few seconds).
    A second Ctrl+C or SIGTERM meanwhile does not cut the clean-up short."""
    while True:
        try:
            _end_group(process)
            return
        except KeyboardInterrupt:
            continue


def _end_group(process: subprocess.Popen[bytes]) -> None:
    killpg = getattr(os, "killpg", None)
    if killpg is None:  # Windows: soffice.exe starts soffice.bin, ended with it by taskkill /T
        if process.poll() is None:
            subprocess.run(
                ["taskkill", "/F", "/T", "/PID", str(process.pid)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            if process.poll() is None:
                process.kill()
        process.communicate()
        return
    try:
        killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.communicate()
    deadline = time.monotonic() + 5
    while _group_alive(process.pid) and time.monotonic() < deadline:  # soffice.bin may outlive the wrapper
        time.sleep(0.02)


def _group_alive(pgid: int) -> bool:
    """Whether a process of group ``pgid`` still runs (zombies waiting to be reaped do not count)."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").is_file():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            return True
    return False

"""Convert a .docx to PDF with LibreOffice (``soffice --headless --convert-to pdf``).

Each conversion runs with its own LibreOffice profile, so parallel runs do not
collide with each other or with a LibreOffice the user has open, and with a
fontconfig configuration that adds ``templates/fonts/fonts.conf`` (free
substitutes for 仿宋_GB2312, 楷体_GB2312, 黑体, 宋体, 方正小标宋简体) to the
system configuration.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from gaidocx.resources import shipped_file

DEFAULT_TIMEOUT = 180  # seconds; the first run of a fresh profile takes a few seconds
_SYSTEM_FONTCONFIG = ("/etc/fonts/fonts.conf", "/usr/local/etc/fonts/fonts.conf", "/opt/homebrew/etc/fonts/fonts.conf")


class PdfError(RuntimeError):
    """LibreOffice is missing, failed or timed out."""


def find_soffice() -> str | None:
    """The LibreOffice executable on PATH, if any."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/Applications/LibreOffice.app/Contents/MacOS/soffice",):
        if Path(candidate).is_file():
            return candidate
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
    source = Path(docx_path)
    target = Path(pdf_path)
    if not source.is_file():
        raise PdfError(f"找不到要转换的 Word 文档：{source}")
    soffice = find_soffice()
    if soffice is None:
        raise PdfError("未找到 LibreOffice（soffice 命令），无法生成 PDF。请安装 LibreOffice 后重试。")
    with tempfile.TemporaryDirectory(prefix="gaidocx-pdf-") as tmp:
        work = Path(tmp)
        (work / "in").mkdir()
        (work / "out").mkdir()
        # A plain ASCII name: LibreOffice names its output after the input.
        staged = work / "in" / "report.docx"
        staged.write_bytes(_for_libreoffice(source.read_bytes()))
        env = dict(os.environ)
        env["FONTCONFIG_FILE"] = str(_fontconfig_file(work))
        env["HOME"] = str(work)  # LibreOffice may write outside the profile (e.g. ~/.config)
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work / "out"),
            str(staged),
        ]
        try:
            process = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=work,
                start_new_session=True,  # so a timeout can end soffice.bin too, not just its wrapper
            )
        except OSError as exc:
            raise PdfError(f"无法启动 LibreOffice（{soffice}）：{exc}") from exc
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise PdfError(f"LibreOffice 转换 PDF 超时（超过 {timeout:g} 秒），已终止。") from None
        produced = work / "out" / "report.pdf"
        if process.returncode != 0 or not produced.is_file() or produced.stat().st_size == 0:
            detail = (stderr or stdout or b"").decode("utf-8", "replace").strip()[-500:]
            raise PdfError(
                f"LibreOffice 未能把“{source.name}”转换为 PDF（退出码 {process.returncode}）。{detail}"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            shutil.copyfile(produced, partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return target


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
    killpg = getattr(os, "killpg", None)  # POSIX; elsewhere only the direct child can be ended
    try:
        if killpg is None:
            raise ProcessLookupError
        killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.communicate()

"""The one guard every Office file (an .xlsx workbook, a .docx Word template) passes first.

Workbooks and Word templates come from users' PCs, so an archive is refused
before any XML parser or office library sees it when it is too big, holds too
many members, declares sizes it does not keep (a "zip bomb"), is damaged, or
holds an XML part with a document type declaration (the one defence against
entity expansion: Office never writes a DOCTYPE, and with none, no parser can
expand an entity).  Members are inflated with the standard library's bounded
reads: ``ZipFile.open(...).read(n)`` never returns, nor inflates much beyond,
the ``n`` bytes asked for, and ``n`` is the declared size, itself limited.

Errors are ``ArchiveError`` with a Chinese message naming the file and the
member; callers (the workbook reader, the Word renderer) add their own advice.
This module imports no office library.
"""

from __future__ import annotations

import errno
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0"
ZIP_MAGIC = b"PK\x03\x04"
XML_SUFFIXES = (".xml", ".rels", ".vml")
#: What zipfile, zlib and struct raise on a damaged archive (struct: a truncated header).
DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    EOFError,
    NotImplementedError,
    RuntimeError,  # an encrypted member
    ValueError,  # a negative offset in a forged header
    OverflowError,
    OSError,  # "Invalid data stream" from a forged member; the archive is in memory, so never a disk error
)


class ArchiveError(Exception):
    """The file cannot be used at all; ``str(e)`` is a Chinese message without advice.

    ``kind`` says what was found, for callers that word advice differently:
    ``"missing"``, ``"loop"``, ``"folder"``, ``"unreadable"``, ``"empty"``, ``"too big"``,
    ``"ole"``, ``"not zip"``, ``"damaged"``, ``"bomb"``, ``"oversized"``, ``"doctype"``.
    """

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Limits:
    """What an archive of one kind may hold; each far above any real file of that kind."""

    #: The file itself (a stored archive is its members plus headers).
    file: int
    #: Members, and the sum of their inflated sizes.
    members: int
    total: int
    #: One member, by default and for the members ``large`` accepts.
    part: int
    large_part: int
    large: Callable[[str], bool] = lambda member: False
    #: A member over ``ratio_floor`` compressed beyond ``ratio``:1 is a bomb (XML rarely exceeds 20:1).
    ratio: int = 200
    ratio_floor: int = 1 * MB
    #: What the file is called in messages: “填报表”, “Word 模板”.
    what: str = "文件"
    #: What a real file of this kind takes, said in messages.
    normal: str = ""


@dataclass(frozen=True)
class Archive:
    """A checked archive: its bytes, its member names, and its XML parts, inflated and DOCTYPE-free."""

    name: str
    data: bytes
    names: tuple[str, ...]
    xml: dict[str, bytes]

    def read(self, member: str) -> bytes:
        """Any member, inflated with the same bounds as when it was checked."""
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            return bounded_read(archive, archive.getinfo(member), self.name)


def read_file(path: Path, limits: Limits) -> bytes:
    """The bytes of ``path``, refusing what is missing, a folder, empty, a link loop or too big."""
    shown = path.name or str(path)
    try:
        status = path.stat()
    except FileNotFoundError:
        raise ArchiveError(f"找不到文件“{path}”。请检查文件名和所在的文件夹是否正确。", "missing") from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: pathlib's "Symlink loop" on some versions
        if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP:
            raise ArchiveError(f"“{path}”是一个循环的符号链接（快捷方式指向自身），找不到真正的文件。请指定文件本身的路径。", "loop") from None
        raise ArchiveError(f"无法读取文件“{path}”（{exc.strerror or exc}）。", "unreadable") from None
    if path.is_dir():
        raise ArchiveError(f"“{path}”是一个文件夹，不是{limits.what}文件。", "folder")
    check_size(status.st_size, shown, limits)
    try:
        with path.open("rb") as stream:
            data = stream.read(limits.file + 1)
    except OSError as exc:
        raise ArchiveError(
            f"无法读取文件“{shown}”（{exc.strerror or exc}）。如果它正在别的程序中打开，请关闭后再试。", "unreadable"
        ) from None
    if len(data) > limits.file:  # grew while being read
        raise ArchiveError(f"文件“{shown}”远大于正常的{limits.what}{limits.normal}，已拒绝读取。", "too big")
    return data


def check_size(size: int, shown: str, limits: Limits) -> None:
    """Refuse an empty file or one far bigger than its kind ever is (a file on disk or bytes uploaded)."""
    if size == 0:
        raise ArchiveError(f"文件“{shown}”是空的（0 字节），可能没有保存完整或复制时出错。", "empty")
    if size > limits.file:
        raise ArchiveError(f"文件“{shown}”有 {size // MB} MB，远大于正常的{limits.what}{limits.normal}，已拒绝读取。", "too big")


def open_archive(data: bytes, name: str, limits: Limits) -> Archive:
    """Check ``data`` as an Office archive and inflate its XML parts; raises ``ArchiveError``."""
    if data.startswith(OLE_MAGIC):
        raise ArchiveError(f"“{name}”是旧版 Office 97-2003 格式或设置了打开密码的加密文件。", "ole")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_declared(members, name, limits)
            xml = {}
            for info in members:
                if info.is_dir():
                    continue
                if info.filename.lower().endswith(XML_SUFFIXES):
                    xml[info.filename] = bounded_read(archive, info, name)
            names = tuple(info.filename for info in members if not info.is_dir())
    except ArchiveError:
        raise
    except DAMAGED as exc:
        if data.startswith(ZIP_MAGIC):
            raise ArchiveError(f"“{name}”已损坏或不完整（可能下载、复制或保存时中断了），无法读取。", "damaged") from exc
        raise ArchiveError(f"“{name}”不是 Office 文件：文件内容是别的格式（例如文本、CSV、PDF），只是扩展名不对。", "not zip") from exc
    for member, content in xml.items():
        check_xml(content, member, name)
    return Archive(name, data, names, xml)


def _check_declared(members: list[zipfile.ZipInfo], name: str, limits: Limits) -> None:
    """Declared sizes bound what will ever be inflated (``bounded_read`` holds members to them)."""
    if len(members) > limits.members:
        raise ArchiveError(_bomb(name, f"包含 {len(members)} 个文件", limits), "bomb")
    total = 0
    for info in members:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Excel, WPS, Word and LibreOffice write only these two
            raise zipfile.BadZipFile(f"{info.filename} uses compression method {info.compress_type}")
        total += info.file_size
        ratio = info.file_size // max(info.compress_size, 1)
        limit = limits.large_part if limits.large(info.filename) else limits.part
        if info.file_size > limit or (info.file_size > limits.ratio_floor and ratio > limits.ratio):
            what = f"其中的“{info.filename}”解压后有 {info.file_size // MB} MB"
            if ratio > 20:
                raise _member_error(_bomb(name, f"{what}（压缩比 {ratio}:1）", limits), "bomb", info.filename)
            raise _member_error(
                f"“{name}”{what}，远超正常的{limits.what}，可能粘贴了大量无关内容，或是恶意构造的文件，已拒绝读取。",
                "oversized",
                info.filename,
            )
    if total > limits.total:
        raise ArchiveError(_bomb(name, f"解压后共有 {total // MB} MB", limits), "bomb")


def _member_error(message: str, kind: str, member: str) -> ArchiveError:
    error = ArchiveError(message, kind)
    error.member = member  # type: ignore[attr-defined]
    return error


def _bomb(name: str, what: str, limits: Limits) -> str:
    return f"“{name}”{what}，远超正常的{limits.what}，可能是恶意构造的“压缩炸弹”文件，已拒绝读取。"


def bounded_read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """A member inflated to at most its declared size (checked by ``_check_declared``).

    ``ZipExtFile`` never returns more than the declared size and checks the CRC at
    the end, so a member that lies about its size is cut short and fails the CRC
    check; it is never inflated in full.
    """
    try:
        with archive.open(info) as stream:
            content = stream.read(info.file_size)
            rest = stream.read(1)  # reaching the end checks the CRC
    except zipfile.BadZipFile as exc:
        if "CRC" not in str(exc):
            raise
        raise ArchiveError(
            f"“{name}”已损坏或不完整：其中的“{info.filename}”实际内容与文件声明的大小或校验值不符"
            "（也可能是恶意构造的“压缩炸弹”文件），无法读取。",
            "damaged",
        ) from exc
    if len(content) != info.file_size or rest:
        raise zipfile.BadZipFile(f"{info.filename}: {len(content)} bytes, not {info.file_size}")
    return content


_DECLARATIONS = re.compile("<!(?:DOCTYPE|ENTITY)")


def check_xml(content: bytes, member: str, name: str) -> None:
    """Refuse a DOCTYPE or ENTITY declaration, in any encoding an XML parser would accept.

    A part must be UTF-8 (Office writes nothing else) or UTF-16 with a byte-order
    mark; anything else is refused too, so that no encoding hides a declaration.
    """
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ArchiveError(
            f"“{name}”中的“{member}”不是 UTF-8 或 UTF-16 编码的 XML，正常的 Office 文件不会这样，已拒绝读取。", "damaged"
        ) from exc
    if "\x00" in text:  # XML holds no NUL; UTF-32 would show as NULs between characters
        raise ArchiveError(f"“{name}”中的“{member}”含有 XML 不允许的空字符，文件已损坏，已拒绝读取。", "damaged")
    if "<!" in text and _DECLARATIONS.search(text):  # a plain search first: most parts have no "<!" at all
        raise ArchiveError(
            f"“{name}”中的“{member}”含有 XML 文档类型声明（DOCTYPE/ENTITY），正常的 Office 文件不会有这种内容，"
            "可能是恶意构造的文件，已拒绝读取。",
            "doctype",
        )

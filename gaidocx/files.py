"""Files in and out: which workbooks a command was given, what outputs are called, which files an
output must never replace, and writing without ever leaving a partial file.

The operations (``gaidocx.pipeline``) use this; nothing here reads a workbook.
"""

from __future__ import annotations

import errno
import glob
import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from gaidocx.core.checks import INVISIBLE, hidden_characters
from gaidocx.core.form import TITLE_SUFFIX, title
from gaidocx.core.report import Report

#: Excel keeps ``~$名称.xlsx`` beside a workbook while it is open.
LOCK_PREFIX = "~$"
WORKBOOK_SUFFIX = ".xlsx"
#: File systems refuse names over 255 bytes.
_MAX_NAME_BYTES = 255


class UserError(Exception):
    """A problem with files or options: the message says what to do."""


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class Inputs:
    """Workbooks to process, in order, and what was passed over: Excel lock files, and files
    named twice (``render 文件夹 文件夹/甲.xlsx``), which are processed once."""

    paths: list[Path]
    skipped_locks: list[Path]
    #: true when folders or several files were named: outputs then go to a folder
    many: bool
    repeated: list[Path] = field(default_factory=list)


def expand_inputs(
    given: Iterable[str | Path], *, suffixes: tuple[str, ...] = (WORKBOOK_SUFFIX,), what: str = ".xlsx 填报表"
) -> Inputs:
    """Files, folders (their files ending in ``suffixes``) and wildcards, expanded here because the
    Windows command prompt passes ``*.xlsx`` on unexpanded.  A pattern matching nothing stays, so
    it is reported as a missing file."""
    paths: list[Path] = []
    given = [Path(g) for g in given]
    many = len(given) > 1
    for path in given:
        pattern = str(path)
        if is_dir(path):
            many = True
            paths.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in suffixes and p.is_file()))
        elif os.path.lexists(path) or not any(mark in pattern for mark in "*?["):
            paths.append(path)
        else:
            many = True
            paths.extend([Path(m) for m in sorted(glob.glob(pattern))] or [path])
    locks = [p for p in paths if p.name.startswith(LOCK_PREFIX)]
    kept = [p for p in paths if not p.name.startswith(LOCK_PREFIX)]
    if not kept:
        if locks:
            raise UserError(
                f"没有可处理的填报表：给出的只有 Excel 的临时锁定文件（{'、'.join(p.name for p in locks[:3])}），"
                "它们不是填报表。请给出填报表本身（文件名不以 ~$ 开头）。"
            )
        raise UserError(f"文件夹中没有 {what}：{'、'.join(str(g) for g in given)}")
    unique, repeated = unique_paths(kept)
    return Inputs(unique, locks, many or len(kept) > 1, repeated)


def unique_paths(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Each file once, in order, however it was named (``a.xlsx``, ``./a.xlsx``, a link to it),
    and the names left out as repeats."""
    seen: set[Path] = set()
    unique, repeated = [], []
    for path in paths:
        key = resolved(path)
        (repeated if key in seen else unique).append(path)
        seen.add(key)
    return unique, repeated


def resolved(path: Path) -> Path:
    """The absolute path with links followed, or without following them when they loop (Python
    before 3.13 raises RuntimeError there, later ones OSError): the read then says so in Chinese."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


# ---------------------------------------------------------------- output names and writing


_UNSAFE_IN_FILENAMES = re.compile(r'[\\/:*?"<>|]')
#: CJK takes 3 bytes a character in UTF-8; 40 characters leave room for the rest of the title.
_LONGEST_AGENCY = 40


def safe_file_name(text: str) -> str:
    """``text`` usable as a file name on Windows: no reserved or invisible characters
    (controls and format characters such as a right-to-left override never reach a name), and
    never starting like an Excel lock file (``~$``), which every command passes over."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    visible = "".join(c for c in text if unicodedata.category(c) not in INVISIBLE)
    name = _UNSAFE_IN_FILENAMES.sub("_", visible).strip(" .")
    while name.startswith(LOCK_PREFIX):
        name = name.removeprefix(LOCK_PREFIX).lstrip(" .")
    return name


def _agency_in_name(agency: str) -> str:
    """The agency as a file name holds it: names longer than fit are cut, and end with a short
    mark of the whole name, so two agencies that differ only beyond the cut get distinct files."""
    agency = safe_file_name(agency)
    if len(agency) <= _LONGEST_AGENCY:
        return agency
    mark = hashlib.sha256(agency.encode("utf-8")).hexdigest()[:6]
    return f"{agency[: _LONGEST_AGENCY - 8]}…{mark}"


#: The template's file name when neither agency nor year is known.
PLAIN_TEMPLATE_NAME = "政府信息公开年度报告填报表.xlsx"


def template_name(agency: str = "", year: int | None = None) -> str:
    """``某某县人民政府办公室2025年政府信息公开工作年度报告填报表.xlsx``: the dozens of files an
    office receives differ by name."""
    agency = _agency_in_name(agency)
    if not agency and not year:
        return PLAIN_TEMPLATE_NAME
    stem = title(agency, year) if year else agency + TITLE_SUFFIX.removeprefix("年")
    return safe_file_name(stem) + "填报表.xlsx"


def default_name(report: Report, suffix: str = ".docx") -> str:
    """Named like the report's title: ``某某局2024年政府信息公开工作年度报告.docx``."""
    agency = _agency_in_name(report.agency)
    return f"{safe_file_name(title(agency, report.year or 0))}{suffix}"

def with_suffix_if_none(output: Path, suffix: str) -> Path:
    """``-o 报告`` means ``报告.docx``."""
    return output if output.suffix else output.with_name(output.name + suffix)


class Protected:
    """Files an output must never replace (the inputs), known by resolved path and by identity
    on disk, so that checking many outputs against many inputs stays linear."""

    def __init__(self, paths: Iterable[Path | None]) -> None:
        self.keys: set[object] = set()
        for path in paths:
            if path is None:
                continue
            self.keys.add(resolved(path))
            try:
                status = path.stat()
            except OSError:
                continue
            self.keys.add((status.st_dev, status.st_ino))

    def __contains__(self, output: Path) -> bool:
        if resolved(output) in self.keys:
            return True
        try:
            status = output.stat()
        except OSError:
            return False
        return (status.st_dev, status.st_ino) in self.keys


def check_output_path(output: Path, *, inputs: Iterable[Path] | Protected, force: bool, suffix: str) -> None:
    """Refuse before any work is done: a wrong kind of name, overwriting an input or an existing
    file, a missing folder, a name too long for the file system."""
    if len(output.name.encode("utf-8")) > _MAX_NAME_BYTES:
        raise UserError(f"输出文件名太长（超过 {_MAX_NAME_BYTES} 字节），请用 -o 指定一个短一些的文件名：{output.name[:40]}……")
    if output in (inputs if isinstance(inputs, Protected) else Protected(inputs)):
        raise UserError(f"输出文件不能与输入文件相同：{output}")
    if output.suffix.lower() != suffix:
        raise UserError(f"输出文件名应以 {suffix} 结尾：{output}")
    if output.is_dir():
        raise UserError(f"输出路径是一个文件夹，请给出文件名：{output}")
    if output.exists() and not force:
        raise UserError(f"文件已存在：{output}\n如需覆盖，请加 --force；或用 -o 指定另一个文件名。")
    folder = output.parent
    if not folder.is_dir():
        raise UserError(f"输出文件夹不存在：{folder}")
    if not os.access(folder, os.W_OK):
        raise UserError(f"没有权限写入文件夹：{folder}")


def write_atomically(output: Path, data: bytes, *, force: bool = True) -> None:
    """Write to a temporary file in the target folder, then move it into place: no partial file
    ever exists under the final name, and an interrupted write leaves no temporary file.

    Without ``force`` an existing file is never replaced, even by a process racing this one:
    the final name is created by a hard link, which fails when the name exists.
    """
    import tempfile

    try:
        handle, temporary = tempfile.mkstemp(prefix=".gaidocx-", suffix=output.suffix, dir=output.parent)
    except OSError as exc:
        raise UserError(f"无法在文件夹中写入文件：{output.parent}（{os_reason(exc)}）") from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~_umask())
        if force:
            os.replace(temporary, output)
        else:
            _link_exclusively(Path(temporary), output)
    except FileExistsError as exc:
        raise UserError(f"文件已存在：{output}\n（可能刚由另一个程序生成。）如需覆盖，请加 --force。") from exc
    except OSError as exc:
        raise UserError(f"写入文件失败：{output}（{os_reason(exc)}）") from exc
    finally:
        Path(temporary).unlink(missing_ok=True)


def _link_exclusively(temporary: Path, output: Path) -> None:
    try:
        os.link(temporary, output)
    except FileExistsError:
        raise
    except OSError:
        # File systems without hard links (FAT, some network drives): O_EXCL still never replaces.
        stream = open(output, "xb")  # raises FileExistsError before anything is made
        try:
            with stream:
                stream.write(temporary.read_bytes())
        except BaseException:  # a full disk: no partial file under the final name
            output.unlink(missing_ok=True)
            raise


def os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "文件名或路径太长"
    if exc.errno == errno.ENOSPC:
        return "磁盘空间不足"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "没有权限"
    return exc.strerror or type(exc).__name__


def _umask() -> int:
    """mkstemp creates owner-only files; the output should get the user's usual permissions."""
    mask = os.umask(0)
    os.umask(mask)
    return mask



def agency_warnings(agency: str) -> list[str]:
    """Invisible characters pasted into 机关名称 (a right-to-left override can disguise a name)."""
    hidden = hidden_characters(agency)
    if not hidden:
        return []
    return [f"机关名称中有不可见的格式字符（{'、'.join(hidden[:5])}），可能是从别处复制来的，请核对；文件名中已去掉。"]


def is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long, a loop of links: not a folder, refused later with a message
        return False

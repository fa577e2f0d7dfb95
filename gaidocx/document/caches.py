"""Two disk caches that make preparing a Word template cheap in a new process: Jinja's
compiled code, and the cleaned source of each part (keyed by the part's checksum).  Both
live in private files of the temporary directory; a cache that cannot be read or written
is no cache, never an error (``GAIDOCX_NO_CACHE`` turns both off)."""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from jinja2 import Environment, FunctionLoader
from jinja2.bccache import FileSystemBytecodeCache

from gaidocx import __version__
from gaidocx.document.sandbox import SANDBOX_VERSION


class _QuietCache(FileSystemBytecodeCache):
    """Jinja's per-user cache of compiled templates (in a private folder of the temporary
    directory): a cache that cannot be read or written is no cache, never an error."""

    def load_bytecode(self, bucket: Any) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged or foreign cache file: compile again
            bucket.reset()

    def dump_bytecode(self, bucket: Any) -> None:
        try:
            super().dump_bytecode(bucket)
        except Exception:
            pass


@functools.lru_cache(maxsize=1)
def bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiling the template is most of preparing it; the compiled code is kept on disk, keyed
    by the source's checksum (and Jinja's and Python's versions), so that a new process reuses it."""
    if os.environ.get("GAIDOCX_NO_CACHE"):
        return None
    try:
        return _QuietCache(pattern=f"gaidocx-{__version__}-{SANDBOX_VERSION}-%s.cache")
    except Exception:  # no usable temporary directory (or an unsafe one): compile every time
        return None


def _sources_file(content: bytes) -> Path | None:
    cache = bytecode_cache()
    if cache is None:
        return None
    digest = hashlib.sha256(content).hexdigest()
    return Path(cache.directory) / f"gaidocx-{__version__}-{SANDBOX_VERSION}-{digest}.json"


def cached_sources(content: bytes) -> tuple[str, str, str] | None:
    """The cleaned source of a part prepared before (by any process), and for the main document
    the text before and after its body."""
    path = _sources_file(content)
    try:
        source, head, tail = json.loads(path.read_text(encoding="utf-8"))  # type: ignore[union-attr]
        return str(source), str(head), str(tail)
    except Exception:  # none yet, or unusable: prepare again
        return None


def cache_sources(content: bytes, sources: tuple[str, str, str]) -> None:
    path = _sources_file(content)
    if path is None:
        return
    try:
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(sources, ensure_ascii=False), encoding="utf-8")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except Exception:
        pass


def compiled(environment: Environment, member: str, source: str) -> Any:
    """``environment.from_string(source)``, through the bytecode cache when there is one (which
    needs a loader: one that serves nothing once the source is compiled)."""
    name = f"gaidocx:{member}"
    compiling = [True]  # the loader serves this source once, to compile it: never to an {% include %}
    loader = FunctionLoader(lambda asked: (source, None, lambda: True) if compiling[0] and asked == name else None)
    try:
        return environment.overlay(loader=loader, cache_size=0).get_template(name)
    finally:
        compiling[0] = False

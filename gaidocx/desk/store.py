"""Files kept by content: ``files/ab/abcdef….bin`` named by SHA-256, written atomically.

The same bytes are stored once however often they are uploaded; a file is never changed or
removed, so a row naming a hash always finds its file, also after a crash or restart.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def _folder() -> Path:
    return Path(settings.DESK_FOLDER) / "files"


def path_of(sha256: str) -> Path:
    return _folder() / sha256[:2] / f"{sha256}.bin"


def put(data: bytes) -> str:
    """Store ``data``; returns its SHA-256.  A partial file never exists under the final name."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_of(digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return digest


def get(sha256: str) -> bytes:
    return path_of(sha256).read_bytes()

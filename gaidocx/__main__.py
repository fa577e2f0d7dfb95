"""The ``gaidocx`` program: set up the console and signals before anything heavy is imported.

Ctrl+C or SIGTERM at any moment, even while the libraries load, ends with one
Chinese line and exit code 130; temporary files are removed by the code that
made them (``finally``) as the interruption unwinds.  Output never fails on
encoding: on Chinese Windows a redirected console is cp936, and a character it
cannot hold is replaced, not raised.  A closed pipe (``gaidocx check … | head``)
ends quietly.
"""

from __future__ import annotations

import os
import signal
import sys

from gaidocx.exits import EXIT_INTERRUPTED, INTERRUPTED


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _tolerant_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


def main() -> None:
    try:
        signal.signal(signal.SIGTERM, _interrupt)
        _tolerant_streams()
        from gaidocx.cli import cli

        cli(prog_name="gaidocx")
    except KeyboardInterrupt:
        _say(INTERRUPTED)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(1)


def _say(message: str) -> None:
    try:
        print(message, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _quiet_stdout() -> None:
    """Python would complain again when it flushes stdout at exit; point it at nothing instead."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    main()

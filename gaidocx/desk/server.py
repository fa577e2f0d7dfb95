"""The desk served by waitress (pure Python, runs on the office's Windows PC) with huey's workers
in the same process; ``gaidocx desk worker`` runs more workers, on this or another machine.

Ctrl+C or SIGTERM stops accepting requests, lets the running jobs finish (at most
``JOB_GRACE_SECONDS``) and ends with exit code 0; a job cut off is picked up again at the next start
because huey keeps its queue.
"""

from __future__ import annotations

import signal
from collections.abc import Callable

from gaidocx.desk import MAX_BODY_BYTES

#: Requests served at once; a check takes a fraction of a second, so this is plenty for an office.
THREADS = 8
JOB_WORKERS = 2
JOB_GRACE_SECONDS = 30


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run_server(host: str, port: int, *, announce: Callable[[str], None]) -> None:
    from django.core.wsgi import get_wsgi_application
    from waitress import create_server

    server = create_server(
        get_wsgi_application(),
        host=host,
        port=port,
        threads=THREADS,
        # waitress answers 413 itself for a larger body, declared or chunked, before Django reads it
        max_request_body_size=MAX_BODY_BYTES,
        ident="gaidocx",
        channel_timeout=60,
        clear_untrusted_proxy_headers=True,
    )
    consumer = _start_jobs(JOB_WORKERS)
    shown_host = f"[{host}]" if ":" in host else host
    announce(f"收集台已启动：http://{shown_host}:{server.effective_port}/ （按 Ctrl+C 停止）")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        consumer.stop(graceful=True)
    announce("收集台已停止。")


def _start_jobs(workers: int):
    """huey's consumer on threads of this process.  It installs its own signal handlers; the
    server's are put back, so Ctrl+C and SIGTERM stop the server, which then stops the jobs."""
    from huey.contrib.djhuey import HUEY

    consumer = HUEY.create_consumer(workers=workers, worker_type="thread", periodic=False, shutdown_timeout=JOB_GRACE_SECONDS)
    consumer.start()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    return consumer


def run_worker(workers: int) -> None:
    """Only jobs, until Ctrl+C or SIGTERM (huey's own handling: finish or interrupt the jobs)."""
    from huey.contrib.djhuey import HUEY

    HUEY.create_consumer(workers=workers, worker_type="thread", periodic=False, shutdown_timeout=JOB_GRACE_SECONDS).run()

"""The desk served by waitress (pure Python, runs on the office's Windows PC) with a
``gaidocx desk worker`` child process for the jobs: making reports is CPU work, and in a process of
its own it neither holds up the pages nor is held up by them.  More ``gaidocx desk worker``
processes can run on this or other machines.

Ctrl+C or SIGTERM stops accepting requests, lets the running jobs finish (at most
``JOB_GRACE_SECONDS``) and ends with exit code 0; a job cut off is picked up again at the next start
because huey keeps its queue.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable

from gaidocx.desk import MAX_BODY_BYTES

#: Requests served at once; a check takes a fraction of a second, so this is plenty for an office.
THREADS = 8
JOB_WORKERS = 2
JOB_GRACE_SECONDS = 30
#: How long an idle worker waits at most before looking at the queue again.
IDLE_POLL_SECONDS = 0.5


def run_server(host: str, port: int, *, announce: Callable[[str], None]) -> None:
    from django.conf import settings
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
    worker = subprocess.Popen([sys.executable, "-m", "gaidocx", "desk", "worker", str(settings.DESK_FOLDER), "--workers", str(JOB_WORKERS)])
    shown_host = f"[{host}]" if ":" in host else host
    announce(f"收集台已启动：http://{shown_host}:{server.effective_port}/ （按 Ctrl+C 停止）")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        _stop(worker)
    announce("收集台已停止。")


def _stop(worker: subprocess.Popen) -> None:
    """Ask the worker to finish its running jobs (huey's graceful stop), then make sure it ended."""
    if worker.poll() is None:
        if os.name == "nt":
            worker.terminate()  # Windows has no SIGINT for another process; huey re-runs a job cut off
        else:
            worker.send_signal(signal.SIGINT)
    try:
        worker.wait(timeout=JOB_GRACE_SECONDS + 5)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def run_worker(workers: int) -> None:
    """Only jobs, until Ctrl+C or SIGTERM (huey's own handling: finish or interrupt the jobs)."""
    from huey.contrib.djhuey import HUEY

    consumer = HUEY.create_consumer(
        workers=workers, worker_type="thread", periodic=False, shutdown_timeout=JOB_GRACE_SECONDS, max_delay=IDLE_POLL_SECONDS
    )
    consumer.run()

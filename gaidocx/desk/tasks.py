"""The desk's jobs on huey (its SQLite storage in the desk folder, or Redis): the slow work never
runs in a request.  ``db_task`` closes the job's database connection when it ends.

The files a page is waiting for go first: a PDF (a LibreOffice start each) waits behind them.
"""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from gaidocx.desk import exports, service


FIRST = 10


@db_task(priority=FIRST)
def make_files(upload_id: int) -> None:
    service.make_files(upload_id)


@db_task()
def make_pdf(upload_id: int) -> None:
    service.make_pdf(upload_id)


@db_task(priority=FIRST)
def make_export(export_id: int) -> None:
    exports.make(export_id)

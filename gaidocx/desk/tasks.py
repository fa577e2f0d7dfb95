"""The desk's jobs on huey (its SQLite storage in the desk folder, or Redis): the slow work never
runs in a request.  ``db_task`` closes the job's database connection when it ends.

The operations that start jobs live here too, so that ``service`` and ``exports`` never import
the queue (no circle).  The files a page is waiting for go first: a PDF (a LibreOffice start
each) waits behind them.
"""

from __future__ import annotations

from django.db import transaction
from huey.contrib.djhuey import db_task

from gaidocx.desk import exports, service
from gaidocx.desk.models import Agency, Export, Upload

FIRST = 10


def receive(agency: Agency, file_name: str, data: bytes) -> Upload:
    """``service.receive``, then a passed upload's files are asked for."""
    upload = service.receive(agency, file_name, data)
    if upload.passed:
        make_files(upload.id)
    return upload


def request_export(kind: str) -> Export:
    export = exports.request(kind)
    transaction.on_commit(lambda: make_export(export.id))
    return export


@db_task(priority=FIRST)
def make_files(upload_id: int) -> None:
    if service.make_files(upload_id):
        make_pdf(upload_id)


@db_task()
def make_pdf(upload_id: int) -> None:
    service.make_pdf(upload_id)


@db_task(priority=FIRST)
def make_export(export_id: int) -> None:
    exports.make(export_id)

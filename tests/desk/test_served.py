"""The security and durability points against a real ``gaidocx serve`` (waitress, huey in threads)."""

from __future__ import annotations

import html
import http.client
import re
import threading
from urllib.parse import urlsplit

from desk_support import (
    AGENCY,
    OTHER,
    Browser,
    Owned,
    Served,
    addresses,
    broken_bytes,
    enter,
    expected_for,
    multipart,
    rows,
    sample_bytes,
    wait_for,
)

from gaidocx.desk import MAX_BODY_BYTES


def test_health_headers_and_walk_as_the_other_roles(served, desk_folder):
    """``desk_folder``: the URL patterns walked are read from Django in this process."""
    server, office_path, agencies = served
    status, headers, body = Browser(server.base).request("/healthz")
    assert (status, body) == (200, b"ok")
    owner = enter(server, agencies[AGENCY])
    status, headers, body = owner.upload("填报表.xlsx", sample_bytes())
    assert status == 200 and "检查通过" in body.decode()
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"):
        assert headers[name] == {"Content-Security-Policy": "default-src 'self'", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}[name]
    office = enter(server, office_path)
    assert office.post("/office/exports/summary", {}, "/office/")[0] == 303
    (agency_id,) = rows(server.folder, "select id from desk_agency where name = ?", AGENCY)[0]
    (upload_id,) = rows(server.folder, "select id from desk_upload")[0]
    (export_id,) = rows(server.folder, "select id from desk_export")[0]
    owned = Owned(agency_id, upload_id, export_id)
    visitors = {"agency": enter(server, agencies[OTHER]), "office": office}
    for role, visitor in visitors.items():
        token_page = "/agency/" if role == "agency" else "/office/"
        for method, path, name in addresses(owned):
            expected = expected_for(role, name)
            if expected is None:
                continue
            status = visitor.post(path, {"decision": "accept"}, token_page)[0] if method == "POST" else visitor.request(path)[0]
            assert status == expected, (role, method, path, status)


def test_csrf_413_and_429(served):
    server, _, agencies = served
    clerk = enter(server, agencies[AGENCY])
    clerk.csrf("/agency/")
    status, _, body = clerk.upload("填报表.xlsx", sample_bytes(), token="forged")
    assert status == 403 and "页面已过期" in body.decode()

    host, port = urlsplit(server.base).hostname, urlsplit(server.base).port
    for chunked in (False, True):
        connection = http.client.HTTPConnection(host, port, timeout=60)
        body = b"x" * (MAX_BODY_BYTES + 1024)
        connection.putrequest("POST", "/agency/upload")
        connection.putheader("Content-Type", "multipart/form-data; boundary=b")
        if chunked:
            connection.putheader("Transfer-Encoding", "chunked")
            connection.endheaders()
            try:
                for start in range(0, len(body), 65536):
                    piece = body[start : start + 65536]
                    connection.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                connection.send(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer and close before the body is all sent
        else:
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders()
            try:
                connection.send(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
        assert connection.getresponse().status == 413, chunked
        connection.close()

    stranger = Browser(server.base)
    statuses = [stranger.request(f"/a/guess{n}")[0] for n in range(12)]
    assert statuses == [404] * 10 + [429, 429]
    assert Browser(server.base).request("/healthz")[0] == 200


def test_twenty_agencies_at_once_all_land_and_a_restart_keeps_everything(served, tmp_path):
    server, office_path, agencies = served
    office = enter(server, office_path)
    names = [f"测试单位{n:02d}" for n in range(20)]
    status, _, body = office.post("/office/agencies", {"names": "\n".join(names)}, "/office/")
    assert status == 200
    links = dict(re.findall(r"<tr><td>([^<]+)</td><td><code>http://[^/]+(/a/[^<]+)</code>", body.decode()))
    assert set(links) == set(names)
    clerks = {name: enter(server, links[name]) for name in names}
    tokens = {name: clerk.csrf("/agency/") for name, clerk in clerks.items()}
    answers: dict[str, tuple[int, str]] = {}
    start = threading.Barrier(len(names))

    def send(name: str) -> None:
        start.wait()
        status, _, body = clerks[name].upload(f"{name}.xlsx", sample_bytes(), token=tokens[name])
        answers[name] = (status, body.decode())

    threads = [threading.Thread(target=send, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert {name: status for name, (status, _) in answers.items()} == {name: 200 for name in names}
    assert all("检查通过（有 1 个警告" in page for _, page in answers.values())  # the agency's name differs from the sample's
    assert rows(server.folder, "select count(*) from desk_upload")[0][0] == 20
    wait_for(lambda: rows(server.folder, "select count(*) from desk_upload where files = 'made'")[0][0] == 20, 180)
    before = {name: clerks[name].request("/agency/")[2].decode() for name in names[:3]}
    upload_id = rows(server.folder, "select id from desk_upload order by id limit 1")[0][0]
    docx_before = office.request(f"/office/uploads/{upload_id}/docx")[2]

    code, output = server.stop()
    assert code == 0 and "收集台已停止" in output
    again = Served(server.folder)
    try:
        for clerk in clerks.values():
            clerk.base = again.base
        office.base = again.base
        page = html.unescape(office.request("/office/")[2].decode())
        assert all(name in page for name in names)
        assert page.count("检查通过（有警告）") == 20
        for name in names[:3]:
            assert _uploads_part(clerks[name].request("/agency/")[2].decode()) == _uploads_part(before[name])
        assert office.request(f"/office/uploads/{upload_id}/docx")[2] == docx_before
    finally:
        again.stop()


def _uploads_part(page: str) -> str:
    return page.split("上传记录")[1]


def test_hostile_files_and_a_broken_one_leave_the_desk_healthy(served, tmp_path):
    from malicious import billion_laughs, lying_zip_bomb, zip_bomb

    server, _, agencies = served
    clerk = enter(server, agencies[AGENCY])
    for name, data in (("炸弹.xlsx", zip_bomb(300 * 2**20)), ("谎报.xlsx", lying_zip_bomb(60 * 2**20)),
                       ("实体.xlsx", billion_laughs()), ("错误.xlsx", broken_bytes(tmp_path))):
        status, _, body = clerk.upload(name, data)
        page = html.unescape(body.decode())
        assert status == 200 and f"“{name}”" in page, name
        assert ("无法读取" in page or "个错误" in page) and "Traceback" not in page
        assert Browser(server.base).request("/healthz")[0] == 200
    body, kind = multipart({"csrfmiddlewaretoken": clerk.csrf("/agency/")}, "workbook", "空.xlsx", b"")
    assert clerk.request("/agency/upload", body, {"Content-Type": kind, "Referer": server.base + "/agency/"})[0] in (200, 400)
    assert Browser(server.base).request("/healthz")[0] == 200

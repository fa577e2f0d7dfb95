"""Each security point of issue 15 through Django's test client; test_served.py repeats them
against a real ``gaidocx serve``."""

from __future__ import annotations

import html

import pytest
from desk_support import AGENCY, OTHER, Owned, addresses, client_for, expected_for, load_test_module, sample_bytes, text, upload

from gaidocx.desk import MAX_BODY_BYTES, MAX_UPLOAD_BYTES

def owned_by_agency(desk) -> Owned:
    from gaidocx.desk.models import Agency, Export, Upload

    owner = client_for(desk.agencies[AGENCY])
    upload(owner, "填报表.xlsx", sample_bytes())
    office = client_for(desk.office)
    office.post("/office/exports/summary")
    return Owned(Agency.objects.get(name=AGENCY).id, Upload.objects.get().id, Export.objects.get().id)


@pytest.mark.parametrize("role", ["agency", "office", "nobody"])
def test_every_address_of_another_role_is_404(desk, role):
    from django.test import Client

    owned = owned_by_agency(desk)
    visitor = {"agency": lambda: client_for(desk.agencies[OTHER]), "office": lambda: client_for(desk.office), "nobody": Client}[role]()
    walked = 0
    for method, path, name in addresses(owned):
        expected = expected_for(role, name)
        if expected is None:
            continue
        response = visitor.post(path, {"decision": "accept", "names": "x"}) if method == "POST" else visitor.get(path)
        assert response.status_code == expected, (role, method, path, response.status_code)
        walked += 1
    assert walked >= 4


def test_a_post_without_the_csrf_token_is_403(desk):
    client = client_for(desk.agencies[AGENCY], csrf=True)
    response = upload(client, "填报表.xlsx", sample_bytes())
    assert response.status_code == 403
    assert "页面已过期" in text(response)
    from gaidocx.desk.models import Upload

    assert not Upload.objects.exists()


def test_cookies_are_httponly_and_samesite_lax(desk):
    client = client_for(desk.agencies[AGENCY])
    client.get("/agency/")  # sets the CSRF cookie
    for name in ("sessionid", "csrftoken"):
        cookie = client.cookies[name]
        assert cookie["httponly"] and cookie["samesite"] == "Lax", name


def test_bodies_over_8_mib_are_413(desk):
    client = client_for(desk.agencies[AGENCY])
    declared = client.generic("POST", "/agency/upload", b"x" * (MAX_BODY_BYTES + 1), "multipart/form-data; boundary=b")
    assert declared.status_code == 413
    assert "8 MB" in text(declared)
    one_byte_over = upload(client, "大.xlsx", b"x" * (MAX_UPLOAD_BYTES + 1))
    assert one_byte_over.status_code == 413
    from gaidocx.desk.models import Upload

    assert not Upload.objects.exists()


def test_repeated_bad_links_are_slowed_never_500(desk):
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    client = Client()
    statuses = [client.get(f"/a/not-a-link-{n}").status_code for n in range(12)]
    assert statuses[:10] == [404] * 10
    assert statuses[10:] == [429, 429]
    assert client.get(desk.agencies[AGENCY]).status_code == 429  # even a good link, for a while
    assert "请稍后再试" in text(client.get("/o/whatever"))
    cache.clear()


def test_a_bad_links_secret_never_reaches_the_log(desk, caplog):
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    secret = desk.agencies[AGENCY].rsplit("/a/", 1)[1]
    with caplog.at_level("WARNING", logger="django.request"):
        assert Client().get(f"/a/{secret}%E3%80%82").status_code == 404  # pasted with a trailing 。
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "Not Found" in logged and secret not in logged
    cache.clear()


def test_an_unforeseen_failure_reads_as_chinese_without_a_class_name(desk, monkeypatch):
    from gaidocx import pipeline
    from gaidocx.desk.models import Upload

    def broken(data, name):
        raise KeyError("xl/worksheets/sheet9.xml")

    monkeypatch.setattr(pipeline, "check_bytes", broken)
    page = text(upload(client_for(desk.agencies[AGENCY]), "填报表.xlsx", sample_bytes()))
    assert "无法读取" in page and "KeyError" not in page
    assert Upload.objects.get().messages == ["“填报表.xlsx”无法读取，文件可能已损坏。请用 gaidocx template 重新生成填报表后填写。"]


def test_pages_send_the_security_headers(desk):
    client = client_for(desk.agencies[AGENCY])
    for path in ("/agency/", "/healthz", "/static/desk.css", "/no-such-page"):
        response = client.get(path)
        assert response["Content-Security-Policy"] == "default-src 'self'", path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["X-Frame-Options"] == "DENY", path


def test_what_users_typed_is_escaped(desk):
    office = client_for(desk.office)
    hostile = '<script>alert("局")</script>教育局'
    page = text(office.post("/office/agencies", {"names": hostile}))
    assert "<script>alert" not in page and html.escape(hostile) in page
    from gaidocx.desk.models import Agency

    clerk = client_for(_link_of(page))
    file_name = '<img src=x onerror="alert(1)">.xlsx'
    page = text(upload(clerk, file_name, sample_bytes()))
    assert "<img src=x" not in page and html.escape(file_name) in page
    assert "<script>alert" not in text(office.get("/office/"))
    assert Agency.objects.filter(name=hostile).exists()


def _link_of(page: str) -> str:
    import re

    return "/" + re.search(r"<code>(http://[^<]+)</code>", page).group(1).split("/", 3)[3]


def hostile_cases():
    return load_test_module("workbook/test_hostile.py").CASES


@pytest.mark.parametrize("case", hostile_cases(), ids=[c[0] for c in hostile_cases()])
def test_the_hostile_corpus_gets_a_chinese_message(desk, tmp_path, case):
    _, make, _code, fragments = case
    source = tmp_path / "填报.xlsx"
    make(source)
    client = client_for(desk.agencies[AGENCY])
    response = upload(client, "填报.xlsx", source.read_bytes())
    assert response.status_code in (200, 413)
    page = html.unescape(text(response))
    assert "Traceback" not in page and "意外错误" not in page
    if response.status_code == 200:
        for fragment in fragments:
            assert fragment in page, fragment
    assert client.get("/healthz").status_code == 200

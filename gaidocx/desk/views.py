"""The desk's pages: thin over ``service`` (links, uploads, decisions) and ``exports``.

A link (``/a/…`` or ``/o/…``) sets a signed session naming the role and the link's hash and
redirects to an address without the secret; each request looks that hash up again, so a revoked
link ends every page opened with it.  Any object of another agency is 404, like one that does not
exist.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from gaidocx.desk import MAX_UPLOAD_BYTES, service, store, tasks
from gaidocx.desk.middleware import too_large
from gaidocx.desk.models import Agency, Event, Export, Making, Product, Upload
from gaidocx.desk.settings import DeskError

#: Bad links one address may try per window before it is slowed down (429).
BAD_LINKS_ALLOWED = 10
BAD_LINK_WINDOW_SECONDS = 600
DOWNLOADS = (".xlsx", ".docx", ".html", ".json", ".pdf")
_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".zip": "application/zip",
}
_LOG_SHOWN = 500
STYLESHEET = Path(__file__).with_name("static") / "desk.css"


@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


# ---------------------------------------------------------------- entering by link


def _slowed(request) -> bool:
    return cache.get(_bad_key(request), 0) >= BAD_LINKS_ALLOWED


def _bad_key(request) -> str:
    return f"bad-link:{request.META.get('REMOTE_ADDR', '')}"


def _bad_link(request):
    key = _bad_key(request)
    cache.add(key, 0, BAD_LINK_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, BAD_LINK_WINDOW_SECONDS)
    raise Http404


def _enter(request, role: str, digest: str, target: str):
    request.session.cycle_key()
    request.session["role"], request.session["link"] = role, digest
    response = HttpResponseRedirect(target, status=303)
    # The secret is in this request's address: it must not travel on as a Referer.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _too_many(request):
    return render(request, "desk/message.html", {"title": "请稍后再试", "text": "无效的链接尝试次数过多，请过 10 分钟再试，或向政务公开办索取新的链接。"}, status=429)


@require_GET
def enter_agency(request, secret: str):
    if _slowed(request):
        return _too_many(request)
    digest = service.hash_secret(secret)
    if not Agency.objects.filter(link_hash=digest).exists():
        _bad_link(request)
    return _enter(request, "agency", digest, "/agency/")


@require_GET
def enter_office(request, secret: str):
    if _slowed(request):
        return _too_many(request)
    digest = service.hash_secret(secret)
    if not service.office_link_valid(digest):
        _bad_link(request)
    return _enter(request, "office", digest, "/office/")


def _agency(request) -> Agency:
    if request.session.get("role") != "agency":
        raise Http404
    try:
        return Agency.objects.get(link_hash=request.session.get("link") or "-")
    except Agency.DoesNotExist:
        raise Http404 from None


def _office(request) -> None:
    if request.session.get("role") != "office" or not service.office_link_valid(request.session.get("link") or "-"):
        raise Http404


# ---------------------------------------------------------------- the agency's page


@require_GET
def agency_page(request):
    return _agency_page(request, _agency(request))


def _agency_page(request, agency: Agency, *, problem: str = "", status: int = 200):
    standing = service.agency_standing(agency)
    latest = standing.latest
    context = {
        "agency": agency,
        "area": standing.area,
        "standing": standing,
        "latest": latest,
        # the history needs three columns, not each upload's messages and files
        "uploads": agency.uploads.only("agency_id", "received", "file_name", "verdict"),
        "problem": problem,
        # while files are being made the page reloads itself (with GET, also after an upload)
        "refresh": "/agency/" if latest is not None and _making(latest) else "",
    }
    return render(request, "desk/agency.html", context, status=status)


def _making(upload: Upload) -> bool:
    return Making.MAKING in (upload.files, upload.pdf)


@require_POST
def agency_upload(request):
    agency = _agency(request)
    given = request.FILES.get("workbook")
    if given is None:
        return _agency_page(request, agency, problem="请先选择要上传的填报表（.xlsx 文件）。", status=400)
    if given.size > MAX_UPLOAD_BYTES:
        return too_large(request)
    name = given.name or "填报表.xlsx"
    if not name.lower().endswith(".xlsx"):
        return _agency_page(request, agency, problem=f"只能上传 .xlsx 填报表，“{name}”不是。WPS 中请另存为“Excel 2007-365 文件（*.xlsx）”。", status=400)
    tasks.receive(agency, name, given.read())
    return _agency_page(request, agency)


@require_GET
def agency_workbook(request):
    agency = _agency(request)
    name, data = service.fill_in_workbook(agency)
    service.record(agency, "下载填报表", name)
    return _download(name, data)


@require_GET
def agency_file(request, upload_id: int, kind: str):
    agency = _agency(request)
    upload = get_object_or_404(Upload, id=upload_id, agency=agency)
    return _file(upload, kind)


def _file(upload: Upload, kind: str):
    """``kind`` is a suffix without its dot: ``docx``."""
    suffix = f".{kind}"
    if suffix not in DOWNLOADS:
        raise Http404
    try:
        name, data = service.product(upload, suffix)
    except Product.DoesNotExist:
        raise Http404 from None
    return _download(name, data)


def _download(name: str, data: bytes):
    suffix = "." + name.rsplit(".", 1)[-1].lower()
    kind = _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = HttpResponse(data, content_type=kind)
    response.headers["Content-Disposition"] = content_disposition_header(True, name)
    return response


# ---------------------------------------------------------------- the office's page


@require_GET
def office_page(request):
    _office(request)
    return _office_page(request)


def _office_page(request, *, links=(), problem: str = "", status: int = 200):
    exports_made = list(Export.objects.all()[:10])
    context = {
        "area": service.area(),
        "rows": service.dashboard(),
        "exports": exports_made,
        "events": Event.objects.select_related("agency")[:20],
        "links": links,
        "problem": problem,
        "refresh": "/office/" if any(e.state == Making.MAKING for e in exports_made) else "",
    }
    return render(request, "desk/office.html", context, status=status)


@require_POST
def office_add(request):
    _office(request)
    try:
        links = service.add_agencies(request.POST.get("names", "").splitlines())
    except DeskError as exc:
        return _office_page(request, problem=str(exc), status=400)
    return _office_page(request, links=links)


@require_POST
def office_link(request, agency_id: int):
    _office(request)
    agency = get_object_or_404(Agency, id=agency_id)
    return _office_page(request, links=[(agency.name, service.renew_link(agency))])


@require_POST
def office_revoke(request, agency_id: int):
    _office(request)
    service.revoke(get_object_or_404(Agency, id=agency_id))
    return HttpResponseRedirect("/office/", status=303)


@require_POST
def office_decide(request, upload_id: int):
    _office(request)
    upload = get_object_or_404(Upload.objects.select_related("agency"), id=upload_id)
    try:
        service.decide(upload, accept=request.POST.get("decision") == "accept", note=request.POST.get("note", ""))
    except DeskError as exc:
        return _office_page(request, problem=str(exc), status=400)
    return HttpResponseRedirect("/office/", status=303)


@require_GET
def office_agency(request, agency_id: int):
    _office(request)
    agency = get_object_or_404(Agency, id=agency_id)
    uploads = agency.uploads.prefetch_related("products", "decisions")
    return render(request, "desk/office_agency.html", {"agency": agency, "uploads": uploads, "standing": service.agency_standing(agency)})


@require_GET
def office_file(request, upload_id: int, kind: str):
    _office(request)
    return _file(get_object_or_404(Upload, id=upload_id), kind)


@require_POST
def office_export(request, kind: str):
    _office(request)
    if kind not in Export.Kind.values:
        raise Http404
    tasks.request_export(kind)
    return HttpResponseRedirect("/office/", status=303)


@require_GET
def office_export_file(request, export_id: int):
    _office(request)
    export = get_object_or_404(Export, id=export_id, state=Making.MADE)
    return _download(export.file_name, store.get(export.sha256))


@require_GET
def office_log(request):
    _office(request)
    return render(request, "desk/log.html", {"events": Event.objects.select_related("agency")[:_LOG_SHOWN]})


@require_GET
def stylesheet(request):
    response = HttpResponse(STYLESHEET.read_bytes(), content_type="text/css; charset=utf-8")
    response.headers["Cache-Control"] = "max-age=3600"
    return response


def csrf_failure(request, reason: str = ""):
    return render(request, "desk/message.html", {"title": "页面已过期", "text": "请返回上一页，刷新后重新提交。（安全检查未通过：缺少或错误的校验码。）"}, status=403)

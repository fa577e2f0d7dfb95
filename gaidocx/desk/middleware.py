"""What every response of the desk carries, and the size limit applied before anything reads a body."""

from __future__ import annotations

from django.shortcuts import render

from gaidocx.desk import MAX_BODY_BYTES

#: Every asset is the desk's own: no CDN, no inline script or style.
CONTENT_SECURITY_POLICY = "default-src 'self'"


def too_large(request):
    return render(request, "desk/message.html", {"title": "文件太大", "text": "上传的文件超过 8 MB。填报表一般只有几十 KB，请确认选择的是填报表。"}, status=413)


def security_headers(get_response):
    """CSP on every page, and 413 for a body declared larger than the desk accepts — before the CSRF
    check would parse it.  (Chunked bodies are counted by the server, waitress, which answers 413.)"""

    def middleware(request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        response = too_large(request) if declared > MAX_BODY_BYTES else get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    return middleware

"""The health check (the home page is in zhibiao.portal)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and the smoke test: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")

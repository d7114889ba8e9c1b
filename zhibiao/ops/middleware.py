"""/healthz answered before Django checks the Host header.

Why: a load balancer checks each app server directly, most often by its address
(http://10.0.0.5:8000/healthz, which is why the path is exempt from the HTTPS redirect), and
sends that address as the Host. Django refuses a host not in ALLOWED_HOSTS with a 400, from the
first middleware that reads it (SecurityMiddleware, CommonMiddleware), before any view: every
healthy server would answer 400 and be taken out. The health answers name no host and read no
session, so they are given here, after the request id (their line is logged as any other).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from zhibiao.ops import views

#: The paths answered here, with their views (also in zhibiao.ops.urls, for `reverse`).
HEALTH_VIEWS: dict[str, Callable[[HttpRequest], HttpResponseBase]] = {
    "/healthz": views.healthz,
    "/healthz/ping": views.ping,
}


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        view = HEALTH_VIEWS.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)

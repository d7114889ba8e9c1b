"""/healthz: the health checks as JSON, for load balancers, monitors and the smoke test; and
/healthz/ping, the trivial view the load benchmark measures the pages against."""

from __future__ import annotations

from csp.decorators import csp_exempt
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from zhibiao.ops.health import FAILING, run_checks


@csp_exempt()
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while this server can serve (ok or degraded), 503 when a check fails, so that a
    load balancer takes it out; no sign-in, no session, nothing secret in the answer."""
    report = run_checks()
    return JsonResponse(report, status=503 if report["status"] == FAILING else 200)


@csp_exempt()
@never_cache
@require_safe
def ping(request: HttpRequest) -> HttpResponse:
    """Answer "ok", touching neither the database nor the cache: what a request costs the server
    through the whole middleware stack and nothing else. `bench/load.py` reports each page's
    throughput as a fraction of this one's, which says how much the page itself costs
    whatever the machine."""
    return HttpResponse("ok", content_type="text/plain")

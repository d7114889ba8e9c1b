"""API of the events: the public events with their agenda, speakers and materials; and, for
signed-in users, registration, the check-in desk, certificates, the survey and the figures.
The same services and the same querysets as the pages decide what is allowed.

One module per seam, each with its router. The router of `events` is the one mounted at /events
(`zhibiao.api`), with the tag and the optional authentication they share, and the other seams'
routers are added to it (an operation at "" of a nested router would be served at "/events/",
not "/events"). The news, once here, are their own app (`zhibiao.news.api`).
Every operation keeps the `operation_id` it had when this was one module (`zhibiao.api.Api`
says so once), so the OpenAPI document (and the clients generated from it) does not change with
the layout. The seams whose every operation is for signed-in users say so on their router.
"""

from zhibiao.events.api import attendance, certificates, events, figures, registration, surveys

__all__ = ["router"]

router = events.router
for seam in (registration, attendance, surveys, figures, certificates):
    router.add_router("", seam.router)

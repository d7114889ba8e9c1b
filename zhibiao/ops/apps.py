"""Operations: backup and restore, the health check, and the request id in the logs (issue 14)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "zhibiao.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from django.core.signals import request_finished

        from zhibiao.ops.logs import end_request

        request_finished.connect(end_request, dispatch_uid="zhibiao.ops.end_request")

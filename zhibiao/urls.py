"""URL map: pages per app, the API under /api/v1/, the admin site, and language switching."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from zhibiao.api import api

admin.site.site_header = _("Zhibiao administration")
admin.site.site_title = _("Zhibiao")
admin.site.index_title = _("Records")

urlpatterns = [
    path("", include("zhibiao.ops.urls")),
    path("", include("zhibiao.portal.urls")),
    path("accounts/", include("zhibiao.accounts.urls")),
    path("organisations/", include("zhibiao.directory.urls")),
    path("committee/", include("zhibiao.committee.urls")),
    path("bases/", include("zhibiao.bases.urls")),
    path("policies/", include("zhibiao.policies.urls")),
    path("events/", include("zhibiao.events.urls")),
    path("news/", include("zhibiao.news.urls")),
    path("measures/", include("zhibiao.measures.urls")),
    path("applications/", include("zhibiao.applications.urls")),
    path("awards/", include("zhibiao.awards.urls")),
    path("services/", include("zhibiao.supply.urls")),
    path("standards/", include("zhibiao.standards.urls")),
    path("records/", include("zhibiao.profiles.urls")),
    path("verification/", include("zhibiao.verification.urls")),
    path("dashboard/", include("zhibiao.dashboard.urls")),
    path("risks/", include("zhibiao.risks.urls")),
    path("whatif/", include("zhibiao.whatif.urls")),
    path("jobs/", include("zhibiao.jobs.urls")),
    path("inbox/", include("zhibiao.notifications.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin site's own page for changing one's password checks the old one without the
    # sign-in's throttle and leaves no audit entry: its link leads to the platform's page,
    # which does both (zhibiao.accounts.views.PasswordChangeView), before the admin's URLs.
    path("admin/password_change/", RedirectView.as_view(pattern_name="accounts:password_change")),
    path("admin/", admin.site.urls),
]

# The error pages in the site's frame, in Chinese (zhibiao.core.views); 500 keeps Django's view
# on the self-contained templates/500.html.
handler400 = "zhibiao.core.views.bad_request"
handler403 = "zhibiao.core.views.permission_denied"
handler404 = "zhibiao.core.views.page_not_found"

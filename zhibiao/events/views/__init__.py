"""Pages of the events, one module per seam: the public pages and hosting (`events`),
registration and tickets, the check-in desk, certificates, the survey, figures and calendars
(news is its own app, `zhibiao.news`).

Every page fetches through a queryset's `visible_to` or `managed_by` (another's object is a
404) and changes things only through the services. This package re-exports the views, so
`urls.py` keeps naming them `views.<name>`.
"""

from zhibiao.events.views.attendance import attendance_import, attendance_sheet, check_in
from zhibiao.events.views.calendars import calendars, personal_calendar, public_calendar
from zhibiao.events.views.certificates import certificate_pdf, revoke, verify
from zhibiao.events.views.events import (
    EVENT_COLUMNS,
    HOST_ROLES,
    event_create,
    event_detail,
    event_edit,
    event_list,
    manage,
    material_add,
    material_file,
    material_remove,
    speaker_add,
    speaker_remove,
)
from zhibiao.events.views.figures import SATISFACTION_COLUMNS, satisfaction
from zhibiao.events.views.registration import cancel, register, registrations, ticket
from zhibiao.events.views.surveys import feedback, survey

__all__ = [
    "EVENT_COLUMNS",
    "HOST_ROLES",
    "SATISFACTION_COLUMNS",
    "attendance_import",
    "attendance_sheet",
    "calendars",
    "cancel",
    "certificate_pdf",
    "check_in",
    "event_create",
    "event_detail",
    "event_edit",
    "event_list",
    "feedback",
    "manage",
    "material_add",
    "material_file",
    "material_remove",
    "personal_calendar",
    "public_calendar",
    "register",
    "registrations",
    "revoke",
    "satisfaction",
    "speaker_add",
    "speaker_remove",
    "survey",
    "ticket",
    "verify",
]

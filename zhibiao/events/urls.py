from django.urls import path

from zhibiao.events import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("calendar.ics", views.public_calendar, name="calendar"),
    path("calendar/", views.calendars, name="calendars"),
    path("calendar/<str:token>.ics", views.personal_calendar, name="personal_calendar"),
    path("satisfaction/", views.satisfaction, name="satisfaction"),
    path("registrations/", views.registrations, name="registrations"),
    path("registrations/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("tickets/<str:token>/", views.ticket, name="ticket"),
    path("tickets/<str:token>/certificate.pdf", views.certificate_pdf, name="certificate"),
    path("tickets/<str:token>/feedback/", views.feedback, name="feedback"),
    path("certificates/<str:code>/", views.verify, name="verify"),
    path("materials/<int:pk>/", views.material_file, name="material"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/edit/", views.event_edit, name="edit"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/manage/", views.manage, name="manage"),
    path("<int:pk>/attendance.xlsx", views.attendance_sheet, name="attendance_sheet"),
    path("<int:pk>/attendance/import/", views.attendance_import, name="attendance_import"),
    path("<int:pk>/check-in/", views.check_in, name="check_in"),
    path("<int:pk>/survey/", views.survey, name="survey"),
    path("<int:pk>/certificates/<int:certificate_pk>/revoke/", views.revoke, name="revoke"),
    path("<int:pk>/speakers/", views.speaker_add, name="speaker_add"),
    path("<int:pk>/speakers/<int:speaker_pk>/delete/", views.speaker_remove, name="speaker_remove"),
    path("<int:pk>/materials/", views.material_add, name="material_add"),
    path(
        "<int:pk>/materials/<int:material_pk>/delete/",
        views.material_remove,
        name="material_remove",
    ),
]

from django.urls import path

from zhibiao.applications import views

app_name = "applications"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("start/", views.start, name="start"),
    path("publicity/", views.publicity, name="publicity"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/step/", views.step, name="step"),
    path("<int:pk>/statement/", views.statement, name="statement"),
    path("<int:pk>/evidence/", views.upload, name="upload"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/object/", views.object_to, name="object"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("objections/<int:pk>/resolve/", views.resolve, name="resolve"),
]

from django.urls import path

from zhibiao.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("report.pdf", views.report, name="report"),
    path("enterprises/<int:pk>/", views.enterprise_file, name="file"),
]

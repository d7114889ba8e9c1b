"""The home page at / and the workbench at its old address under /accounts/."""

from django.urls import path

from zhibiao.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/workbench/", views.workbench, name="workbench"),
]

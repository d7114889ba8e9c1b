"""The home page at /, and the workbench and 我的政策 at their old addresses under /accounts/ and
/measures/ (this map is included before the measures' own, so its path wins)."""

from django.urls import path

from zhibiao.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/workbench/", views.workbench, name="workbench"),
    path("measures/mine/", views.mine, name="mine"),
]

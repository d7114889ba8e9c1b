from django.urls import path

from zhibiao.committee import views

app_name = "committee"
urlpatterns = [
    path("", views.index, name="index"),
    path("members/<int:pk>/", views.member_detail, name="member"),
]

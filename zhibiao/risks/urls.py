from django.urls import path

from zhibiao.risks import views

app_name = "risks"
urlpatterns = [
    path("", views.index, name="index"),
]

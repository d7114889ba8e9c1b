from django.urls import path

from zhibiao.ops import views

app_name = "ops"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("healthz/ping", views.ping, name="ping"),
]

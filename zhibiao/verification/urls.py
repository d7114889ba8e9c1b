from django.urls import path

from zhibiao.verification import views

app_name = "verification"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<slug:kind>/<int:pk>/", views.decide, name="decide"),
]

from django.urls import path

from zhibiao.profiles import views

app_name = "profiles"
urlpatterns = [
    path("drafted/", views.drafting_list, name="drafting"),
]

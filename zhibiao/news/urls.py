"""News on the public site, at /news/."""

from django.urls import path

from zhibiao.news import views

app_name = "news"
urlpatterns = [
    path("", views.news_list, name="list"),
    path("new/", views.news_edit, name="new"),
    path("<int:pk>/", views.news_detail, name="detail"),
    path("<int:pk>/edit/", views.news_edit, name="edit"),
]

from django.urls import path

from zhibiao.bases import views

app_name = "bases"
urlpatterns = [
    path("", views.base_list, name="list"),
    path("<int:pk>/", views.base_detail, name="detail"),
    path("<int:pk>/capabilities/new/", views.capability_create, name="capability_create"),
    path(
        "<int:pk>/capabilities/<int:capability_pk>/delete/",
        views.capability_delete,
        name="capability_delete",
    ),
]

from django.urls import path

from zhibiao.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.organisation_list, name="organisations"),
    path("new/", views.organisation_create, name="organisation_create"),
    path("import/", views.organisation_import, name="organisation_import"),
    path("<int:pk>/", views.organisation_detail, name="organisation"),
    path("<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("<int:organisation_pk>/people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
]

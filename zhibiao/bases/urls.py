from django.urls import path

from zhibiao.bases import views

app_name = "bases"
urlpatterns = [
    path("", views.base_list, name="list"),
    path("years/<int:year>/", views.year_overview, name="year"),
    path("applications/", views.application_list, name="applications"),
    path("applications/new/", views.application_create, name="application_create"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/step/", views.application_step, name="application_step"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("<int:pk>/", views.base_detail, name="detail"),
    path("<int:pk>/status/", views.status_step, name="status"),
    path("<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("<int:pk>/capabilities/new/", views.capability_create, name="capability_create"),
    path(
        "<int:pk>/capabilities/<int:capability_pk>/delete/",
        views.capability_delete,
        name="capability_delete",
    ),
]

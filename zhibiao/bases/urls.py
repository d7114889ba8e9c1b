from django.urls import path

from zhibiao.bases import views

app_name = "bases"
urlpatterns = [
    path("", views.base_list, name="list"),
    path("years/<int:year>/", views.year_overview, name="year"),
    path("applications/", views.nomination_list, name="nominations"),
    path("applications/new/", views.nomination_create, name="nomination_create"),
    path("applications/<int:pk>/", views.nomination_detail, name="nomination"),
    path("applications/<int:pk>/step/", views.nomination_step, name="nomination_step"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("<int:pk>/", views.base_detail, name="detail"),
    path("<int:pk>/status/", views.status_step, name="status"),
    path("<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path(
        "<int:pk>/evaluations/<int:year>/correct/",
        views.correct_evaluation,
        name="evaluation_correct",
    ),
    path("<int:pk>/capabilities/new/", views.capability_create, name="capability_create"),
    path(
        "<int:pk>/capabilities/<int:capability_pk>/delete/",
        views.capability_delete,
        name="capability_delete",
    ),
]

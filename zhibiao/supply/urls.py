from django.urls import path

from zhibiao.supply import views

app_name = "supply"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("offerings/new/", views.offering_edit, name="offering_new"),
    path("offerings/<int:pk>/", views.offering_detail, name="offering"),
    path("offerings/<int:pk>/edit/", views.offering_edit, name="offering_edit"),
    path("demands/", views.demand_list, name="demands"),
    path("demands/new/", views.demand_new, name="demand_new"),
    path("demands/<int:pk>/", views.demand_detail, name="demand"),
    path("demands/<int:pk>/offer/", views.offer, name="offer"),
    path("demands/<int:pk>/step/", views.step, name="step"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("expert/", views.expert_profile, name="expert_profile"),
]

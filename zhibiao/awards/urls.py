from django.urls import path

from zhibiao.awards import views

app_name = "awards"
urlpatterns = [
    path("", views.cycle_list, name="cycles"),
    path("new/", views.cycle_create, name="cycle_create"),
    path("<int:pk>/", views.cycle_detail, name="cycle"),
    path("<int:pk>/step/", views.cycle_step, name="cycle_step"),
    path("<int:pk>/apply/", views.entry_create, name="entry_create"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/profile/", views.entry_profile, name="entry_profile"),
    path("entries/<int:pk>/items/<str:item>/", views.entry_answer, name="entry_answer"),
    path("entries/<int:pk>/step/", views.entry_step, name="entry_step"),
    path("entries/<int:pk>/assign/", views.entry_assign, name="entry_assign"),
    path("entries/<int:pk>/unassign/", views.entry_unassign, name="entry_unassign"),
    path("entries/<int:pk>/scores/", views.entry_scores, name="entry_scores"),
    path("entries/<int:pk>/consensus/", views.entry_consensus, name="entry_consensus"),
    path("entries/<int:pk>/site-visit/", views.entry_site_visit, name="entry_site_visit"),
    path("entries/<int:pk>/objections/", views.entry_objection, name="entry_objection"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("entries/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("entries/<int:pk>/feedback.pdf", views.feedback, name="feedback"),
]

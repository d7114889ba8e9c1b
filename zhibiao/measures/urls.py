from django.urls import path

from zhibiao.measures import views

app_name = "measures"
urlpatterns = [
    path("", views.clause_list, name="clauses"),
    path("clauses/new/", views.clause_edit, name="clause_new"),
    path("clauses/check/", views.clause_check, name="clause_check"),
    path("clauses/<str:code>/", views.clause_detail, name="clause"),
    path("clauses/<str:code>/edit/", views.clause_edit, name="clause_edit"),
    path("clauses/<str:code>/settings/", views.clause_settings, name="clause_settings"),
    path("clauses/<str:code>/entitled.xlsx", views.entitled_export, name="entitled_export"),
    path("clauses/<str:code>/notify/", views.entitled_notify, name="entitled_notify"),
    path("rulebooks/<str:code>/export/", views.rulebook_export, name="rulebook_export"),
    path("rulebooks/<str:code>/import/", views.rulebook_import, name="rulebook_import"),
    path("screenings/", views.screenings, name="screenings"),
    path("screenings/<int:pk>/", views.screening_detail, name="screening"),
]

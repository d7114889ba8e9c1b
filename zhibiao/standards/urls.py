from django.urls import path

from zhibiao.standards import views

app_name = "standards"
urlpatterns = [
    path("", views.standard_list, name="list"),
    path("<int:pk>/", views.standard_detail, name="detail"),
    path("import/", views.standard_import, name="import"),
    path("check/", views.check_new, name="check_new"),
    path("check/<int:pk>/", views.check_detail, name="check"),
    path("check/<int:pk>/report.xlsx", views.check_xlsx, name="check_xlsx"),
    path("check/<int:pk>/file", views.check_file, name="check_file"),
    path("declarations/", views.declaration_list, name="declarations"),
    path("declarations/new/", views.declaration_create, name="declaration_create"),
    path("declarations/<int:pk>/", views.declaration_detail, name="declaration"),
    path("declarations/<int:pk>/edit/", views.declaration_edit, name="declaration_edit"),
    path("declarations/<int:pk>/publish/", views.declaration_publish, name="declaration_publish"),
    path("declarations/<int:pk>/flag/", views.declaration_flag, name="declaration_flag"),
    path("leaders/", views.leader_list, name="leaders"),
    path("leaders/new/", views.scheme_create, name="scheme_new"),
    path("leaders/<int:pk>/", views.scheme_detail, name="scheme"),
    path("leaders/<int:pk>/enter/", views.scheme_enter, name="scheme_enter"),
    path("leaders/<int:pk>/rank/", views.scheme_rank, name="scheme_rank"),
    path("group/", views.group_list, name="groups"),
    path("group/new/", views.group_create, name="group_create"),
    path("group/<int:pk>/", views.group_detail, name="group"),
    path("group/<int:pk>/adoption/", views.group_adoption, name="group_adoption"),
]

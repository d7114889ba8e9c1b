from django.urls import path

from zhibiao.standards.views import announcements, catalogue, checks, declarations, groups, leaders

app_name = "standards"
urlpatterns = [
    path("", catalogue.standard_list, name="list"),
    path("<int:pk>/", catalogue.standard_detail, name="detail"),
    path("import/", catalogue.standard_import, name="import"),
    path("announcements/", announcements.announcement_list, name="announcements"),
    path(
        "announcements/import/",
        announcements.announcement_import,
        name="announcement_import",
    ),
    path("changes/<int:pk>/", announcements.change_detail, name="change"),
    path("check/", checks.check_new, name="check_new"),
    path("check/<int:pk>/", checks.check_detail, name="check"),
    path("check/<int:pk>/report.xlsx", checks.check_xlsx, name="check_xlsx"),
    path("check/<int:pk>/file", checks.check_file, name="check_file"),
    path("declarations/", declarations.declaration_list, name="declarations"),
    path("declarations/new/", declarations.declaration_create, name="declaration_create"),
    path("declarations/<int:pk>/", declarations.declaration_detail, name="declaration"),
    path("declarations/<int:pk>/edit/", declarations.declaration_edit, name="declaration_edit"),
    path(
        "declarations/<int:pk>/publish/",
        declarations.declaration_publish,
        name="declaration_publish",
    ),
    path("declarations/<int:pk>/flag/", declarations.declaration_flag, name="declaration_flag"),
    path("leaders/", leaders.leader_list, name="leaders"),
    path("leaders/new/", leaders.scheme_create, name="scheme_new"),
    path("leaders/<int:pk>/", leaders.scheme_detail, name="scheme"),
    path("leaders/<int:pk>/enter/", leaders.scheme_enter, name="scheme_enter"),
    path("leaders/<int:pk>/rank/", leaders.scheme_rank, name="scheme_rank"),
    path("group/", groups.group_list, name="groups"),
    path("group/new/", groups.group_create, name="group_create"),
    path("group/<int:pk>/", groups.group_detail, name="group"),
    path("group/<int:pk>/adoption/", groups.group_adoption, name="group_adoption"),
]

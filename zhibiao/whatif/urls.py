from django.urls import path

from zhibiao.whatif import views

app_name = "whatif"
urlpatterns = [
    path("", views.scenario_list, name="scenarios"),
    path("start/", views.scenario_start, name="start"),
    path("compare/", views.compare, name="compare"),
    path("budgets/<str:code>/", views.budgets, name="budgets"),
    path("<int:pk>/", views.scenario_detail, name="scenario"),
    path("<int:pk>/drafts/new/", views.draft_edit, name="draft_new"),
    path("<int:pk>/drafts/<str:code>/", views.draft_edit, name="draft"),
    path("<int:pk>/drafts/<str:code>/drop/", views.draft_drop, name="draft_drop"),
    path("<int:pk>/check/", views.draft_check, name="check"),
    path("<int:pk>/impact/", views.impact_page, name="impact"),
    path("<int:pk>/impact.xlsx", views.impact_export, name="impact_export"),
    path("<int:pk>/save/", views.scenario_save, name="save"),
    path("<int:pk>/publish/", views.scenario_publish, name="publish"),
]

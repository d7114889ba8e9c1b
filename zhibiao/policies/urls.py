from django.urls import path

from zhibiao.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("<int:pk>/", views.policy_detail, name="detail"),
]

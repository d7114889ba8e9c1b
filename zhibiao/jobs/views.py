"""A job's progress page; htmx polls it while the job runs, plain pages refresh themselves."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhibiao.accounts.permissions import role_required
from zhibiao.jobs.models import Job


@role_required()
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = Job.objects.get_for(request.user, "view", pk)
    template = "jobs/_progress.html" if request.headers.get("HX-Request") else "jobs/detail.html"
    return render(request, template, {"job": job})

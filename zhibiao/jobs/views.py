"""A job's progress page; htmx polls it while the job runs, plain pages refresh themselves."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhibiao.accounts.permissions import role_required
from zhibiao.jobs.models import Job


@role_required()
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = Job.objects.get_for(request.user, "view", pk)
    template = "jobs/_progress.html" if request.headers.get("HX-Request") else "jobs/detail.html"
    # A private result (a validity check is its owner's alone, not even staff's) is linked
    # for its owner only: a page does not offer a link that answers 404.
    private = isinstance(job.result, dict) and bool(job.result.get("private"))
    hide = private and job.created_by_id != request.user.pk
    return render(request, template, {"job": job, "hide_result": hide})

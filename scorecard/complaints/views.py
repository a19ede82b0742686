from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import ImportJob


@login_required
def import_list(request):
    return render(request, "complaints/import_list.html", {"jobs": ImportJob.objects.all()[:50]})

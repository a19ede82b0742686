"""Notice pages: list + generate + progress, publish, download, verify, published rankings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from scorecard.core import roles
from scorecard.core.clientip import client_ip
from scorecard.core.uploads import upload_limit
from scorecard.core.months import label, parse_month, previous_month
from scorecard.kpis import selectors as kpi_selectors
from scorecard.kpis.selectors import calendar_warning
from scorecard.kpis.services import MonthPublished

from . import selectors, services
from .models import Notice


def _ip(request) -> str | None:
    return client_ip(request)  # behind the trusted proxies, as the lockout and the audit log


def _list_context(request, **extra):
    notices = selectors.notice_list(viewer=request.user)
    # The draft step says when a month's on-time rate rests on a guessed (Monday–Friday) calendar.
    default = previous_month()  # the month the generate form proposes: the last complete one
    warnings = {m: calendar_warning(m) for m in {default} | {n.month for n in notices if n.status == "draft"}}
    for n in notices:
        n.calendar_warning = warnings.get(n.month, "") if n.status == "draft" else ""
        n.publish_warnings = selectors.publish_warnings(n) if n.status == "draft" else []
    return {"notices": notices, "can_generate": roles.can_generate(request.user),
            "cycles": kpi_selectors.cycle_overview(months=selectors.cycle_months(default)),
            "calendar_warning": warnings[default],
            "can_verify": roles.can_verify(request.user), "default_month": label(default),
            # The stored stage is the untranslated constant; the page shows it in the user's language.
            "queue_down": services.QUEUE_DOWN, "queue_down_text": _(services.QUEUE_DOWN), **extra}


@login_required
@require_GET
def notice_list(request):
    return render(request, "notices/list.html", _list_context(request))


@login_required
@require_POST
def generate(request):
    if not roles.can_generate(request.user):
        raise PermissionDenied
    try:
        month = parse_month(request.POST.get("month", ""))
    except ValueError as exc:
        messages.error(request, _("月份：%(error)s") % {"error": exc})
        return redirect("notices:list")
    running = selectors.working_notice(month)
    try:
        notice = services.request_generation(month=month, user=request.user,
                                             correction_note=request.POST.get("correction_note", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("notices:list")
    if running is not None and running.is_running and running.pk == notice.pk:
        messages.info(request, _("%(month)s 通报已在生成中（第%(version)s版），无需重复提交。")
                      % {"month": label(month), "version": notice.version})
    elif notice.stage == services.QUEUE_DOWN:
        messages.warning(request, _(services.QUEUE_DOWN))
    else:
        messages.success(request, _("已提交 %(month)s 通报第%(version)s版的生成任务。")
                         % {"month": label(month), "version": notice.version})
    return redirect("notices:list")


@login_required
@require_GET
def status(request, pk):
    notice = selectors.notice_for_viewer(pk=pk, viewer=request.user)
    return JsonResponse({
        "id": notice.pk, "month": label(notice.month), "version": notice.version, "status": notice.status,
        "status_display": notice.get_status_display(), "progress": notice.progress,
        # The worker stores the stage untranslated (a catalogue msgid): shown in the reader's language.
        "stage": _(notice.stage) if notice.stage else "",
        "error": notice.error, "sha256": notice.sha256, "running": notice.is_running,
    })


@login_required
@require_POST
def publish(request, pk):
    if not roles.can_publish(request.user):
        raise PermissionDenied
    notice = selectors.notice_for_viewer(pk=pk, viewer=request.user)
    try:
        notice = services.publish_notice(notice=notice, user=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        early = getattr(exc, "code", None) == "early_publish"
        refusal = {"notice": notice, "message": "；".join(exc.messages),
                   "blockers": (exc.params or {}).get("why", []) if early else [], "needs_reason": early}
        return render(request, "notices/list.html", _list_context(request, refusal=refusal), status=409)
    except MonthPublished as exc:
        messages.error(request, str(exc))
        return redirect("notices:list")
    messages.success(request, _("已发布 %(number)s 第%(version)s版，SHA-256：%(sha256)s")
                     % {"number": notice.number, "version": notice.version, "sha256": notice.sha256})
    for warning in selectors.publish_warnings(notice):
        messages.warning(request, warning)
    return redirect("notices:list")


@login_required
@require_POST
def requirements(request, pk):
    """The draft's 工作要求 (the analyst writes them before publication); the draft PDF follows."""
    if not roles.can_generate(request.user):
        raise PermissionDenied
    notice = selectors.notice_for_viewer(pk=pk, viewer=request.user)
    try:
        services.set_requirements(notice=notice, text=request.POST.get("requirements", ""), user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已保存 %(month)s 通报第%(version)s版的工作要求。")
                         % {"month": label(notice.month), "version": notice.version})
    return redirect("notices:list")


def _downloadable(request, pk) -> Notice:
    notice = selectors.notice_for_viewer(pk=pk, viewer=request.user)
    if not roles.can_download(request.user, notice):
        # 404 either way, as the status URL answers: for those who may not see
        # drafts a draft does not exist, and a notice still rendering (or
        # failed) has nothing to download yet.
        raise Http404(_("该通报没有可下载的文件"))
    return notice


@login_required
@require_GET
def download(request, pk):
    notice = _downloadable(request, pk)
    if not notice.file.storage.exists(notice.file.name):
        raise Http404(_("文件不存在"))
    services.record_download(notice=notice, user=request.user, ip=_ip(request))
    return FileResponse(notice.file.open("rb"), as_attachment=True, filename=notice.filename,
                        content_type="application/pdf")


@login_required
@require_GET
def snapshot(request, pk):
    """The notice's data snapshot (JSON): who may download the PDF may download its figures."""
    notice = _downloadable(request, pk)
    if not notice.snapshot:
        raise Http404(_("该通报没有数据快照"))
    body = services.snapshot_json(notice=notice, user=request.user, ip=_ip(request))
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=notice.filename.removesuffix(".pdf") + ".json")
    return response


@upload_limit("verify")
@login_required
def verify(request):
    if not roles.can_verify(request.user):
        raise PermissionDenied
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要核验的 PDF 文件"))
        else:
            digest, matches = services.verify_upload(fileobj=upload, user=request.user, ip=_ip(request))
            result = {"name": upload.name, "size": upload.size, "sha256": digest, "matches": matches}
    return render(request, "notices/verify.html", {"result": result})


@login_required
@require_GET
def rankings(request):
    months = list(selectors.published_months())
    current = None
    if months:
        wanted = request.GET.get("month")
        current = next((m for m in months if label(m.month) == wanted), months[0])
    notice = selectors.latest_published(current.month) if current else None
    departments: dict[str, list] = {}
    for d in (current.scorecard.get("departments", []) if current else []):
        departments.setdefault(d["department"], []).append(d)
    return render(request, "notices/rankings.html", {
        "months": months, "current": current, "notice": notice,
        "units": current.scorecard.get("units", []) if current else [], "departments": departments,
        "can_download": bool(notice and roles.can_download(request.user, notice)),
    })

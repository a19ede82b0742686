"""The bell's pages: the user's notifications and their own settings. Thin."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import notifications, selectors
from .models import User


@login_required
def notification_list(request):
    show = request.GET.get("show", "all")
    qs = selectors.notification_list(viewer=request.user, unread=show == "unread")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page": page, "show": show})


@login_required
@require_POST
def notification_read(request):
    """Mark read: one notification (``id``) or all; then go where the notification points."""
    pk = request.POST.get("id")
    if pk:
        note = selectors.notification_for_viewer(pk=pk, viewer=request.user)
        notifications.mark_read(user=request.user, ids=[note.pk])
        if request.POST.get("open") and note.url and url_has_allowed_host_and_scheme(
                note.url, allowed_hosts={request.get_host()}):
            return redirect(note.url)
    else:
        n = notifications.mark_read(user=request.user)
        if n:
            messages.success(request, _("已将 %(n)s 条通知标为已读") % {"n": n})
    return redirect("notifications")


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email", "email_notifications"]
        labels = {"email": gettext_lazy("电子邮箱"), "email_notifications": gettext_lazy("通过邮件接收通知")}
        help_texts = {"email_notifications": gettext_lazy("关闭后仍可在站内通知中查看。")}


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("个人设置已保存"))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})

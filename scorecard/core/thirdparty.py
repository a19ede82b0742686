"""App configs that give the third-party apps Chinese names in the admin (issue #14: the Chinese
admin showed 「AXES / Access attempts / CELERY RESULTS」).

INSTALLED_APPS names these instead of the packages' own configs. The model names are set on
``_meta`` after the models load (``ready``); ``_meta.original_attrs`` — what migrations read —
is left alone, so no migration of a third-party app changes. English comes from the locale.
(rest_framework.authtoken is Chinese already — 认证令牌 — and must stay named as it is.)
"""
from axes.apps import AppConfig as AxesAppConfig
from django.apps import apps
from django_celery_beat.apps import BeatConfig
from django_celery_results.apps import CeleryResultConfig
from django.utils.translation import gettext_lazy as _


def _name_models(app_label: str, names: dict) -> None:
    for model_name, (singular, plural) in names.items():
        try:
            meta = apps.get_model(app_label, model_name)._meta
        except LookupError:  # a model a newer version of the package dropped: nothing to name
            continue
        meta.verbose_name, meta.verbose_name_plural = singular, plural


class AxesConfig(AxesAppConfig):
    verbose_name = _("登录防护")

    def ready(self):
        super().ready()
        _name_models("axes", {
            "accessattempt": (_("登录失败计数"), _("登录失败计数")),
            "accessfailurelog": (_("登录失败记录"), _("登录失败记录")),
            "accesslog": (_("登录记录"), _("登录记录")),
            "accessattemptexpiration": (_("失败计数到期时间"), _("失败计数到期时间")),
        })


class CeleryResultsConfig(CeleryResultConfig):
    verbose_name = _("后台任务结果")

    def ready(self):
        super().ready()
        _name_models("django_celery_results", {
            "taskresult": (_("任务结果"), _("任务结果")),
            "groupresult": (_("任务组结果"), _("任务组结果")),
            "chordcounter": (_("任务组计数"), _("任务组计数")),
        })


class CeleryBeatConfig(BeatConfig):
    verbose_name = _("定时任务")

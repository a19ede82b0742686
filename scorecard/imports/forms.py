from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import KIND_LABELS, KINDS


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类型"), choices=[(k, KIND_LABELS[k]) for k in KINDS])
    file = forms.FileField(label=_("文件"), help_text=_("CSV（UTF-8 或 GBK）或 XLSX（第一个工作表），表头在前 10 行内"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if Path(f.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(_("只支持 .csv 和 .xlsx 文件"))
        return f

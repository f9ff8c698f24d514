"""Registry forms: uploading a registry workbook."""

from __future__ import annotations

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _


class RegistryUploadForm(forms.Form):
    """One .xlsx registry workbook to preview (and then import)."""

    file = forms.FileField(
        label=_("登记簿工作簿"),
        help_text=_("按模板填写的 .xlsx 文件;上传后先预览,确认后才导入。"),
        validators=[
            FileExtensionValidator(
                ["xlsx"],
                message=_(
                    "只接受 .xlsx 格式的 Excel 工作簿 (only .xlsx Excel workbooks are accepted)"
                ),
            )
        ],
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

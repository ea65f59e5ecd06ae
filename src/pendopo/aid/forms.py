from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class StatusCheckForm(forms.Form):
    nik = forms.CharField(label=_("NIK (16 digit)"), max_length=40, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "off", "class": "form-control form-control-lg", "placeholder": "3510…"}))

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pendopo.core.forms import BootstrapMixin
from pendopo.population.models import ResidentStatus, Sex


class ResidentFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Nama, NIK, atau nomor KK"), required=False, max_length=100)
    village = forms.ChoiceField(label=_("Desa/kelurahan"), required=False, choices=[])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Semua"))] + list(ResidentStatus.choices))
    sex = forms.ChoiceField(label=_("Jenis kelamin"), required=False, choices=[("", _("Semua"))] + list(Sex.choices))

    def __init__(self, *args: object, villages: list[tuple[str, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("Semua desa dalam wilayah Anda"))] + (villages or [])  # type: ignore[attr-defined]

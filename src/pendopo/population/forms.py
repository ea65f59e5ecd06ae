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
    dusun = forms.CharField(label=_("Dusun"), required=False, max_length=60)
    age_min = forms.IntegerField(label=_("Umur dari"), required=False, min_value=0, max_value=150,
                                 error_messages={"invalid": _("Umur harus bilangan bulat."), "min_value": _("Umur tidak boleh negatif."),
                                                 "max_value": _("Umur paling tinggi 150 tahun.")})
    age_max = forms.IntegerField(label=_("Umur sampai"), required=False, min_value=0, max_value=150,
                                 error_messages={"invalid": _("Umur harus bilangan bulat."), "min_value": _("Umur tidak boleh negatif."),
                                                 "max_value": _("Umur paling tinggi 150 tahun.")})

    def __init__(self, *args: object, villages: list[tuple[str, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("Semua desa dalam wilayah Anda"))] + (villages or [])  # type: ignore[attr-defined]
        for name in ("age_min", "age_max"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "placeholder": _("tahun")})

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:  # type: ignore[operator]
            self.add_error("age_max", _("Umur sampai harus sama dengan atau lebih besar dari umur dari."))
        return data


_DATE = forms.DateInput(attrs={"type": "date"})
_DATE_ERR = {"invalid": _("Tanggal tidak sah; pakai format TTTT-BB-HH.")}


class BirthForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Nama bayi"), max_length=150)
    sex = forms.ChoiceField(label=_("Jenis kelamin"), choices=Sex.choices)
    birth_date = forms.DateField(label=_("Tanggal lahir"), widget=_DATE, error_messages=_DATE_ERR)
    birth_place = forms.CharField(label=_("Tempat lahir"), max_length=80, required=False)
    nik = forms.CharField(label=_("NIK (dari Dukcapil)"), max_length=20)
    nik_exception_reason = forms.CharField(label=_("Alasan pengecualian NIK (bila NIK memang tidak cocok)"), max_length=250, required=False)


class DeathForm(BootstrapMixin, forms.Form):
    died_on = forms.DateField(label=_("Tanggal meninggal"), widget=_DATE, error_messages=_DATE_ERR)
    place = forms.CharField(label=_("Tempat meninggal"), max_length=120, required=False)
    cause = forms.CharField(label=_("Sebab (opsional)"), max_length=200, required=False)


class MoveOutForm(BootstrapMixin, forms.Form):
    moved_on = forms.DateField(label=_("Tanggal pindah"), widget=_DATE, error_messages=_DATE_ERR)
    destination = forms.CharField(label=_("Alamat tujuan"), max_length=200)


class CorrectionForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Nama"), max_length=150)
    nik = forms.CharField(label=_("NIK"), max_length=20)
    sex = forms.ChoiceField(label=_("Jenis kelamin"), choices=Sex.choices)
    birth_place = forms.CharField(label=_("Tempat lahir"), max_length=80, required=False)
    birth_date = forms.DateField(label=_("Tanggal lahir"), widget=_DATE, error_messages=_DATE_ERR)
    occupation = forms.CharField(label=_("Pekerjaan"), max_length=80, required=False)
    dusun = forms.CharField(label=_("Dusun/lingkungan"), max_length=60, required=False)
    rt = forms.CharField(label=_("RT"), max_length=3, required=False)
    rw = forms.CharField(label=_("RW"), max_length=3, required=False)
    reason = forms.CharField(label=_("Dasar koreksi (mis. KTP, akta kelahiran)"), max_length=500)
    nik_exception_reason = forms.CharField(label=_("Alasan pengecualian NIK (bila perlu)"), max_length=250, required=False)


class DeathReportForm(DeathForm):
    nik = forms.CharField(label=_("NIK almarhum/almarhumah"), max_length=20)
    field_order = ["nik", "died_on", "place", "cause"]

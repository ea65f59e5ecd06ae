from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class StatusCheckForm(forms.Form):
    nik = forms.CharField(label=_("NIK (16 digit)"), max_length=40, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "off", "class": "form-control form-control-lg", "placeholder": "3510…"}))


def _schemes() -> list[tuple[str, str]]:
    from pendopo.aid.models import Scheme

    return [(s.code, f"{s.code} — {s.name}") for s in Scheme.objects.filter(active=True).order_by("code")]


_TEXT = {"class": "form-control"}


class ProposalForm(forms.Form):
    """The village operator's form: NIK first (answered as it is typed), then what helps the
    engine be sure of the person."""

    scheme = forms.ChoiceField(label=_("Skema bantuan"), widget=forms.Select(attrs={"class": "form-select"}))
    village_code = forms.ChoiceField(label=_("Desa/kelurahan"), widget=forms.Select(attrs={"class": "form-select"}))
    nik = forms.CharField(label=_("NIK"), max_length=40, widget=forms.TextInput(
        attrs={**_TEXT, "inputmode": "numeric", "autocomplete": "off", "placeholder": "3510…"}))
    name = forms.CharField(label=_("Nama lengkap"), max_length=120, widget=forms.TextInput(attrs={**_TEXT, "autocomplete": "off"}))
    kk = forms.CharField(label=_("Nomor KK"), max_length=40, required=False, widget=forms.TextInput(attrs={**_TEXT, "inputmode": "numeric"}))
    sex = forms.ChoiceField(label=_("Jenis kelamin"), required=False, choices=[("", "—"), ("L", _("Laki-laki")), ("P", _("Perempuan"))],
                            widget=forms.Select(attrs={"class": "form-select"}))
    birth_date = forms.CharField(label=_("Tanggal lahir"), max_length=20, required=False,
                                 widget=forms.TextInput(attrs={**_TEXT, "placeholder": "1980-05-17"}))
    address = forms.CharField(label=_("Alamat (dusun, RT/RW)"), max_length=200, required=False, widget=forms.TextInput(attrs=_TEXT))

    def __init__(self, *args: object, villages: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["scheme"].choices = _schemes()  # type: ignore[attr-defined]
        self.fields["village_code"].choices = villages  # type: ignore[attr-defined]
        if len(villages) == 1:
            self.fields["village_code"].initial = villages[0][0]


class UploadForm(forms.Form):
    scheme = forms.ChoiceField(label=_("Skema bantuan"), widget=forms.Select(attrs={"class": "form-select"}))
    village_code = forms.ChoiceField(label=_("Desa/kelurahan"), widget=forms.Select(attrs={"class": "form-select"}))
    file = forms.FileField(label=_("Berkas usulan (.xlsx atau .csv)"),
                           widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.csv"}))

    def __init__(self, *args: object, villages: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["scheme"].choices = _schemes()  # type: ignore[attr-defined]
        self.fields["village_code"].choices = villages  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), min_length=10, max_length=2000,
                             widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}))


class PublicReportForm(forms.Form):
    """A resident reports themself or a neighbour (as Banyuwangi did in 2020)."""

    scheme = forms.ChoiceField(label=_("Bantuan yang diusulkan"), widget=forms.Select(attrs={"class": "form-select"}))
    nik = forms.CharField(label=_("NIK warga yang diusulkan"), max_length=40, widget=forms.TextInput(
        attrs={**_TEXT, "inputmode": "numeric", "autocomplete": "off"}))
    name = forms.CharField(label=_("Nama warga yang diusulkan"), max_length=120, widget=forms.TextInput(attrs=_TEXT))
    address = forms.CharField(label=_("Alamat warga (dusun, RT/RW, desa)"), max_length=200, widget=forms.TextInput(attrs=_TEXT))
    village_code = forms.ChoiceField(label=_("Desa/kelurahan"), widget=forms.Select(attrs={"class": "form-select"}))
    reporter_name = forms.CharField(label=_("Nama pelapor"), max_length=120, widget=forms.TextInput(attrs=_TEXT))
    reporter_phone = forms.RegexField(label=_("Nomor HP pelapor"), regex=r"^\+?[0-9 ()-]{8,20}$", max_length=20,
                                      error_messages={"invalid": _("Nomor HP tidak sah; tulis angka saja, misalnya 081234567890.")},
                                      widget=forms.TextInput(attrs={**_TEXT, "inputmode": "tel"}))
    why = forms.CharField(label=_("Mengapa warga ini perlu dibantu?"), max_length=1000, required=False,
                          widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from pendopo.core.models import Region

        self.fields["scheme"].choices = _schemes()  # type: ignore[attr-defined]
        self.fields["village_code"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (r.code, f"{r.name} ({r.parent.name if r.parent else ''})") for r in Region.objects.villages().select_related("parent").order_by("name")]


class PublicAppealForm(forms.Form):
    """A resident appeals their own rejection: the NIK and the KK number together show it is theirs."""

    nik = forms.CharField(label=_("NIK"), max_length=40, widget=forms.TextInput(attrs={**_TEXT, "inputmode": "numeric", "autocomplete": "off"}))
    kk = forms.CharField(label=_("Nomor KK"), max_length=40, widget=forms.TextInput(attrs={**_TEXT, "inputmode": "numeric", "autocomplete": "off"}))
    scheme = forms.ChoiceField(label=_("Bantuan"), widget=forms.Select(attrs={"class": "form-select"}))
    name = forms.CharField(label=_("Nama Anda"), max_length=120, widget=forms.TextInput(attrs=_TEXT))
    phone = forms.RegexField(label=_("Nomor HP"), regex=r"^\+?[0-9 ()-]{8,20}$", max_length=20,
                             error_messages={"invalid": _("Nomor HP tidak sah; tulis angka saja, misalnya 081234567890.")},
                             widget=forms.TextInput(attrs={**_TEXT, "inputmode": "tel"}))
    reason = forms.CharField(label=_("Alasan banding"), min_length=10, max_length=2000,
                             widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["scheme"].choices = _schemes()  # type: ignore[attr-defined]


class MusdesForm(forms.Form):
    scheme = forms.ChoiceField(label=_("Skema bantuan"), widget=forms.Select(attrs={"class": "form-select"}))
    village_code = forms.ChoiceField(label=_("Desa/kelurahan"), widget=forms.Select(attrs={"class": "form-select"}))
    number = forms.CharField(label=_("Nomor berita acara"), max_length=60, required=False, widget=forms.TextInput(attrs=_TEXT))
    held_on = forms.DateField(label=_("Tanggal musyawarah"), widget=forms.DateInput(attrs={**_TEXT, "type": "date"}),
                              error_messages={"invalid": _("Tanggal tidak sah; pakai format TTTT-BB-HH.")})
    place = forms.CharField(label=_("Tempat"), max_length=120, widget=forms.TextInput(attrs={**_TEXT, "placeholder": "Balai Desa"}))
    chair = forms.CharField(label=_("Pimpinan musyawarah"), max_length=120, widget=forms.TextInput(attrs=_TEXT))
    bpd_chair = forms.CharField(label=_("Ketua BPD"), max_length=120, widget=forms.TextInput(attrs=_TEXT))
    village_head = forms.CharField(label=_("Kepala desa/lurah"), max_length=120, widget=forms.TextInput(attrs=_TEXT))
    attendees = forms.IntegerField(label=_("Jumlah peserta"), min_value=1, max_value=5000, widget=forms.NumberInput(attrs=_TEXT))
    notes = forms.CharField(label=_("Catatan musyawarah"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}))

    def __init__(self, *args: object, villages: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["scheme"].choices = _schemes()  # type: ignore[attr-defined]
        self.fields["village_code"].choices = villages  # type: ignore[attr-defined]


class RuleForm(forms.Form):
    action = forms.ChoiceField(label=_("Perubahan"), choices=[("add", _("Tambah aturan")), ("remove", _("Hapus aturan"))],
                               widget=forms.Select(attrs={"class": "form-select"}))
    proposed = forms.ChoiceField(label=_("Skema yang diusulkan"), widget=forms.Select(attrs={"class": "form-select"}))
    held = forms.ChoiceField(label=_("ditolak bila sudah menerima"), widget=forms.Select(attrs={"class": "form-select"}))
    unit = forms.ChoiceField(label=_("Berlaku untuk"), choices=[("family", _("Seluruh anggota keluarga (KK)")), ("person", _("Orang itu saja"))],
                             widget=forms.Select(attrs={"class": "form-select"}))
    component = forms.CharField(label=_("Komponen (opsional, mis. hamil)"), max_length=30, required=False, widget=forms.TextInput(attrs=_TEXT))
    reason = forms.CharField(label=_("Alasan perubahan (dasar hukum, surat edaran)"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        codes = [(c, c) for c, _n in _schemes()]
        self.fields["proposed"].choices = codes  # type: ignore[attr-defined]
        self.fields["held"].choices = codes  # type: ignore[attr-defined]

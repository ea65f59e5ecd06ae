from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pendopo.core.models import AuditKind, Unit
from pendopo.core.roles import Role


class BootstrapMixin:
    """Adds Bootstrap classes to every widget so templates can render fields plainly."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Nama pengguna atau kata sandi salah. Perhatikan huruf besar dan kecil."),
        "inactive": _("Akun ini tidak aktif. Hubungi administrator."),
    }
    username = forms.CharField(label=_("Nama pengguna"), widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label=_("Kata sandi"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class PasswordChangeForm(BootstrapMixin, forms.Form):
    old_password = forms.CharField(label=_("Kata sandi lama"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label=_("Kata sandi baru"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                   help_text=_("Minimal 10 karakter, bukan kata sandi umum, tidak hanya angka."))
    new_password2 = forms.CharField(label=_("Ulangi kata sandi baru"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("Kedua kata sandi baru tidak sama."))
        return data


class AuditFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Cari objek"), required=False)
    kind = forms.ChoiceField(label=_("Jenis"), required=False, choices=[("", _("Semua"))] + list(AuditKind.choices))
    action = forms.CharField(label=_("Tindakan"), required=False)
    actor = forms.CharField(label=_("Pelaku (nama pengguna)"), required=False)
    personal_data = forms.ChoiceField(label=_("Data pribadi"), required=False,
                                      choices=[("", _("Semua")), ("1", _("Ya")), ("0", _("Tidak"))])
    date_from = forms.DateField(label=_("Dari tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("Sampai tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class UserForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=_("Nama pengguna"), max_length=150)
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    role = forms.ChoiceField(label=_("Peran"), choices=Role.choices)
    unit = forms.ModelChoiceField(label=_("Unit kerja"), queryset=Unit.objects.active().order_by("kind", "name"), required=False)
    position = forms.CharField(label=_("Jabatan"), max_length=120, required=False)
    email = forms.EmailField(label=_("Surel"), required=False)


class UserEditForm(UserForm):
    is_active = forms.BooleanField(label=_("Aktif"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].disabled = True


class TokenForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Nama token (untuk apa)"), max_length=100)


def apply_errors(form: Any, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: next to the field it names when the
    form has that field, above the form otherwise."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)

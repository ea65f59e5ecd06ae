from django.urls import path
from django.utils.translation import gettext_lazy as _

from pendopo.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path(_("masuk/"), views.LoginView.as_view(), name="login"),
    path(_("keluar/"), views.logout, name="logout"),
    path(_("kata-sandi/"), views.password_change, name="password-change"),
    path(_("wilayah/"), views.region_list, name="region-list"),
    path(_("wilayah/<str:code>/"), views.region_detail, name="region-detail"),
    path(_("unit-kerja/"), views.unit_list, name="unit-list"),
    path(_("audit/"), views.audit_list, name="audit-list"),
    path(_("pengguna/"), views.user_list, name="user-list"),
    path(_("pengguna/baru/"), views.user_create, name="user-create"),
    path(_("pengguna/<int:pk>/"), views.user_edit, name="user-edit"),
    path(_("pengguna/<int:pk>/reset-sandi/"), views.user_password_reset, name="user-password-reset"),
    path(_("token/"), views.token_list, name="token-list"),
    path(_("token/<int:pk>/cabut/"), views.token_revoke, name="token-revoke"),
]

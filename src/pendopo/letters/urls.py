from django.urls import path
from django.utils.translation import gettext_lazy as _

from pendopo.letters import views

app_name = "letters"
urlpatterns = [
    path(_("masuk-warga/"), views.pin_login, name="pin-login"),
    path(_("surat/"), views.request_list, name="request-list"),
    path(_("surat/baru/"), views.request_create, name="request-create"),
    path(_("surat/pin/"), views.pin_issue, name="pin-issue"),
    path(_("surat/kinerja/"), views.service_view, name="service"),
    path(_("surat/templat/"), views.template_edit, name="template-edit"),
    path(_("surat/<int:pk>/"), views.request_detail, name="request-detail"),
    path(_("surat/<int:pk>/surat.pdf"), views.request_pdf, name="request-pdf"),
    path(_("verifikasi/"), views.verify_view, name="verify-form"),
    path(_("verifikasi/<str:code>/"), views.verify_view, name="verify"),
    path(_("verifikasi/<str:code>/surat.pdf"), views.verify_pdf, name="verify-pdf"),
]

from django.urls import path
from django.utils.translation import gettext_lazy as _

from pendopo.aid import views

app_name = "aid"
urlpatterns = [
    path(_("cek-bansos/"), views.status_check_view, name="status-check"),
    path(_("lapor-bansos/"), views.public_report_view, name="public-report"),
    path(_("banding-bansos/"), views.public_appeal_view, name="public-appeal"),
    path(_("bansos/usulan/"), views.proposal_list, name="proposal-list"),
    path(_("bansos/usulan/baru/"), views.proposal_create, name="proposal-create"),
    path(_("bansos/usulan/pratinjau/"), views.proposal_preview, name="proposal-preview"),
    path(_("bansos/usulan/<int:pk>/"), views.proposal_detail, name="proposal-detail"),
    path(_("bansos/unggah/"), views.upload_create, name="upload-create"),
    path(_("bansos/unggah/templat.xlsx"), views.upload_template, name="upload-template"),
    path(_("bansos/unggah/<int:pk>/"), views.upload_detail, name="upload-detail"),
    path(_("bansos/unggah/<int:pk>/hasil.xlsx"), views.upload_result, name="upload-result"),
    path(_("bansos/pemeriksaan/"), views.review_queue, name="review-queue"),
    path(_("bansos/pengecualian/<int:pk>/"), views.override_decide, name="override-decide"),
    path(_("bansos/banding/<int:pk>/"), views.appeal_decide, name="appeal-decide"),
    path(_("bansos/angka/"), views.figures_view, name="figures"),
    path(_("bansos/bnba.xlsx"), views.bnba_export, name="bnba"),
    path(_("bansos/musdes/"), views.musdes_create, name="musdes-create"),
    path(_("bansos/musdes/<int:pk>.pdf"), views.musdes_pdf_view, name="musdes-pdf"),
    path(_("bansos/aturan/"), views.rules_view, name="rules"),
    path(_("bansos/rekonsiliasi/"), views.reconcile_view, name="reconcile"),
]

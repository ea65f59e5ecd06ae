from django.urls import path
from django.utils.translation import gettext_lazy as _

from pendopo.population import views

app_name = "population"
urlpatterns = [
    path(_("penduduk/"), views.resident_list, name="resident-list"),
    path(_("penduduk/<int:pk>/"), views.resident_detail, name="resident-detail"),
    path(_("penduduk/lapor-kematian/"), views.death_report, name="death-report"),
    path(_("penduduk/unduh/"), views.resident_export, name="resident-export"),
    path(_("penduduk/unduh/<int:pk>/"), views.resident_export_detail, name="resident-export-detail"),
    path(_("penduduk/unduh/<int:pk>/berkas/"), views.resident_export_file, name="resident-export-file"),
    path(_("penduduk/statistik/"), views.resident_figures, name="resident-figures"),
    path(_("penduduk/impor/"), views.registry_upload, name="registry-upload"),
    path(_("penduduk/impor/<int:pk>/"), views.registry_upload_detail, name="registry-upload-detail"),
    path(_("penduduk/impor/karantina/<int:pk>.csv"), views.quarantine_download, name="quarantine-download"),
]

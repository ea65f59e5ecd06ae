from django.urls import path
from django.utils.translation import gettext_lazy as _

from pendopo.population import views

app_name = "population"
urlpatterns = [
    path(_("penduduk/"), views.resident_list, name="resident-list"),
    path(_("penduduk/<int:pk>/"), views.resident_detail, name="resident-detail"),
    path(_("penduduk/lapor-kematian/"), views.death_report, name="death-report"),
]

from django.urls import path
from django.utils.translation import gettext_lazy as _

from pendopo.aid import views

app_name = "aid"
urlpatterns = [
    path(_("cek-bansos/"), views.status_check_view, name="status-check"),
]

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from pendopo.api.urls import api

handler403 = "pendopo.core.views.denied"
handler404 = "pendopo.core.views.not_found"

urlpatterns = [
    path("api/v1/", api.urls),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("pendopo.population.urls")),
    path("", include("pendopo.aid.urls")),
    path("", include("pendopo.letters.urls")),
    path("", include("pendopo.core.urls")),
    prefix_default_language=False,
)

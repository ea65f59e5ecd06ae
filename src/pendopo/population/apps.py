from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PopulationConfig(AppConfig):
    name = "pendopo.population"
    label = "population"
    verbose_name = _("Kependudukan")

    def ready(self) -> None:
        from pendopo.population import home  # noqa: F401  (home panels and navigation)

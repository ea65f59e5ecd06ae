from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "pendopo.aid"
    label = "aid"
    verbose_name = _("Bantuan sosial")

    def ready(self) -> None:
        from pendopo.aid import home, services  # noqa: F401  (home panels and navigation)
        from pendopo.population.events import residents_left

        residents_left.connect(services.on_residents_left, dispatch_uid="aid-holdings-exit")

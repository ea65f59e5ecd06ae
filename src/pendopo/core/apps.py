from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "pendopo.core"
    label = "core"
    verbose_name = _("Inti")

    def ready(self) -> None:
        from pendopo.core import panels, signals  # noqa: F401  (navigation, home panels, login audit)

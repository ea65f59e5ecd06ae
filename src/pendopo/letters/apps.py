from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "pendopo.letters"
    label = "letters"
    verbose_name = _("Layanan surat desa")

    def ready(self) -> None:
        from pendopo.letters import home  # noqa: F401  (home panels and navigation)

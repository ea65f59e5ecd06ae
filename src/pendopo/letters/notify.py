"""How a resident hears that a letter is ready: an adapter chosen by settings
(``PENDOPO_LETTERS_NOTIFIER``). ``email`` sends through Django's mail settings; ``log`` writes
the message to the log (tests, and villages without a gateway). A WhatsApp or SMS gateway is
another class with the same ``send``."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from pendopo.letters.models import LetterRequest, RequestStatus

log = logging.getLogger("pendopo.letters")


def message(req: LetterRequest) -> tuple[str, str]:
    """Subject and text, in Bahasa Indonesia first, then English."""
    if req.status == RequestStatus.READY:
        subject = f"Surat {req.letter_type.name} Anda sudah siap / your letter is ready"
        text = (f"Surat {req.letter_type.name} nomor {req.number} dari Desa {req.village.name} sudah ditandatangani. "
                f"Unduh di Pendopo (menu Surat saya) atau ambil di kantor desa. Kode verifikasi: {req.code} "
                f"({reverse('letters:verify', args=[req.code])}).\n\nYour letter is signed and ready.")
    else:
        subject = f"Permohonan surat {req.letter_type.name} ditolak / your request was declined"
        text = (f"Permohonan surat {req.letter_type.name} ditolak oleh Desa {req.village.name}: {req.reject_reason}\n\n"
                f"Your request was declined: {req.reject_reason}")
    return subject, text


class Notifier(Protocol):
    def send(self, req: LetterRequest) -> bool: ...


class LogNotifier:
    def send(self, req: LetterRequest) -> bool:
        subject, _text = message(req)
        log.info("notifikasi surat %s untuk penduduk %s: %s", req.pk, req.resident_id, subject)
        return True


class EmailNotifier:
    def send(self, req: LetterRequest) -> bool:
        user = req.resident.user
        to = getattr(user, "email", "") if user else ""
        if not to:
            return LogNotifier().send(req)  # no address: the resident sees it in the product
        subject, text = message(req)
        return send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [to]) == 1


def notifier() -> Notifier:
    kind = getattr(settings, "LETTERS_NOTIFIER", "log")
    return EmailNotifier() if kind == "email" else LogNotifier()

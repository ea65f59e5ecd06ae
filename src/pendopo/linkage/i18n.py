"""Marking messages for the translation catalogue without Django (this package never imports it)."""


def gettext_noop(message: str) -> str:
    """Returns ``message`` unchanged; ``makemessages`` collects the call's literal, and a page
    translates the message when it shows it."""
    return message

"""What the registry announces, so that other parts of the product react without the registry
knowing them (aid flags the holdings of a deceased resident for exit, for instance).

Receivers run inside the registry's transaction: if they fail, the registry change is undone
with them, and nothing is announced that did not happen.
"""

from __future__ import annotations

from django.dispatch import Signal

# sender: the service that changed the registry; residents: {resident id: new status}
# (``deceased`` or ``moved``); on: the date of the change; actor: who made it (or None).
residents_left = Signal()

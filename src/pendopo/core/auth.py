"""Bearer-token authentication for machine clients of the v1 API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from pendopo.core import rows
from pendopo.core.models import ApiToken, Unit, User, hash_token

LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def user_for_token(raw: str) -> User | None:
    """The active account behind a live token, or None. Touches ``last_used_at`` at most once a minute.

    One plain statement for the token, its account and the account's unit: every API request
    runs this, and the ORM spent longer building the join (and ``raw`` mapping its columns)
    than the database running it."""
    if not raw or len(raw) > 200:
        return None
    t, u, n = ApiToken._meta.db_table, User._meta.db_table, Unit._meta.db_table
    sql = (f"SELECT {rows.columns(User, 'u')}, t.id, t.last_used_at, {rows.columns(Unit, 'n')} "  # noqa: S608
           f"FROM {t} t JOIN {u} u ON u.id = t.user_id LEFT JOIN {n} n ON n.id = u.unit_id "
           "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active ORDER BY t.created_at DESC LIMIT 1")
    with connection.cursor() as cur:
        cur.execute(sql, [hash_token(raw)])
        row = cur.fetchone()
    if row is None:
        return None
    k = rows.width(User)
    user = rows.instance(User, row[:k])
    token_id, used = row[k], row[k + 1]
    if user.unit_id is not None:  # the unit as select_related would have it: scopes read it on every request
        User._meta.get_field("unit").set_cached_value(user, rows.instance(Unit, row[k + 2:]))  # type: ignore[attr-defined]
    now = timezone.now()
    if isinstance(used, str):  # SQLite hands an extra column back as text (or a naive datetime)
        used = dt.datetime.fromisoformat(used)
    if isinstance(used, dt.datetime) and timezone.is_naive(used):
        used = timezone.make_aware(used, dt.UTC)
    if used is None or now - used > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user

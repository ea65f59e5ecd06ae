from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from pendopo.core.audit import audit_write
from pendopo.core.models import ApiToken, AuditEvent, Cluster, Region, Unit, User

admin.site.site_header = "Pendopo — Administrasi"
admin.site.site_title = "Pendopo"


class AuditedAdmin(admin.ModelAdmin):
    """Admin writes go to the same audit trail as service writes."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        fields = {name: [None, str(form.cleaned_data.get(name))] for name in form.changed_data if "password" not in name}
        audit_write(actor=request.user, action=f"admin.{'change' if change else 'add'}", obj=obj, changes=fields)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_write(actor=request.user, action="admin.delete", obj=obj)  # type: ignore[arg-type]
        super().delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "kind", "parent"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "region", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["region", "parent"]


@admin.register(Cluster)
class ClusterAdmin(AuditedAdmin):
    list_display = ["code", "name", "theme", "coordinator"]
    filter_horizontal = ["members"]


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "role", "unit", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name", "email"]
    raw_id_fields = ["unit"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Pendopo", {"fields": ("full_name", "role", "unit", "position", "phone", "email", "must_change_password")}),
        ("Status", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "usable_password", "password1", "password2", "role", "unit")}),)
    readonly_fields = ["last_login", "date_joined"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.is_staff = obj.is_superuser = obj.role == "admin"
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "name", "user", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_username", "kind", "action", "object_repr", "personal_data", "ip"]
    list_filter = ["kind", "personal_data", "action"]
    search_fields = ["actor_username", "object_repr", "object_id"]
    date_hierarchy = "at"

from django.contrib import admin

from pendopo.core.admin import ReadOnlyAdmin
from pendopo.population.models import Family, FamilyMembership, Resident


# Registry changes go through life-event services (issue #4) so that history and audit hold;
# the admin only shows.
@admin.register(Resident)
class ResidentAdmin(ReadOnlyAdmin):
    list_display = ["name", "village", "sex", "birth_date", "status"]
    list_filter = ["status", "sex"]
    search_fields = ["nik", "name"]
    show_full_result_count = False


@admin.register(Family)
class FamilyAdmin(ReadOnlyAdmin):
    list_display = ["kk_number", "village", "dusun", "rt", "rw"]
    search_fields = ["kk_number"]
    show_full_result_count = False


@admin.register(FamilyMembership)
class FamilyMembershipAdmin(ReadOnlyAdmin):
    list_display = ["family", "resident", "relationship", "valid_from", "valid_to"]
    show_full_result_count = False

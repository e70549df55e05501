from django.contrib import admin

from organisation.models import Absence, Assignment, Department, Position, Section


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department"]
    list_filter = ["department"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "scope"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "section", "position", "start_date", "end_date"]
    list_filter = ["section__department", "section", "position"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user", "section"]
    date_hierarchy = "start_date"


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["holder", "deputy", "start_date", "end_date", "reason"]
    autocomplete_fields = ["holder", "deputy"]

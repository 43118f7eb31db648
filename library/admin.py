from django.contrib import admin

from library.models import AppropriatenessTag, Gif, MoodTag, SituationTag

FACTS = (
    "public_id",
    "format",
    "width",
    "height",
    "frames",
    "duration_ms",
    "loops",
    "byte_size",
    "sha256",
    "original",
    "first_still",
    "last_still",
    "preview",
    "uploaded_by",
    "reviewed_by",
    "reviewed_at",
    "created_at",
    "updated_at",
)


@admin.register(Gif)
class GifAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "format", "frames", "duration_ms", "created_at")
    list_filter = ("status", "format", "mood", "situation", "appropriateness")
    search_fields = ("title", "alt_text", "sha256")
    # Status changes go through the review actions, which record who and why.
    readonly_fields = ("status", *FACTS)
    fieldsets = (
        (None, {"fields": ("title", "alt_text", "use_when", "avoid_when", "status")}),
        ("Tags", {"fields": ("mood", "situation", "appropriateness")}),
        ("Facts measured at upload", {"fields": FACTS, "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not request.user.has_perm("library.set_appropriateness"):
            fields = (*fields, "appropriateness")
        return fields

    def has_add_permission(self, request):
        # Uploads go through the shelf's own checks, never a bare file field.
        return False


class VocabularyAdmin(admin.ModelAdmin):
    list_display = ("name", "use_when", "avoid_when")
    search_fields = ("name", "use_when", "avoid_when")
    prepopulated_fields = {"slug": ("name",)}


for model in (MoodTag, SituationTag, AppropriatenessTag):
    admin.site.register(model, VocabularyAdmin)

admin.site.site_header = "gifshelf administration"
admin.site.site_title = "gifshelf"

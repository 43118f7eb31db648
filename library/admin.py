import functools

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _

from library.forms import (
    AdminLoginForm,
    ConversationContextForm,
    GifTagsForm,
    MemberChangeForm,
    MemberCreationForm,
    TagAliasForm,
)
from library.models import (
    AgentFlag,
    ApiToken,
    AppropriatenessTag,
    ConversationContext,
    Copy,
    Favourite,
    Gif,
    GifEvent,
    LoginFailure,
    Member,
    MoodTag,
    Playback,
    Preferences,
    ReviewSkip,
    SituationTag,
    TagAlias,
)
from library.views import with_lockout_status

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
    # Tags ticked from the vocabularies, with the edit form's checks: taggit's
    # own text field would split "Money question" into two new tags.
    form = GifTagsForm
    list_display = ("title", "status", "format", "frames", "duration_ms", "created_at")
    list_filter = ("status", "format", "mood", "situation", "appropriateness")
    search_fields = ("title", "alt_text", "sha256")
    # Status changes go through the review actions, which record who and why.
    readonly_fields = (
        "status",
        *FACTS,
        "flash_risk",
        "flash_per_second",
        "watched_to_end_by",
        "watched_to_end_at",
        "rejection_reason",
    )
    fieldsets = (
        (None, {"fields": ("title", "alt_text", "use_when", "avoid_when", "status")}),
        (_("In Russian"), {"fields": ("alt_text_ru", "use_when_ru", "avoid_when_ru")}),
        (_("Tags"), {"fields": ("mood", "situation", "appropriateness")}),
        (
            _("Review"),
            {
                "fields": (
                    "rejection_reason",
                    "watched_to_end_by",
                    "watched_to_end_at",
                    "flash_risk",
                    "flash_per_second",
                )
            },
        ),
        (
            _("Facts measured at upload"),
            {"fields": FACTS, "classes": ("collapse",)},
        ),
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_search_document()
        if form.changed_data:
            # Edits here belong in the GIF's history like any other.
            form.instance.record(
                GifEvent.Action.EDITED,
                by=request.user,
                details={"in_admin": {"fields": list(form.changed_data)}},
            )


class VocabularyAdmin(admin.ModelAdmin):
    list_display = ("name", "use_when", "avoid_when")
    search_fields = ("name", "use_when", "avoid_when")
    prepopulated_fields = {"slug": ("name",)}


for model in (MoodTag, SituationTag, AppropriatenessTag):
    admin.site.register(model, VocabularyAdmin)

admin.site.site_header = _("gifshelf administration")
admin.site.site_title = "gifshelf"


@admin.register(AgentFlag)
class AgentFlagAdmin(admin.ModelAdmin):
    list_display = ("gif", "reason", "raised_by", "created_at", "resolution")
    list_filter = ("reason", "resolution")
    list_select_related = ("gif", "raised_by")
    # Resolve flags from the review page, where restoring or retiring is recorded.
    readonly_fields = ("gif", "raised_by", "created_at", "resolved_at", "resolved_by")


@admin.register(GifEvent)
class GifEventAdmin(admin.ModelAdmin):
    """History is a record: it is read here, never written."""

    list_display = ("gif", "action", "actor", "at", "description")
    list_filter = ("action",)
    list_select_related = ("gif", "actor")
    # What people typed: titles, reasons (summary), and the notes of flags and
    # reviews, which history keeps in `details`.
    search_fields = (
        "gif__title",
        "summary",
        "details__flag__note",
        "details__review_note",
    )

    @admin.display(description=_("What happened"))
    def description(self, event):
        """The line's sentences and changes in the admin's language."""
        changes = [
            f"{label}: {old} → {new}" for label, old, new in event.describe_changes()
        ]
        return " ".join([event.describe(), *changes]).strip()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Playback)
class PlaybackAdmin(admin.ModelAdmin):
    list_display = (
        "gif",
        "reviewer",
        "started_at",
        "played_to_end_at",
        "stepped_to_end_at",
    )
    list_select_related = ("gif", "reviewer")


@admin.register(ReviewSkip)
class ReviewSkipAdmin(admin.ModelAdmin):
    list_display = ("gif", "reviewer", "skipped_at")
    list_select_related = ("gif", "reviewer")


@admin.register(TagAlias)
class TagAliasAdmin(admin.ModelAdmin):
    # The aliases page's rules: a real target, a searchable word, no tag's name.
    form = TagAliasForm
    list_display = ("name", "target", "created_at")
    search_fields = ("name", "target")


@admin.register(ConversationContext)
class ConversationContextAdmin(admin.ModelAdmin):
    # The app's form: its names, its labels, and its rule that a tag is
    # hidden or warned about, never both.
    form = ConversationContextForm
    list_display = ("name", "name_ru", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}
    fields = (
        "name",
        "slug",
        *(name for name in ConversationContextForm.Meta.fields if name != "name"),
    )

    def get_readonly_fields(self, request, obj=None):
        # Agents' sessions and API calls name a context by its slug: set
        # once, when the context is added.
        return ("slug",) if obj else ()

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else super().get_prepopulated_fields(request, obj)


@admin.register(Copy)
class CopyAdmin(admin.ModelAdmin):
    """Usage is a record: read here, written only by the picker."""

    list_display = ("gif", "agent", "format", "context", "at")
    list_filter = ("format", "context")
    list_select_related = ("gif", "agent", "context")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Favourite)
class FavouriteAdmin(admin.ModelAdmin):
    list_display = ("gif", "agent", "added_at")
    list_select_related = ("gif", "agent")


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    list_display = ("user", "copy_format", "animate")
    list_select_related = ("user",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued on the member's own page; here they can be revoked."""

    list_display = (
        "name",
        "user",
        "hint",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "name",
        "hint",
        "created_at",
        "last_used_at",
        "expires_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke()


@admin.register(Member)
class MemberAdmin(UserAdmin):
    """Team members, their role and password, for a superuser: team leads have
    no permission here. The one page for people: Django's Users and Groups
    pages are gone, since a role is exactly one of three fixed groups."""

    form = MemberChangeForm
    add_form = MemberCreationForm
    list_display = ("username", "role_label", "is_active", "last_login")
    list_filter = ("groups", "is_active")
    fieldsets = (
        (None, {"fields": ("username", "password", "role", "is_active")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    filter_horizontal = ()

    @admin.display(description=_("Role"))
    def role_label(self, member):
        return member.role.label if member.role else "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def has_delete_permission(self, request, obj=None):
        # Deleting would take the member's playbacks, favourites and copies
        # with them: unticking Active removes a member and keeps the history.
        return False

    def save_model(self, request, member, form, change):
        super().save_model(request, member, form, change)
        if change and "is_active" in form.changed_data and not member.is_active:
            # As `addmember --deactivate`: sessions end and API tokens stop.
            member.deactivate()


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Recent failed log-ins; deleting an account's rows lifts its lockout."""

    list_display = ("username", "address", "at")
    search_fields = ("username", "address")
    readonly_fields = ("username", "address", "at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The admin's login counts failures and locks out like the app's own, and
# answers a lockout the same way (429, Retry-After).
admin.site.login_form = AdminLoginForm
admin_site_login = admin.site.login


@functools.wraps(admin_site_login)  # login_required = False, and the like
def throttled_admin_login(request, extra_context=None):
    response = admin_site_login(request, extra_context)
    context = getattr(response, "context_data", None) or {}
    return with_lockout_status(response, context.get("form"))


admin.site.login = throttled_admin_login

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase

from library import imaging
from library.imaging import ImageRefused


def upload_limits():
    return imaging.Limits(
        max_bytes=settings.GIFSHELF_MAX_UPLOAD_BYTES,
        max_pixels=settings.GIFSHELF_MAX_PIXELS,
        max_frames=settings.GIFSHELF_MAX_FRAMES,
        max_total_pixels=settings.GIFSHELF_MAX_TOTAL_PIXELS,
    )


class VocabularyTag(TagBase):
    """A tag of one vocabulary, with guidance on when to reach for it."""

    use_when = models.TextField(blank=True)
    avoid_when = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="%(app_label)s_%(class)s_name_ci_unique"
            )
        ]

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True)
        super().save(*args, **kwargs)

    @property
    def guidance(self):
        parts = []
        if self.use_when:
            parts.append(f"Use when {self.use_when}")
        if self.avoid_when:
            parts.append(f"Avoid when {self.avoid_when}")
        return " ".join(parts)


class MoodTag(VocabularyTag):
    class Meta(VocabularyTag.Meta):
        verbose_name = "mood"


class SituationTag(VocabularyTag):
    class Meta(VocabularyTag.Meta):
        verbose_name = "situation"


class AppropriatenessTag(VocabularyTag):
    """Names a kind of conversation the GIF is unsuitable for."""

    class Meta(VocabularyTag.Meta):
        verbose_name = "appropriateness tag"


class MoodTaggedGif(ItemBase):
    content_object = models.ForeignKey("Gif", on_delete=models.CASCADE)
    tag = models.ForeignKey(MoodTag, on_delete=models.CASCADE, related_name="items")

    class Meta:
        unique_together = [("content_object", "tag")]


class SituationTaggedGif(ItemBase):
    content_object = models.ForeignKey("Gif", on_delete=models.CASCADE)
    tag = models.ForeignKey(
        SituationTag, on_delete=models.CASCADE, related_name="items"
    )

    class Meta:
        unique_together = [("content_object", "tag")]


class AppropriatenessTaggedGif(ItemBase):
    content_object = models.ForeignKey("Gif", on_delete=models.CASCADE)
    tag = models.ForeignKey(
        AppropriatenessTag, on_delete=models.CASCADE, related_name="items"
    )

    class Meta:
        unique_together = [("content_object", "tag")]


class DuplicateImage(ImageRefused):
    def __init__(self, existing):
        self.existing = existing
        super().__init__(
            f"This exact file is already on the shelf as “{existing.title}” "
            f"({existing.get_status_display().lower()})."
        )


class GifQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Gif.Status.APPROVED)

    def pending(self):
        return self.filter(status=Gif.Status.PENDING)

    def publicly_served(self):
        """GIFs whose public link works: retired ones stay readable in old chats."""
        return self.filter(status__in=Gif.PUBLIC_STATUSES)

    def visible_to(self, user):
        """Reviewers see every GIF; everybody else only the shared shelf."""
        if user.has_perm("library.review_gif"):
            return self.all()
        return self.approved()

    def with_tags(self):
        return self.prefetch_related("mood", "situation", "appropriateness")

    def create_from_upload(self, upload, *, by, title="", alt_text="", **tags):
        """Check an uploaded file, store it with its renditions, and return
        the new pending GIF. Raises ImageRefused with the curator's reason.

        `tags` may hold `mood` and `situation`: lists of tag objects.
        """
        data = upload.read(settings.GIFSHELF_MAX_UPLOAD_BYTES + 1)
        analysis = imaging.analyse(data, upload_limits())
        existing = self.filter(sha256=analysis.facts.sha256).first()
        if existing:
            raise DuplicateImage(existing)
        facts = analysis.facts
        gif = self.model(
            title=title or title_from_filename(upload.name),
            alt_text=alt_text,
            format=facts.format,
            width=facts.width,
            height=facts.height,
            frames=facts.frames,
            duration_ms=facts.duration_ms,
            loops=facts.loops,
            byte_size=facts.bytes,
            sha256=facts.sha256,
            uploaded_by=by,
        )
        stored = gif.store_files(data, analysis)
        try:
            with transaction.atomic():
                gif.save()
                for vocabulary, chosen in tags.items():
                    getattr(gif, vocabulary).set(chosen)
        except IntegrityError:
            delete_files(stored)
            existing = self.filter(sha256=facts.sha256).first()
            if existing:  # lost a race with an identical upload
                raise DuplicateImage(existing) from None
            raise
        except BaseException:
            delete_files(stored)
            raise
        return gif

    def delete(self):
        names = [name for gif in self for name in gif.file_names()]
        result = super().delete()
        delete_files_after_commit(names)
        return result

    # Never Gif.objects.delete(): a slip there would empty the whole shelf.
    delete.queryset_only = True


def title_from_filename(filename):
    stem = PurePosixPath(filename or "").stem
    words = " ".join(stem.replace("_", " ").replace("-", " ").split())
    return (words[:1].upper() + words[1:])[:120] or "Untitled"


def media_storage():
    return Gif._meta.get_field("original").storage


def delete_files(names):
    storage = media_storage()
    for name in names:
        storage.delete(name)


def delete_files_after_commit(names):
    """A rollback must not lose files, so they go only once the rows are gone."""
    if names:
        transaction.on_commit(lambda: delete_files(names))


class Gif(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        RETIRED = "retired", "Retired"

    class Format(models.TextChoices):
        GIF = "gif", "GIF"
        PNG = "png", "PNG"
        APNG = "apng", "Animated PNG"
        WEBP = "webp", "WebP"
        JPEG = "jpeg", "JPEG"

    PUBLIC_STATUSES = (Status.APPROVED, Status.RETIRED)
    RENDITIONS = {
        # rendition name in the public URL -> (file field, extension)
        "still": ("first_still", "png"),
        "last": ("last_still", "png"),
        "preview": ("preview", "webp"),
    }

    # 122 random bits: a public link cannot be guessed from another one.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=120)
    alt_text = models.CharField(
        max_length=500,
        blank=True,
        help_text="What the GIF shows, for people who cannot see it.",
    )
    use_when = models.TextField("use when", blank=True)
    avoid_when = models.TextField("avoid when", blank=True)

    original = models.FileField(max_length=200, editable=False)
    first_still = models.FileField(max_length=200, editable=False)
    last_still = models.FileField(max_length=200, editable=False)
    preview = models.FileField(max_length=200, editable=False)

    format = models.CharField(max_length=8, choices=Format, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    frames = models.PositiveIntegerField(editable=False)
    duration_ms = models.PositiveIntegerField(
        editable=False, help_text="One loop as browsers play it."
    )
    loops = models.PositiveIntegerField(
        editable=False, help_text="How many times it plays; 0 means forever."
    )
    byte_size = models.PositiveBigIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, unique=True, editable=False)

    status = models.CharField(
        max_length=16, choices=Status, default=Status.PENDING, db_index=True
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="uploads",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    mood = TaggableManager(
        "moods", through=MoodTaggedGif, blank=True, related_name="gifs"
    )
    situation = TaggableManager(
        "situations", through=SituationTaggedGif, blank=True, related_name="gifs"
    )
    appropriateness = TaggableManager(
        "unsuitable for",
        through=AppropriatenessTaggedGif,
        blank=True,
        related_name="gifs",
    )

    objects = GifQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("search_gif", "Can search the shelf and copy GIFs"),
            ("flag_gif", "Can flag a GIF"),
            ("review_gif", "Can review GIFs and see unapproved ones"),
            ("set_appropriateness", "Can set appropriateness tags"),
            ("retire_gif", "Can retire GIFs"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("library:gif_detail", args=[self.pk])

    @property
    def is_publicly_served(self):
        return self.status in self.PUBLIC_STATUSES

    @property
    def extension(self):
        return imaging.FORMATS[self.format].extension

    @property
    def content_type(self):
        return imaging.FORMATS[self.format].content_type

    @property
    def is_animated(self):
        return self.frames > 1

    def public_path(self, rendition=None):
        """The path of the original (or a rendition) under /g/."""
        if rendition is None:
            return reverse(
                "public_file",
                kwargs={"public_id": self.public_id, "extension": self.extension},
            )
        return reverse(
            "public_rendition",
            kwargs={
                "public_id": self.public_id,
                "rendition": rendition,
                "extension": self.RENDITIONS[rendition][1],
            },
        )

    @property
    def original_path(self):
        return self.public_path()

    @property
    def still_path(self):
        return self.public_path("still")

    @property
    def last_still_path(self):
        return self.public_path("last")

    @property
    def preview_path(self):
        return self.public_path("preview")

    @property
    def preview_size(self):
        return imaging.fit_within(
            (self.width, self.height), imaging.PREVIEW_LONGER_SIDE
        )

    def public_url(self, request, rendition=None):
        """The absolute public URL, or None while the file is not public."""
        if not self.is_publicly_served:
            return None
        return request.build_absolute_uri(self.public_path(rendition))

    def file_names(self):
        fields = (self.original, self.first_still, self.last_still, self.preview)
        return [field.name for field in fields if field]

    def store_files(self, data, analysis):
        """Write the original byte for byte and its renditions; return names."""
        # Flat names in 256 shards: no empty folder is left when a GIF goes.
        folder = f"gifs/{self.public_id.hex[:2]}"
        storage = media_storage()
        stored = []
        try:
            for field, name, content in (
                ("original", f"original.{self.extension}", data),
                ("first_still", "first.png", analysis.first_still),
                ("last_still", "last.png", analysis.last_still),
                ("preview", "preview.webp", analysis.preview),
            ):
                saved = storage.save(
                    f"{folder}/{self.public_id.hex}-{name}", ContentFile(content)
                )
                stored.append(saved)
                getattr(self, field).name = saved
        except BaseException:
            delete_files(stored)
            raise
        return stored

    def delete(self, *args, **kwargs):
        names = self.file_names()
        result = super().delete(*args, **kwargs)
        delete_files_after_commit(names)
        return result


class Member(User):
    """A person on the support team, in exactly one role."""

    class Role(models.TextChoices):
        AGENT = "agent", "Agent"
        CURATOR = "curator", "Curator"
        LEAD = "lead", "Team lead"

    class Meta:
        proxy = True

    @classmethod
    def enrol(cls, username, role, password=None):
        """Create or update a member and put them in `role` (and only it)."""
        role = cls.Role(role)
        member, created = cls.objects.get_or_create(username=username)
        if password:
            member.set_password(password)
        elif created:
            member.set_unusable_password()
        # Team leads manage vocabularies and guidance in the admin.
        member.is_staff = role == cls.Role.LEAD
        member.save()
        role_groups = Group.objects.filter(name__in=cls.Role.labels)
        member.groups.remove(*role_groups)
        member.groups.add(Group.objects.get(name=role.label))
        return member, created

    @property
    def role(self):
        names = set(self.groups.values_list("name", flat=True))
        for role in reversed(self.Role):
            if role.label in names:
                return role
        return None

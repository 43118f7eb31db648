import functools
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import MaxLengthValidator
from django.db import (
    IntegrityError,
    connection,
    connections,
    models,
    router,
    transaction,
)
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Lower, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst, slugify
from django.utils.translation import (
    get_language,
    gettext,
    ngettext,
    pgettext,
    pgettext_lazy,
)
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase

from library import imaging, search, sessions
from library.imaging import ImageRefused


def upload_limits():
    return imaging.Limits(
        max_bytes=settings.GIFSHELF_MAX_UPLOAD_BYTES,
        max_pixels=settings.GIFSHELF_MAX_PIXELS,
        max_frames=settings.GIFSHELF_MAX_FRAMES,
        max_total_pixels=settings.GIFSHELF_MAX_TOTAL_PIXELS,
    )


# A usage note is a sentence or two read at a glance mid-conversation; a
# limit also keeps a script from storing megabytes in one. A validator, not
# max_length: that would rebuild the tables on SQLite, search triggers and all.
NOTE_LENGTH = 1000
NOTE_LIMIT = [MaxLengthValidator(NOTE_LENGTH)]


def in_russian():
    return (get_language() or "").startswith("ru")


LATIN_LETTER = re.compile(r"[A-Za-z]")
CYRILLIC_LETTER = re.compile(r"[\u0400-\u04FF]")


class ReadInReadersLanguage:
    """For a model whose words a lead writes twice: `field` in English and
    `field_ru` in Russian, the Russian one optional."""

    def in_readers_language(self, field):
        """`field` in the UI's language: its Russian twin for a Russian
        reader when that is written, else the English."""
        russian = getattr(self, f"{field}_ru") if in_russian() else ""
        return russian if russian.strip() else getattr(self, field)

    def reaches_reader_in_english(self, field):
        """Whether `field` reaches this reader as the English fallback: a
        Russian reader, its Russian twin not written yet. Pages mark that
        text lang="en" (WCAG 3.1.2), so that screen readers read it as
        English rather than spell it out with Russian sounds."""
        return (
            in_russian()
            and not getattr(self, f"{field}_ru").strip()
            and bool(getattr(self, field).strip())
        )


class VocabularyTag(ReadInReadersLanguage, TagBase):
    """A tag of one vocabulary, with guidance on when to reach for it.

    `name` is the English name every link and the API use; `name_ru` is
    shown in the Russian UI, and search finds the tag by either.
    """

    name_ru = models.CharField(_("name in Russian"), max_length=100, blank=True)
    use_when = models.TextField(blank=True, validators=NOTE_LIMIT)
    avoid_when = models.TextField(blank=True, validators=NOTE_LIMIT)
    use_when_ru = models.TextField(blank=True, validators=NOTE_LIMIT)
    avoid_when_ru = models.TextField(blank=True, validators=NOTE_LIMIT)

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
        old_name, old_name_ru = (
            type(self).objects.filter(pk=self.pk).values_list("name", "name_ru").first()
        ) or (None, None)
        super().save(*args, **kwargs)
        if old_name is not None and old_name != self.name:
            # Aliases follow the tag, and its GIFs are found by the new name.
            for alias in TagAlias.objects.filter(target_key=search.fold(old_name)):
                alias.target = self.name
                alias.save()
            self.tagged_gifs().reindex()
        elif old_name is not None and old_name_ru != self.name_ru:
            self.tagged_gifs().reindex()
        # Its guidance shows on every GIF it tags.
        ShelfVersion.advance()

    def clean_fields(self, exclude=None):
        """Each name given, English or Russian, names one tag of all the
        vocabularies: ticked boxes, the API, aliases and find_tag() find a
        tag by either name, whatever its case. Checked here so that the
        admin and the Guidance page refuse alike, each saying which tag
        has the name (the database's own constraint would only name
        itself)."""
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # A name kept as it was is not checked again: tags that shared a name
        # before this rule stay editable (their guidance, say).
        stored = {}
        if self.pk is not None:
            stored = (
                type(self).objects.filter(pk=self.pk).values("name", "name_ru").first()
                or {}
            )
        for field in ("name", "name_ru"):
            if field in (exclude or ()) or field in errors:
                continue
            name = getattr(self, field)
            if name == stored.get(field):
                continue
            if holder := self.holder_of_name(name):
                errors[field] = ValidationError(
                    gettext(
                        "The name “%(name)s” is taken: the %(vocabulary)s "
                        "“%(tag)s” is called that."
                    )
                    % {
                        "name": name,
                        "vocabulary": holder._meta.verbose_name,
                        "tag": holder.name,
                    },
                    code="name_taken",
                )
        if errors:
            raise ValidationError(errors)

    def holder_of_name(self, name):
        """The other tag, of any vocabulary, called `name` in either language
        (compared as search compares, ignoring case and accents), or None.
        Compared in Python, as find_tag() does: SQLite ignores the case of
        ASCII letters only."""
        wanted = search.fold(name)
        if not wanted:
            return None
        for model in VOCABULARY_MODELS.values():
            others = model.objects.all()
            if isinstance(self, model) and self.pk is not None:
                others = others.exclude(pk=self.pk)
            for tag in others:
                if wanted in {search.fold(each) for each in tag.names}:
                    return tag
        return None

    def delete(self, *args, **kwargs):
        tagged = list(self.tagged_gifs().values_list("pk", flat=True))
        result = super().delete(*args, **kwargs)
        Gif.objects.filter(pk__in=tagged).reindex()
        return result

    def tagged_gifs(self):
        return Gif.objects.filter(pk__in=self.items.values("content_object"))

    @property
    def display_name(self):
        """The name in the UI's language."""
        return self.in_readers_language("name")

    @property
    def names(self):
        return [name for name in (self.name, self.name_ru) if name]

    @property
    def guidance_notes(self):
        """(use when, avoid when) in the UI's language, each note on its own
        (guidance_sentences)."""
        return self.in_readers_language("use_when"), self.in_readers_language(
            "avoid_when"
        )

    @property
    def guidance(self):
        return guidance_text(self)

    @property
    def guidance_html(self):
        return guidance_markup(self)


def quoted(text):
    """`text` in the UI language's quotation marks: “text” or «text»."""
    return pgettext("quotation marks around a name", "“%(text)s”") % {"text": text}


def guidance_sentences(owner):
    """("Use when %(note)s." in the UI's language, the note, whether it reaches
    the reader in English) for each note a GIF or tag has. Each note stands on
    its own: a Russian reader sees the English one where its Russian twin is
    not written yet, so an untranslated warning is not lost."""
    sentences = {
        "use_when": gettext("Use when %(note)s."),
        "avoid_when": gettext("Avoid when %(note)s."),
    }
    for field, sentence in sentences.items():
        if note := owner.in_readers_language(field).strip().rstrip("."):
            yield sentence, note, owner.reaches_reader_in_english(field)


def guidance_text(owner):
    """ "Use when …. Avoid when …." from a GIF's or tag's notes."""
    return " ".join(
        sentence % {"note": note} for sentence, note, _ in guidance_sentences(owner)
    )


def guidance_markup(owner):
    """guidance_text() as HTML, a note that reaches a Russian reader in English
    marked lang="en" inside the Russian sentence (WCAG 3.1.2), as the preview
    marks it."""
    parts = []
    for sentence, note, in_english in guidance_sentences(owner):
        if in_english:
            note = format_html('<span lang="en">{}</span>', note)
        parts.append(conditional_escape(sentence) % {"note": conditional_escape(note)})
    return mark_safe(" ".join(parts))


class MoodTag(VocabularyTag):
    class Meta(VocabularyTag.Meta):
        verbose_name = _("mood")
        verbose_name_plural = _("moods")


class SituationTag(VocabularyTag):
    class Meta(VocabularyTag.Meta):
        verbose_name = _("situation")
        verbose_name_plural = _("situations")


class AppropriatenessTag(VocabularyTag):
    """Names a kind of conversation the GIF is unsuitable for."""

    class Meta(VocabularyTag.Meta):
        verbose_name = _("appropriateness tag")
        verbose_name_plural = _("appropriateness tags")


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


class ReviewError(Exception):
    """A review action that cannot happen; the message says why and what to do.

    `code` names the reason for API clients: not_watched, own_upload,
    missing_alt_text, missing_tags, flashing_not_acknowledged, public_figure,
    status_changed, missing_reason, already_flagged, not_started (this
    reviewer's clock was never started; not_watched: started, but less than a
    loop ago).
    """

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


class ReviewFlag(models.TextChoices):
    """What a curator saw while watching a GIF to its end."""

    SURPRISE_ENDING = "surprise_ending", _("Surprise ending")
    CONTAINS_TEXT = "contains_text", _("Contains text")
    PUBLIC_FIGURE = "public_figure", _("Public figure or politics")
    FLASHING = "flashing", _("Flashing")
    LOW_QUALITY = "low_quality", _("Low quality")
    OTHER = "other", _("Other")


# How far an approval may come before one loop has played since the start.
WATCH_TOLERANCE_MS = 250
# The least time a person takes to look at one filmstrip frame and step on.
STEP_MS = 100


class DuplicateImage(ImageRefused):
    def __init__(self, existing):
        self.existing = existing
        if existing.status == Gif.Status.REJECTED:
            message = gettext(
                "This exact file was rejected before, as “%(title)s”. If it deserves "
                "another look, reopen it from its page."
            )
        else:
            message = gettext(
                "This exact file is already on the shelf as “%(title)s” (%(status)s)."
            )
        super().__init__(
            message
            % {
                "title": existing.title,
                "status": existing.status_label.lower(),
            }
        )


# Columns no card, preview or API answer shows: the frame hashes alone are a
# list of every frame's hash, and decoding them is most of reading a row.
CARD_UNUSED = (
    "frame_hashes",
    "frame_details",
    "filmstrip",
    "search_tags",
    "search_title",
    "search_body",
    "search_facets",
)
CARD_PEOPLE = ("uploaded_by", "reviewed_by", "watched_to_end_by")


@functools.cache
def card_columns():
    """The columns for_cards() reads, for a plain statement."""
    return ", ".join(
        field.column
        for field in Gif._meta.concrete_fields
        if field.name not in CARD_UNUSED
    )


# The three vocabularies by the name of their field on Gif.
VOCABULARY_MODELS = {
    "mood": MoodTag,
    "situation": SituationTag,
    "appropriateness": AppropriatenessTag,
}


class AttachingIterable(models.query.ModelIterable):
    """Model objects handed to `attach(objects, db)` all at once, for details
    read in a statement or two for the lot rather than one per object."""

    attach = None

    def __iter__(self):
        found = list(super().__iter__())
        if found:
            self.attach(found, self.queryset.db)
        return iter(found)


def attach_card_details(gifs, db):
    """Each GIF's people, tags and near-duplicates, for all of them at once.
    One instance per person and per tag, shared by the cards: select_related
    and prefetch_related build one per card, which cost most of a page of
    search results."""
    by_pk = {gif.pk: gif for gif in gifs}
    ids = {getattr(gif, f"{role}_id") for gif in gifs for role in CARD_PEOPLE}
    people = {
        pk: User.from_db(db, ["id", "username"], (pk, username))
        for pk, username in plain_rows(db, CARD_PEOPLE_SQL, sorted(ids - {None}))
    }
    for gif in gifs:
        for role in CARD_PEOPLE:
            person = people.get(getattr(gif, f"{role}_id"))
            if person is not None:
                setattr(gif, role, person)
        gif.card_tags = {vocabulary: [] for vocabulary in search.VOCABULARIES}
        gif.near_duplicate_list = []

    for vocabulary, gif_pk, tag in card_tags(list(by_pk), db):
        by_pk[gif_pk].card_tags[vocabulary].append(tag)

    for gif_pk, other_pk, status in plain_rows(db, CARD_DUPLICATES_SQL, list(by_pk)):
        other = Gif.from_db(db, ["id", "status"], (other_pk, status))
        by_pk[gif_pk].near_duplicate_list.append(other)


# Plain statements: compiling a queryset costs more than running these.
CARD_PEOPLE_SQL = "SELECT id, username FROM {people} WHERE id IN ({pks})"
CARD_DUPLICATES_SQL = (
    "SELECT d.from_gif_id, d.to_gif_id, g.status FROM {duplicates} d "
    "JOIN {gifs} g ON g.id = d.to_gif_id WHERE d.from_gif_id IN ({pks}) "
    "ORDER BY d.to_gif_id"
)


def plain_rows(db, statement, pks):
    if not pks:
        return []
    with connections[db].cursor() as cursor:
        tables = {
            "people": User._meta.db_table,
            "gifs": Gif._meta.db_table,
            "duplicates": Gif.near_duplicates.through._meta.db_table,
        }
        marks = ", ".join(["%s"] * len(pks))
        cursor.execute(statement.format(pks=marks, **tables), pks)
        return cursor.fetchall()


class CardIterable(AttachingIterable):
    attach = staticmethod(attach_card_details)


def card_tags(gif_pks, db):
    """(vocabulary, GIF pk, tag) for the tags of `gif_pks`, by tag name: one
    statement, one instance per tag however many of the GIFs carry it."""
    found = {}
    for vocabulary, gif_pk, *values in card_tag_rows(gif_pks, db):
        key = (vocabulary, values[0])
        if key not in found:
            model = VOCABULARY_MODELS[vocabulary]
            names = [field.attname for field in model._meta.concrete_fields]
            found[key] = model.from_db(db, names, values)
        yield vocabulary, gif_pk, found[key]


def card_tag_rows(gif_pks, db):
    """(vocabulary, GIF pk, every column of the tag) for the tags of
    `gif_pks` in all three vocabularies, by tag name: one statement."""
    parts, params = [], []
    marks = ", ".join(["%s"] * len(gif_pks))
    for vocabulary, model in VOCABULARY_MODELS.items():
        through = Gif._meta.get_field(vocabulary).through
        fields = [field.column for field in model._meta.concrete_fields]
        columns = ", ".join(f't."{column}"' for column in fields)
        parts.append(
            f'SELECT %s, l."content_object_id", {columns} '
            f'FROM "{through._meta.db_table}" l '
            f'JOIN "{model._meta.db_table}" t ON t."id" = l."tag_id" '
            f'WHERE l."content_object_id" IN ({marks})'
        )
        params += [vocabulary, *gif_pks]
    # Each card lists its tags by name (columns count from 1; two come first).
    by_name = f" ORDER BY {fields.index('name') + 3}, {fields.index('id') + 3}"
    statement = " UNION ALL ".join(parts) + by_name
    with connections[db].cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


class GifQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Gif.Status.APPROVED)

    def pending(self):
        return self.filter(status=Gif.Status.PENDING)

    def publicly_served(self):
        """GIFs whose public link works: retired ones stay readable in old chats,
        taken-down ones do not."""
        return self.filter(status__in=Gif.PUBLIC_STATUSES, taken_down_at__isnull=True)

    def listed(self):
        """What agents may find: approved, and not flagged by an agent."""
        return self.approved().without_open_flags()

    def search(self, query):
        """GIFs matching what an agent typed, best first.

        Every word matches as a prefix of a word in the title, alt text,
        usage notes, tag names or tag aliases; `-word` leaves out what holds
        it. A whole-tag match ranks first, then a title match, then the rest;
        the team's favourites first within each, then the newest.

        The picker pages through ranked() instead, which gives the same
        order without ranking every match; on SQLite the index it reads
        holds listed GIFs only.
        """
        parsed = search.parse(query)
        results = self
        if parsed.include:
            results = results.filter(search.matching(parsed.include))
        if parsed.exclude:
            for word in parsed.exclude:
                sql, params = search.matching_ids_sql([word])
                results = results.exclude(pk__in=RawSQL(sql, params))
        if not parsed.phrase:
            # Nothing typed to rank by (or only -words): every GIF would share
            # one tier, and the popularity order alone is cheaper to sort.
            return results.order_by(*POPULARITY)
        title_match = Q()
        for word in parsed.include:
            # The title is stored as folded words joined by single spaces.
            title_match &= Q(search_title__startswith=word) | Q(
                search_title__contains=f" {word}"
            )
        tiers = [When(search_tags__contains=search.tag_keys([parsed.phrase]), then=0)]
        if parsed.include:
            tiers.append(When(title_match, then=1))
        return results.annotate(
            search_tier=Case(*tiers, default=2, output_field=models.IntegerField())
        ).order_by("search_tier", *POPULARITY)

    def known_words(self):
        """Every word a search can find among these GIFs, sorted."""
        documents = self.values_list("search_title", "search_body", "search_tags")
        return search.known_words(documents.iterator(chunk_size=2000))

    def did_you_mean(self, query, **chosen):
        """For a search that found nothing: `query` with its misspelt words
        put right ("thnaks" → "thanks"), when that finds something with the
        same choices (mood, situation, context); else None."""
        # The whole shelf's words cost 0.6 s to read at 100,000 GIFs: read
        # every few minutes, not after every change. A word gone from the
        # shelf since is harmless: a suggestion is only made if it finds.
        known = cache.get_or_set(
            "known-words", Gif.objects.listed().known_words, KNOWN_WORDS_SECONDS
        )
        suggestion = search.corrected(query, known)
        if suggestion and self.pick(query=suggestion, **chosen).exists():
            return suggestion
        return None

    def pick(self, *, query="", mood=None, situation=None, context=None):
        """What the agent's picker shows: listed, suitable, matching, best first."""
        results = self.listed().suitable_for(context).search(query)
        if mood is not None:
            results = results.filter(mood__in=[mood])
        if situation is not None:
            results = results.filter(situation__in=[situation])
        return results

    def ranked(self, *, query="", mood=None, situation=None, context=None, per_page=24):
        """pick() as the picker pages it: count() and slices of for_cards()
        GIFs, in the same order. On SQLite the search index answers both,
        reading only as many matches as the page needs (`per_page` on the
        first page); on PostgreSQL one statement counts a typed query's
        matches and ranks its first page."""
        if context is not None and context.hides_every_gif:
            return self.none()
        parsed = search.parse(query)
        if connection.vendor != "sqlite":
            picked = self.pick(
                query=query, mood=mood, situation=situation, context=context
            )
            if not parsed.phrase:
                # Nothing to rank by: the popularity index gives the page.
                return picked.for_cards()
            return search.CountedResults(picked, self, first=per_page)
        return search.IndexedResults(
            self,
            parsed,
            whole_tags=whole_tag_facets(parsed.phrase) if parsed.phrase else set(),
            mood=("mood", mood.pk) if mood else None,
            situation=("situation", situation.pk) if situation else None,
            hides=sorted(context.tag_ids("hides")) if context else [],
            first=per_page,
        )

    def cards_by_pk(self, pks):
        """for_cards().in_bulk(pks): the card GIFs of `pks`, by pk.

        Every page of search results loads its GIFs by pk, and compiling
        that queryset cost a quarter of loading them: unfiltered, the same
        columns are read by a plain statement into the same deferred models.
        """
        query = self.query
        plain = not (
            query.where
            or query.annotations
            or query.extra
            or query.select_related
            or query.is_sliced
            or query.combinator
            or query.deferred_loading != (frozenset(), True)
            or self._prefetch_related_lookups
            or self._iterable_class is not models.query.ModelIterable
        )
        if not plain:
            return self.for_cards().in_bulk(pks)
        if not pks:
            return {}
        columns = card_columns()
        marks = ", ".join(["%s"] * len(pks))
        found = list(
            self.model.objects.raw(
                f"SELECT {columns} FROM {self.model._meta.db_table} "
                f"WHERE {self.model._meta.pk.column} IN ({marks})",
                pks,
                using=self.db,
            )
        )
        if found:
            attach_card_details(found, self.db)
        return {gif.pk: gif for gif in found}

    def for_cards(self):
        """Everything a result card or the API shows, in four queries
        whatever the number of GIFs (CardIterable)."""
        clone = self.defer(*CARD_UNUSED)
        clone._iterable_class = CardIterable
        return clone

    def tag_counts(self, vocabulary):
        """The tags of `vocabulary` ("mood", "situation") on these GIFs, each
        annotated with `n`: how many of these GIFs carry it. One query."""
        tag_model = self.model._meta.get_field(vocabulary).remote_field.model
        return (
            tag_model.objects.filter(items__content_object__in=self.values("pk"))
            .annotate(n=Count("items"))
            .order_by("-n", "name")
        )

    def recently_copied_by(self, user):
        """What `user` copied into chats, each GIF once, latest copy first."""
        latest = Copy.objects.filter(gif=OuterRef("pk"), agent=user).order_by("-at")
        return (
            self.filter(Exists(latest))
            .annotate(last_copied_at=Subquery(latest.values("at")[:1]))
            .order_by("-last_copied_at", "-pk")
        )

    def favourites_of(self, user):
        """What `user` starred, latest star first."""
        star = Favourite.objects.filter(gif=OuterRef("pk"), agent=user)
        return (
            self.filter(Exists(star))
            .annotate(starred_at=Subquery(star.values("added_at")[:1]))
            .order_by("-starred_at", "-pk")
        )

    def team_favourites(self, days=30):
        """What the team copied most in the last `days` days."""
        since = timezone.now() - timezone.timedelta(days=days)
        return (
            self.annotate(
                recent_copies=Count("copies", filter=Q(copies__at__gte=since))
            )
            .filter(recent_copies__gt=0)
            .order_by("-recent_copies", "-copy_count", "-pk")
        )

    def suitable_for(self, context):
        """Hide what the team leads ruled out for this kind of conversation."""
        if context is None:
            return self
        if context.hides_every_gif:
            return self.none()
        # NOT IN one list of GIFs rather than the NOT EXISTS probe per GIF
        # an exclude across the relation makes: PostgreSQL hashes the list
        # once, where the probes took a fifth of a context's search.
        hidden = AppropriatenessTaggedGif.objects.filter(
            tag_id__in=context.tag_ids("hides")
        ).values("content_object_id")
        return self.exclude(pk__in=hidden)

    def tagged(self, vocabulary, tag):
        return self.filter(**{f"{vocabulary}__in": [tag]})

    def reindex(self, *, announce=True):
        """Rebuild the search document of every GIF here, a few queries per
        REINDEX_BATCH GIFs; `announce=False` leaves the shelf's version to
        the caller.

        Each batch's rows are locked in id order before they are read, all
        in one transaction. Two rebuilds of overlapping GIFs at once (a tag
        renamed during a bulk change of appropriateness) then wait for each
        other, where batches in any other order could each hold rows the
        other needs: a deadlock on PostgreSQL, and a 500 for one of them.
        """
        ids = list(self.order_by("pk").values_list("pk", flat=True).distinct())
        with transaction.atomic():
            for start in range(0, len(ids), REINDEX_BATCH):
                batch = ids[start : start + REINDEX_BATCH]
                # (SQLite has no row locks: its writers take turns anyway.)
                locked = Gif.objects.filter(pk__in=batch).select_for_update()
                list(locked.order_by("pk").values_list("pk", flat=True))
                rebuild_search_documents(Gif.objects.filter(pk__in=batch))
            if announce:
                ShelfVersion.advance()

    def copied_since(self, moment):
        """GIFs somebody copied at or after `moment`."""
        return self.filter(
            Exists(Copy.objects.filter(gif=OuterRef("pk"), at__gte=moment))
        )

    def never_copied(self):
        return self.exclude(Exists(Copy.objects.filter(gif=OuterRef("pk"))))

    def with_last_copy(self):
        """Each GIF with `last_copied_at`: its latest copy, or None."""
        last = Copy.objects.filter(gif=OuterRef("pk")).order_by("-at")
        return self.annotate(last_copied_at=Subquery(last.values("at")[:1]))

    def change_appropriateness(self, *, by, add=(), remove=()):
        """Add the tags `add` to every GIF here and take the tags `remove` off.

        Each GIF whose tags change gets a line in its history naming what was
        added and removed, and a fresh search document, so the picker finds
        and hides it by its new tags at once. Returns how many GIFs changed.
        Works through the GIFs in chunks, a few queries per chunk.
        """
        add = {tag.pk: tag for tag in add}
        remove = {tag.pk: tag for tag in remove if tag.pk not in add}
        # In id order, as reindex() locks them: see there.
        ids = list(self.order_by("pk").values_list("pk", flat=True).distinct())
        changed = 0
        with transaction.atomic():
            for start in range(0, len(ids), BULK_CHUNK):
                changed += change_appropriateness_of(
                    ids[start : start + BULK_CHUNK], by=by, add=add, remove=remove
                )
            # Last: on PostgreSQL the version's row stays locked until the
            # commit, and an approval locks a GIF first and the version
            # next; taking the version before the next chunk's GIFs could
            # deadlock with it.
            if changed:
                ShelfVersion.advance()
        return changed

    def without_open_flags(self):
        """Hide what an agent flagged until a curator has looked at it."""
        return self.exclude(Exists(AgentFlag.objects.open().filter(gif=OuterRef("pk"))))

    def with_open_flag_count(self):
        counts = (
            AgentFlag.objects.open()
            .filter(gif=OuterRef("pk"))
            .values("gif")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(open_flag_count=Coalesce(Subquery(counts), 0))

    def for_one_gif_page(self):
        """What the GIF's page and its review page show of it: its tags, open
        flags and the people named in its history, read with it."""
        return (
            self.with_tags()
            .with_open_flag_count()
            .select_related("uploaded_by", "reviewed_by", "watched_to_end_by")
        )

    def with_retirement_reason(self):
        """Annotate `retirement_reason`: why a retired (or taken-down) GIF is
        off the shelf, as its latest retirement or takedown said; the
        uploader's list shows it as it shows a rejection's."""
        latest = (
            GifEvent.objects.filter(
                gif=OuterRef("pk"),
                action__in=[GifEvent.Action.RETIRED, GifEvent.Action.TAKEN_DOWN],
            )
            .order_by("-at", "-pk")
            .values("summary")[:1]
        )
        return self.annotate(retirement_reason=Subquery(latest))

    def ids_with_the_flagged(self):
        """The ids of these GIFs (pending ones) and of every approved GIF with
        an open agent flag: what a curator has to look at.

        A union rather than `pending OR flagged`: PostgreSQL reads each part
        by an index (the status, the open flags), where the OR had it read
        every GIF on the shelf, on every page a reviewer opens (the queue's
        count in the navigation).
        """
        flagged = AgentFlag.objects.open().filter(gif__status=Gif.Status.APPROVED)
        return self.order_by().values("pk").union(flagged.order_by().values("gif"))

    def review_queue_for(self, reviewer):
        """Pending GIFs and flagged ones, oldest first, flagged ones on top.

        Leaves out what `reviewer` skipped and, unless self-approval is on,
        what they uploaded themselves.
        """
        pending = Gif.objects.filter(status=Gif.Status.PENDING).exclude(
            # A skip passes on a pending GIF, not on a later flag of it.
            Exists(ReviewSkip.objects.filter(gif=OuterRef("pk"), reviewer=reviewer))
        )
        if not settings.GIFSHELF_ALLOW_SELF_APPROVAL:
            pending = pending.exclude(uploaded_by=reviewer)
        return (
            self.filter(pk__in=pending.ids_with_the_flagged())
            .with_open_flag_count()
            .order_by("-open_flag_count", "created_at", "pk")
        )

    def skipped_by(self, reviewer):
        """The pending GIFs `reviewer` skipped: out of their queue until they
        ask for them back."""
        return self.filter(status=Gif.Status.PENDING, skips__reviewer=reviewer)

    def unskip(self, reviewer):
        """Put these GIFs back in `reviewer`'s queue; how many came back."""
        skips = ReviewSkip.objects.filter(reviewer=reviewer, gif__in=self)
        return skips.delete()[0]

    def not_copied_since(self, moment):
        """GIFs nobody copied at or after `moment`, each with `last_copied_at`."""
        recent = Copy.objects.filter(gif=OuterRef("pk"), at__gte=moment)
        last = Copy.objects.filter(gif=OuterRef("pk")).order_by("-at")
        return self.exclude(Exists(recent)).annotate(
            last_copied_at=Subquery(last.values("at")[:1])
        )

    def on_shelf_before(self, moment):
        """GIFs approved before `moment` (their upload time if nobody reviewed
        them, as for those seeded straight onto the shelf), oldest first."""
        return (
            self.annotate(on_shelf_since=Coalesce("reviewed_at", "created_at"))
            .filter(on_shelf_since__lt=moment)
            .order_by("on_shelf_since", "pk")
        )

    def awaiting_review(self):
        """Everything some curator still has to look at, whoever skipped or
        uploaded it: pending GIFs and flagged ones, each with `waiting_since`
        (its upload, or its oldest open flag)."""
        open_flags = AgentFlag.objects.open().filter(gif=OuterRef("pk"))
        first_flag = open_flags.order_by("created_at").values("created_at")[:1]
        pending = Gif.objects.filter(status=Gif.Status.PENDING)
        return self.filter(pk__in=pending.ids_with_the_flagged()).annotate(
            waiting_since=Case(
                When(status=Gif.Status.PENDING, then=F("created_at")),
                default=Subquery(first_flag),
            )
        )

    def visible_to(self, user):
        """Reviewers see every GIF; everybody else only the shared shelf."""
        if user.has_perm("library.review_gif"):
            return self.all()
        return self.approved()

    def with_tags(self):
        return self.prefetch_related(*search.VOCABULARIES)

    def create_from_upload(
        self, upload, *, by, title="", alt_text="", alt_text_ru="", **tags
    ):
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
            alt_text_ru=alt_text_ru,
            format=facts.format,
            width=facts.width,
            height=facts.height,
            frames=facts.frames,
            duration_ms=facts.duration_ms,
            loops=facts.loops,
            byte_size=facts.bytes,
            sha256=facts.sha256,
            uploaded_by=by,
            flash_risk=analysis.flash.risky,
            flash_red=analysis.flash.red,
            flash_per_second=analysis.flash.per_second,
            frame_hashes=[f"{value:016x}" for value in analysis.frame_hashes],
            frame_details=[f"{value:064x}" for value in analysis.frame_details],
            poster_frame=analysis.poster_frame or None,
        )
        # Compared before the write transaction: it reads the whole shelf.
        near_duplicates = gif.find_near_duplicates()
        stored = gif.store_files(data, analysis)
        try:
            with transaction.atomic():
                gif.save()
                for vocabulary, chosen in tags.items():
                    getattr(gif, vocabulary).set(chosen)
                gif.near_duplicates.set(near_duplicates)
                gif.refresh_search_document()
                gif.record(GifEvent.Action.UPLOADED, by=by)
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
        ShelfVersion.advance()
        delete_files_after_commit(names)
        return result

    # Never Gif.objects.delete(): a slip there would empty the whole shelf.
    delete.queryset_only = True


def review_flag_labels(flags, note=""):
    """The ReviewFlag values `flags` as labels in the UI's language, “other”
    with what the curator said it is."""
    labels = [label_of(ReviewFlag, flag) for flag in flags]
    if note and ReviewFlag.OTHER in flags:
        labels[flags.index(ReviewFlag.OTHER)] = gettext("Other: %(note)s") % {
            "note": note
        }
    return labels


# Most copied first, then the newest (ids grow with every upload).
POPULARITY = ("-copy_count", "-pk")


def title_from_filename(filename):
    stem = PurePosixPath(filename or "").stem
    words = " ".join(stem.replace("_", " ").replace("-", " ").split())
    return (words[:1].upper() + words[1:])[:120] or gettext("Untitled")


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


# GIFs changed per round of a bulk change: bounds the size of each query.
BULK_CHUNK = 500


# GIFs whose search documents are rebuilt per batch of GifQuerySet.reindex.
REINDEX_BATCH = 500


def rebuild_search_documents(gifs):
    """Fill and save the search documents of the GIFs `gifs`."""
    gifs = list(gifs.with_tags())
    keys = {
        search.fold(name)
        for gif in gifs
        for name in gif.tag_names(vocabularies=search.WORD_VOCABULARIES)
    }
    aliases = {}
    found = TagAlias.objects.filter(target_key__in=keys)
    for key, name in found.values_list("target_key", "name"):
        aliases.setdefault(key, []).append(name)
    for gif in gifs:
        gif.fill_search_document(aliases)
    Gif.objects.bulk_update(
        gifs, ["search_tags", "search_title", "search_body", "search_facets"]
    )


def change_appropriateness_of(ids, *, by, add, remove):
    """The work of GifQuerySet.change_appropriateness for the GIFs `ids`;
    `add` and `remove` map tag ids to tags. Returns how many changed."""
    through = AppropriatenessTaggedGif.objects
    before = {pk: {} for pk in ids}
    rows = through.filter(content_object__in=ids).values_list(
        "content_object", "tag", "tag__name"
    )
    for gif_id, tag_id, name in rows:
        before[gif_id][tag_id] = name
    to_add, to_remove, events = [], [], []
    for gif_id, tags in before.items():
        added = [tag for pk, tag in add.items() if pk not in tags]
        removed = [tag for pk, tag in remove.items() if pk in tags]
        if not (added or removed):
            continue
        to_add.extend(
            AppropriatenessTaggedGif(content_object_id=gif_id, tag=tag) for tag in added
        )
        if removed:
            to_remove.append(gif_id)
        after = {**tags, **{tag.pk: tag.name for tag in added}}
        for tag in removed:
            after.pop(tag.pk)
        events.append(
            GifEvent(
                gif_id=gif_id,
                actor=by,
                action=GifEvent.Action.EDITED,
                changes={
                    "appropriateness": {
                        "from": sorted(tags.values()),
                        "to": sorted(after.values()),
                    }
                },
                details={
                    "tags": {
                        "added": sorted(tag.name for tag in added),
                        "removed": sorted(tag.name for tag in removed),
                    }
                },
            )
        )
    through.bulk_create(to_add, ignore_conflicts=True)
    if to_remove and remove:
        through.filter(content_object__in=to_remove, tag__in=list(remove)).delete()
    GifEvent.objects.bulk_create(events)
    changed = [event.gif_id for event in events]
    if changed:
        Gif.objects.filter(pk__in=changed).reindex(announce=False)
    return len(changed)


def describe_tag_change(added, removed):
    """“Added “Playful”. Removed “Celebratory”, “Money question”.” from two
    lists of tag names, in the UI's language."""

    def names(tags):
        return ", ".join(quoted(name) for name in sorted(tags))

    parts = []
    if added:
        parts.append(gettext("Added %(tags)s.") % {"tags": names(added)})
    if removed:
        parts.append(gettext("Removed %(tags)s.") % {"tags": names(removed)})
    return " ".join(parts)


def description_gaps(alt_text, tagged):
    """What approval needs that a GIF's description lacks, as
    [(form field, code, sentence)]: alt text, and a mood or situation tag.
    The model refuses on the first; the review page marks them all."""
    gaps = []
    if not alt_text.strip():
        gaps.append(
            (
                "alt_text",
                "missing_alt_text",
                gettext("Add alt text before approving: describe what the GIF shows."),
            )
        )
    if not tagged:
        gaps.append(
            (
                "mood",
                "missing_tags",
                gettext("Add at least one mood or situation tag before approving."),
            )
        )
    return gaps


class Gif(ReadInReadersLanguage, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETIRED = "retired", _("Retired")

    class Format(models.TextChoices):
        GIF = "gif", "GIF"
        PNG = "png", "PNG"
        APNG = "apng", _("Animated PNG")
        WEBP = "webp", "WebP"
        JPEG = "jpeg", "JPEG"

    PUBLIC_STATUSES = (Status.APPROVED, Status.RETIRED)
    # The words curators edit: the edit form, the API's PATCH and its schema.
    TEXT_FIELDS = (
        "title",
        "alt_text",
        "use_when",
        "avoid_when",
        "use_when_ru",
        "avoid_when_ru",
        "alt_text_ru",
    )
    TAG_FIELDS = ("mood", "situation", "appropriateness")
    RENDITIONS = {
        # rendition name in the public URL -> (file field, extension)
        "still": ("first_still", "png"),
        "last": ("last_still", "png"),
        "preview": ("preview", "webp"),
    }

    # 122 random bits: a public link cannot be guessed from another one.
    public_id = models.UUIDField(
        _("public id"), default=uuid.uuid4, unique=True, editable=False
    )
    title = models.CharField(_("title"), max_length=120)
    alt_text = models.CharField(
        _("alt text"),
        max_length=500,
        blank=True,
        help_text=_("What the GIF shows, for people who cannot see it."),
    )
    # Copied into Russian conversations, where a screen reader should not
    # read English out; approval still asks for the English one only.
    alt_text_ru = models.CharField(
        _("alt text (in Russian)"),
        max_length=500,
        blank=True,
        help_text=_("What Russian readers get; empty: they get the English alt text."),
    )
    use_when = models.TextField(_("use when"), blank=True, validators=NOTE_LIMIT)
    avoid_when = models.TextField(_("avoid when"), blank=True, validators=NOTE_LIMIT)
    use_when_ru = models.TextField(
        _("use when (in Russian)"),
        blank=True,
        validators=NOTE_LIMIT,
        help_text=_("What Russian readers see; empty: they see the English note."),
    )
    avoid_when_ru = models.TextField(
        _("avoid when (in Russian)"),
        blank=True,
        validators=NOTE_LIMIT,
        help_text=_("What Russian readers see; empty: they see the English note."),
    )

    original = models.FileField(_("original"), max_length=200, editable=False)
    first_still = models.FileField(_("first still"), max_length=200, editable=False)
    last_still = models.FileField(_("last still"), max_length=200, editable=False)
    preview = models.FileField(_("preview"), max_length=200, editable=False)

    format = models.CharField(_("format"), max_length=8, choices=Format, editable=False)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    frames = models.PositiveIntegerField(_("frames"), editable=False)
    duration_ms = models.PositiveIntegerField(
        _("duration (ms)"),
        editable=False,
        help_text=_("One loop as browsers play it."),
    )
    loops = models.PositiveIntegerField(
        _("loops"),
        editable=False,
        help_text=_("How many times it plays; 0 means forever."),
    )
    byte_size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True, editable=False)

    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status,
        default=Status.PENDING,
        db_index=True,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="uploads",
        verbose_name=_("uploaded by"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    watched_to_end_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("watched to the end by"),
    )
    watched_to_end_at = models.DateTimeField(
        _("watched to the end at"), null=True, blank=True
    )
    # A team lead took it down: retired, and its files answer 410 Gone.
    taken_down_at = models.DateTimeField(null=True, blank=True, editable=False)
    taken_down_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    review_flags = models.JSONField(
        default=list, blank=True, help_text="ReviewFlag values the curator set."
    )
    review_note = models.CharField(
        max_length=300, blank=True, help_text="What “other” means here."
    )

    # Checks run at upload.
    flash_risk = models.BooleanField(_("flash risk"), default=False, editable=False)
    flash_red = models.BooleanField(default=False, editable=False)
    flash_per_second = models.PositiveSmallIntegerField(
        _("flashes per second"), default=0, editable=False
    )
    frame_hashes = models.JSONField(default=list, editable=False)
    # One 256-bit detail hash for each of frame_hashes (imaging.detail_hashes);
    # empty for a GIF uploaded before they existed and not yet hashed again
    # (manage.py rehash_frames): its frames are compared on frame_hashes alone.
    frame_details = models.JSONField(default=list, editable=False)
    filmstrip = models.JSONField(
        default=list, editable=False, help_text="[{frame, at_ms, name}]"
    )
    # The filmstrip frame a still card shows when it is not the first (an
    # animation that fades in starts empty); None: the first still.
    poster_frame = models.PositiveIntegerField(null=True, blank=True, editable=False)
    near_duplicates = models.ManyToManyField("self", blank=True, editable=False)

    # The search document, casefolded; see library/search.py.
    search_tags = models.TextField(blank=True, default="", editable=False)
    search_title = models.TextField(blank=True, default="", editable=False)
    search_body = models.TextField(blank=True, default="", editable=False)
    search_facets = models.TextField(blank=True, default="", editable=False)
    copy_count = models.PositiveIntegerField(default=0, editable=False)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    mood = TaggableManager(
        _("moods"), through=MoodTaggedGif, blank=True, related_name="gifs"
    )
    situation = TaggableManager(
        _("situations"), through=SituationTaggedGif, blank=True, related_name="gifs"
    )
    appropriateness = TaggableManager(
        _("unsuitable for"),
        through=AppropriatenessTaggedGif,
        blank=True,
        related_name="gifs",
    )

    objects = GifQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        # The model's own name: "GIF" and "GIFs" elsewhere are capitalised.
        verbose_name = pgettext_lazy("model", "GIF")
        verbose_name_plural = pgettext_lazy("model", "GIFs")
        indexes = [
            # The shelf as the picker opens it, most copied first.
            models.Index(
                F("copy_count").desc(), F("id").desc(), name="library_gif_popular"
            )
        ]
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
        return self.status in self.PUBLIC_STATUSES and not self.taken_down

    @property
    def taken_down(self):
        return self.taken_down_at is not None

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
    def poster_path(self):
        """What a card shows still: the first frame, or the first with
        something to see (poster_frame)."""
        if self.poster_frame is None:
            return self.still_path
        return reverse(
            "public_frame",
            kwargs={"public_id": self.public_id, "frame": self.poster_frame},
        )

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
        names = [field.name for field in fields if field]
        return names + [frame["name"] for frame in self.filmstrip]

    def filmstrip_frames(self):
        """The filmstrip with each frame's public path, for templates."""
        return [
            {
                **frame,
                "path": reverse(
                    "public_frame",
                    kwargs={"public_id": self.public_id, "frame": frame["frame"]},
                ),
                "is_last": frame["frame"] == self.frames - 1,
            }
            for frame in self.filmstrip
        ]

    def choose_poster(self):
        """Pick the poster frame from the stored filmstrip, for a GIF analysed
        before posters were chosen; True if it changed. Raises OSError when
        a filmstrip file cannot be read."""
        storage = media_storage()
        pngs = {}
        for entry in self.filmstrip:
            with storage.open(entry["name"], "rb") as file:
                pngs[entry["frame"]] = file.read()
        chosen = (imaging.poster_frame_of_pngs(pngs) if pngs else 0) or None
        if chosen == self.poster_frame:
            return False
        Gif.objects.filter(pk=self.pk).update(poster_frame=chosen)
        self.poster_frame = chosen
        return True

    def hash_frames_again(self):
        """Hash every frame again from the original file (perceptual and
        detail hashes) and find this GIF's near-duplicates anew; gives how
        many links it (so its near-duplicates too) gained and lost. Raises
        OSError when the file cannot be read, and imaging.ImageRefused when
        it no longer opens within the limits."""
        with media_storage().open(self.original.name, "rb") as file:
            data = file.read()
        hashes, details = imaging.frame_signatures(data, upload_limits())
        self.frame_hashes = [f"{value:016x}" for value in hashes]
        self.frame_details = [f"{value:064x}" for value in details]
        before = set(self.near_duplicates.values_list("pk", flat=True))
        found = set(self.find_near_duplicates())
        with transaction.atomic():
            Gif.objects.filter(pk=self.pk).update(
                frame_hashes=self.frame_hashes, frame_details=self.frame_details
            )
            # Symmetrical: the other GIFs' links to this one follow. Only what
            # changed is written: a link an upload made meanwhile is kept.
            self.near_duplicates.remove(*(before - found))
            self.near_duplicates.add(*(found - before))
        return len(found - before), len(before - found)

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
            self.filmstrip = []
            for frame in analysis.filmstrip:
                saved = storage.save(
                    f"{folder}/{self.public_id.hex}-frame-{frame.index}.png",
                    ContentFile(frame.png),
                )
                stored.append(saved)
                self.filmstrip.append(
                    {"frame": frame.index, "at_ms": frame.at_ms, "name": saved}
                )
        except BaseException:
            delete_files(stored)
            raise
        return stored

    def rebuild_renditions(self, names):
        """Render the renditions among `names` again from the original and
        store them under the same names: for files lost from storage.

        Raises ImageRefused if the original cannot be rendered any more.
        """
        storage = media_storage()
        with storage.open(self.original.name, "rb") as original:
            data = original.read()
        # It was accepted once: decode it within what it is, whatever the
        # limits say today.
        limits = upload_limits()
        pixels = self.width * self.height
        analysis = imaging.analyse(
            data,
            imaging.Limits(
                max_bytes=max(limits.max_bytes, len(data)),
                max_pixels=max(limits.max_pixels, pixels),
                max_frames=max(limits.max_frames, self.frames),
                max_total_pixels=max(limits.max_total_pixels, pixels * self.frames),
            ),
        )
        frames = {frame.index: frame.png for frame in analysis.filmstrip}
        renditions = {
            self.first_still.name: analysis.first_still,
            self.last_still.name: analysis.last_still,
            self.preview.name: analysis.preview,
            **{entry["name"]: frames.get(entry["frame"]) for entry in self.filmstrip},
        }
        for name in names:
            if renditions.get(name) is None:
                raise ImageRefused(f"{name} is not a rendition this file still has.")
            saved = storage.save(name, ContentFile(renditions[name]))
            if saved != name:
                storage.delete(saved)
                raise ImageRefused(f"The storage would not write {name} again.")

    # --- Review -----------------------------------------------------------

    @property
    def watch_ms(self):
        """How long a reviewer must watch: one loop; nothing for a still."""
        return self.duration_ms if self.is_animated else 0

    @property
    def flags(self):
        """Review flags plus "flashing" when the upload check found it."""
        flags = list(self.review_flags)
        if self.flash_risk and ReviewFlag.FLASHING not in flags:
            flags.append(ReviewFlag.FLASHING.value)
        return flags

    @property
    def display_use_when(self):
        """The "use when" note in the UI's language, each note falling back
        to the English on its own: an English warning beats none."""
        return self.in_readers_language("use_when")

    @property
    def display_avoid_when(self):
        return self.in_readers_language("avoid_when")

    @property
    def display_alt_text(self):
        """The alt text in the UI's language, falling back to the English:
        what `alt` attributes and the picker's copied images carry."""
        return self.in_readers_language("alt_text")

    @property
    def english_fallbacks(self):
        """Which of its words this reader gets in English for want of Russian
        ("use_when", "avoid_when", "alt_text"): templates mark them lang="en"."""
        return {
            field
            for field in ("use_when", "avoid_when", "alt_text")
            if self.reaches_reader_in_english(field)
        }

    @property
    def title_in_english(self):
        """Whether its title reaches this reader as English on a Russian page.
        A title has no Russian twin and is English on the shelf; pages mark
        it lang="en" (WCAG 3.1.2), as they mark the English fallbacks. A
        title a team wrote in Russian is left as the page's language."""
        return (
            in_russian()
            and bool(LATIN_LETTER.search(self.title))
            and not CYRILLIC_LETTER.search(self.title)
        )

    @property
    def title_html(self):
        """The title for inside a sentence of the page's language: marked
        lang="en" where title_in_english says so, escaped either way."""
        if self.title_in_english:
            return format_html('<span lang="en">{}</span>', self.title)
        return conditional_escape(self.title)

    @property
    def guidance(self):
        """How to use it: the GIF's own note, else its first tag's guidance."""
        source = self.guidance_source
        return guidance_text(source) if source else ""

    @property
    def guidance_html(self):
        """guidance as HTML, English notes on Russian pages marked lang="en"."""
        source = self.guidance_source
        return guidance_markup(source) if source else ""

    @property
    def guidance_source(self):
        """Whose notes say how to use it: the GIF's, else its first tag's
        with any."""

        def owners():
            yield self
            for vocabulary in ("situation", "mood"):  # read only when needed
                yield from self.tags_of(vocabulary)

        for owner in owners():
            if next(guidance_sentences(owner), None):
                return owner
        return None

    def warnings(self, context=None):
        """What an agent must see before sending it, as short sentences."""
        found = []
        if self.flash_risk:
            found.append(
                ngettext(
                    "Flash risk: it flashes %(count)d time a second.",
                    "Flash risk: it flashes %(count)d times a second.",
                    self.flash_per_second,
                )
                % {"count": self.flash_per_second}
            )
        if context is not None:
            found.extend(context.warnings_for(self))
        found.extend(
            gettext("Review flag: %(flag)s.") % {"flag": label}
            for label in self.review_flag_labels()
        )
        return found

    def review_flag_labels(self):
        return review_flag_labels(self.review_flags, self.review_note)

    def start_review(self, *, by, again=False):
        """Start `by`'s review clock, unless their page saw the GIF through;
        `again` starts it over all the same (the page was hidden meanwhile,
        so the loop that played then was not seen).

        Time since the last start is not enough to keep a watch: a reviewer
        who left the page before the end and comes back later has not seen
        the end, so the clock starts over.
        """
        playback, created = Playback.objects.get_or_create(gif=self, reviewer=by)
        if not created and (again or not playback.seen_to_end):
            playback.started_at = timezone.now()
            playback.stepped_to_end_at = None
            playback.played_to_end_at = None
            playback.save(
                update_fields=["started_at", "stepped_to_end_at", "played_to_end_at"]
            )
        return playback

    def open_review(self, *, by):
        """`by`'s review page opened on the GIF without playing it (flash
        risk, or reduced motion with a filmstrip of only some frames): a watch
        an earlier visit left unfinished is voided, and no clock runs until the
        page starts one when the reviewer presses play. Returns whether `by`'s
        page saw the GIF through before, which keeps.
        """
        unfinished = Playback.objects.filter(
            gif=self, reviewer=by, played_to_end_at=None, stepped_to_end_at=None
        )
        unfinished.delete()
        return Playback.objects.filter(gif=self, reviewer=by).exists()

    def record_watched_end(self, *, by):
        """The review page saw one whole loop while in view: the watch holds
        when the page is opened again (after a refused decision, say)."""
        playback = Playback.objects.filter(gif=self, reviewer=by).first()
        if playback is None:
            raise ReviewError(
                gettext("Open the review page first."), code="not_started"
            )
        if self.watched_through(playback) is None:
            raise ReviewError(
                gettext("Watch the GIF to its end before approving it."),
                code="not_watched",
            )
        playback.played_to_end_at = timezone.now()
        playback.save(update_fields=["played_to_end_at"])
        return playback.played_to_end_at

    def record_filmstrip_end(self, *, by):
        """Reduced motion: stepping through the filmstrip counts as watching,
        if it took as long as a person needs to look at every frame."""
        playback = Playback.objects.filter(gif=self, reviewer=by).first()
        if playback is None:
            raise ReviewError(
                gettext("Open the review page first."), code="not_started"
            )
        if len(self.filmstrip) < self.frames:
            # A sample of evenly spaced frames: what lies between is unseen.
            raise ReviewError(
                gettext(
                    "The filmstrip shows only some of this GIF's frames: play it "
                    "once to its end before approving it."
                ),
                code="not_watched",
            )
        now = timezone.now()
        steps = max(len(self.filmstrip) - 1, 0)
        if now < playback.started_at + timedelta(milliseconds=STEP_MS * steps):
            raise ReviewError(
                gettext(
                    "Step through every frame of the filmstrip before approving it."
                ),
                code="not_watched",
            )
        playback.stepped_to_end_at = now
        playback.save(update_fields=["stepped_to_end_at"])
        return now

    def watched_through(self, playback, now=None):
        """When `playback` reached the GIF's end, or None if it has not yet."""
        if playback.stepped_to_end_at:
            return playback.stepped_to_end_at
        ends_at = playback.started_at + timezone.timedelta(milliseconds=self.watch_ms)
        now = now or timezone.now()
        tolerance = timezone.timedelta(milliseconds=WATCH_TOLERANCE_MS)
        return ends_at if now >= ends_at - tolerance else None

    def own_upload_of(self, user):
        """Whether `user` uploaded it and so leaves approving it to another
        curator (unless self-approval is on, for a one-curator team)."""
        return (
            self.uploaded_by_id == user.pk and not settings.GIFSHELF_ALLOW_SELF_APPROVAL
        )

    def approvable_by(self, user):
        """Whether `user` may approve it once watched (what approve() checks
        before the watch). The review page runs its watch clock only then."""
        return self.status == self.Status.PENDING and not self.own_upload_of(user)

    def check_status(self, expected):
        if self.status != expected:
            raise self.state_refusal()

    def approve(self, *, by, acknowledge_flashing=False, flags=(), note=""):
        """Approve after the checks of rule 2: watched to its end, described."""
        self.check_status(self.Status.PENDING)
        if self.own_upload_of(by):
            raise ReviewError(
                gettext("You uploaded this GIF, so another curator must approve it."),
                code="own_upload",
            )
        if ReviewFlag.PUBLIC_FIGURE in flags:
            # Rule 8: support conversations stay out of politics, religion and
            # public figures entirely; no context or warning makes it safe.
            # Said before the watch: rejecting needs none.
            raise ReviewError(
                gettext(
                    "You flagged politics or a public figure: support "
                    "conversations stay out of those entirely, so reject it "
                    "instead."
                ),
                code="public_figure",
            )
        playback = Playback.objects.filter(gif=self, reviewer=by).first()
        if playback is None:
            # The page starts the clock as the GIF plays: only a script (or a
            # page without JavaScript) gets here, and the API says how.
            raise ReviewError(
                gettext("Watch the GIF to its end before approving it."),
                code="not_started",
            )
        watched_at = self.watched_through(playback)
        if watched_at is None:
            raise ReviewError(
                gettext("Watch the GIF to its end before approving it."),
                code="not_watched",
            )
        tagged = self.mood.exists() or self.situation.exists()
        for _field, code, sentence in description_gaps(self.alt_text, tagged):
            raise ReviewError(sentence, code=code)
        if self.flash_risk and not acknowledge_flashing:
            raise ReviewError(
                ngettext(
                    "This GIF flashes %(count)d time a second, a risk for people "
                    "with photosensitive epilepsy. Tick the acknowledgement to "
                    "approve it anyway.",
                    "This GIF flashes %(count)d times a second, a risk for people "
                    "with photosensitive epilepsy. Tick the acknowledgement to "
                    "approve it anyway.",
                    self.flash_per_second,
                )
                % {"count": self.flash_per_second},
                code="flashing_not_acknowledged",
            )
        self._decide(
            by,
            self.Status.APPROVED,
            GifEvent.Action.APPROVED,
            flags=flags,
            note=note,
            watched_to_end_by=by,
            watched_to_end_at=watched_at,
            details={"flash_risk_acknowledged": True} if self.flash_risk else {},
        )

    def reject(self, *, by, reason, flags=(), note=""):
        reason = (reason or "").strip()
        if not reason:
            raise ReviewError(
                gettext("Say why you reject it: the uploader sees the reason."),
                code="missing_reason",
            )
        self.check_status(self.Status.PENDING)
        self._decide(
            by,
            self.Status.REJECTED,
            GifEvent.Action.REJECTED,
            flags=flags,
            note=note,
            rejection_reason=reason,
            summary=reason,
        )

    def _decide(
        self, by, status, action, *, flags, note, summary="", details=None, **fields
    ):
        now = timezone.now()
        fields.update(
            status=status,
            reviewed_by=by,
            reviewed_at=now,
            review_flags=[ReviewFlag(flag).value for flag in flags],
            review_note=note.strip() if ReviewFlag.OTHER in flags else "",
            updated_at=now,
        )
        with transaction.atomic():
            # Only the first of two curators acting at once changes the row.
            changed = Gif.objects.filter(pk=self.pk, status=self.status).update(
                **fields
            )
            if not changed:
                self.refresh_from_db()
                self.check_status(None)
            for name, value in fields.items():
                setattr(self, name, value)
            details = dict(details or {})
            if self.review_flags:
                details["review_flags"] = list(self.review_flags)
                if self.review_note:
                    details["review_note"] = self.review_note
            self.record(action, by=by, summary=summary, details=details)

    def skip(self, *, by):
        ReviewSkip.objects.get_or_create(gif=self, reviewer=by)

    def flag(self, *, by, reason, note=""):
        """An agent reports a problem: the GIF leaves search until reviewed."""
        if self.status != self.Status.APPROVED:
            raise ReviewError(
                gettext("Only GIFs on the shelf can be flagged."),
                code="status_changed",
            )
        try:
            with transaction.atomic():
                flag = AgentFlag.objects.create(
                    gif=self, raised_by=by, reason=reason, note=note.strip()
                )
        except IntegrityError:
            raise ReviewError(
                gettext("You already flagged this GIF; a curator will look at it."),
                code="already_flagged",
            ) from None
        self.record(
            GifEvent.Action.FLAGGED,
            by=by,
            details={"flag": {"reason": flag.reason, "note": flag.note}},
        )
        return flag

    def resolve_flags(self, *, by, resolution):
        return (
            AgentFlag.objects.open()
            .filter(gif=self)
            .update(resolved_at=timezone.now(), resolved_by=by, resolution=resolution)
        )

    def restore(self, *, by, reason=""):
        """A curator finds the flags unfounded: back on the shelf.

        Only resolves open flags; a retired GIF comes back with reinstate().
        """
        with transaction.atomic():
            if not self.resolve_flags(by=by, resolution=AgentFlag.Resolution.RESTORED):
                self.refresh_from_db()
                raise self.flags_refusal()
            self.record(GifEvent.Action.RESTORED, by=by, summary=reason.strip())

    def retire(self, *, by, reason):
        """Off the shelf for good; its public link keeps working."""
        reason = (reason or "").strip()
        if not reason:
            raise ReviewError(gettext("Say why it is retired."), code="missing_reason")
        if self.status != self.Status.APPROVED:
            raise self.state_refusal()
        with transaction.atomic():
            changed = Gif.objects.filter(pk=self.pk, status=self.status).update(
                status=self.Status.RETIRED, updated_at=timezone.now()
            )
            if not changed:
                self.refresh_from_db()
                raise self.state_refusal()
            self.status = self.Status.RETIRED
            self.resolve_flags(by=by, resolution=AgentFlag.Resolution.RETIRED)
            self.record(GifEvent.Action.RETIRED, by=by, summary=reason)

    def take_down(self, *, by, reason):
        """Off the shelf and off the web: every public link answers 410 Gone.

        Works on an approved or a retired GIF; it ends up retired.
        """
        reason = (reason or "").strip()
        if not reason:
            raise ReviewError(
                gettext("Say why it is taken down."), code="missing_reason"
            )
        if self.taken_down or self.status not in self.PUBLIC_STATUSES:
            raise self.state_refusal()
        now = timezone.now()
        fields = dict(
            status=self.Status.RETIRED,
            taken_down_at=now,
            taken_down_by=by,
            updated_at=now,
        )
        with transaction.atomic():
            # Only the first of two leads acting at once changes the row.
            changed = Gif.objects.filter(
                pk=self.pk, status=self.status, taken_down_at__isnull=True
            ).update(**fields)
            if not changed:
                self.refresh_from_db()
                raise self.state_refusal()
            for name, value in fields.items():
                setattr(self, name, value)
            self.resolve_flags(by=by, resolution=AgentFlag.Resolution.RETIRED)
            self.record(GifEvent.Action.TAKEN_DOWN, by=by, summary=reason)

    def reinstate(self, *, by, reason):
        """A team lead brings a retired or taken-down GIF back on the shelf."""
        reason = (reason or "").strip()
        if not reason:
            raise ReviewError(gettext("Say why it comes back."), code="missing_reason")
        if self.status != self.Status.RETIRED:
            raise self.state_refusal()
        after = "takedown" if self.taken_down else "retirement"
        fields = dict(
            status=self.Status.APPROVED,
            taken_down_at=None,
            taken_down_by=None,
            updated_at=timezone.now(),
        )
        with transaction.atomic():
            changed = Gif.objects.filter(
                pk=self.pk, status=self.status, taken_down_at=self.taken_down_at
            ).update(**fields)
            if not changed:
                self.refresh_from_db()
                raise self.state_refusal()
            for name, value in fields.items():
                setattr(self, name, value)
            self.record(
                GifEvent.Action.REINSTATED,
                by=by,
                summary=reason,
                details={"reinstated_after": after},
            )

    def reopen(self, *, by, reason):
        """A curator or team lead sends a rejected GIF back to the review
        queue: a rejection can be a mistake, and the same file uploaded again
        is refused as a duplicate, so this is the only way back."""
        reason = (reason or "").strip()
        if not reason:
            raise ReviewError(
                gettext("Say why it deserves another look."), code="missing_reason"
            )
        if self.status == self.Status.PENDING:
            raise ReviewError(
                gettext(
                    "“%(title)s” is already waiting for review; nothing was changed."
                )
                % {"title": self.title},
                code="status_changed",
            )
        if self.status != self.Status.REJECTED:
            raise self.state_refusal()
        # The rejection stays in the history; the GIF is undecided again.
        fields = dict(
            status=self.Status.PENDING,
            reviewed_by=None,
            reviewed_at=None,
            rejection_reason="",
            review_flags=[],
            review_note="",
            updated_at=timezone.now(),
        )
        with transaction.atomic():
            changed = Gif.objects.filter(pk=self.pk, status=self.status).update(
                **fields
            )
            if not changed:
                self.refresh_from_db()
                raise self.state_refusal()
            for name, value in fields.items():
                setattr(self, name, value)
            self.record(GifEvent.Action.REOPENED, by=by, summary=reason)

    @property
    def status_label(self):
        """Its status as a badge shows it: a taken-down GIF is retired, but
        "Retired" alone would hide that its files are gone."""
        if self.taken_down:
            return gettext("Taken down")
        return self.get_status_display()

    def state_event(self):
        """The event that put the GIF in its current state, or None: a
        refusal names whoever did that, not whoever reviewed it once."""
        if self.taken_down:
            actions = [GifEvent.Action.TAKEN_DOWN]
        else:
            actions = {
                self.Status.APPROVED: [
                    GifEvent.Action.APPROVED,
                    GifEvent.Action.REINSTATED,
                ],
                self.Status.REJECTED: [GifEvent.Action.REJECTED],
                self.Status.RETIRED: [GifEvent.Action.RETIRED],
            }.get(self.status)
        return actions and self.latest_event(*actions)

    def state_refusal(self):
        """The 409 of an action the GIF's current state does not allow."""
        if self.status == self.Status.PENDING:
            return ReviewError(
                gettext(
                    "“%(title)s” is still waiting for review, and only approved "
                    "GIFs can be retired, taken down or restored; nothing was "
                    "changed."
                )
                % {"title": self.title},
                code="status_changed",
            )
        event = self.state_event()
        actor = event and event.actor
        values = {
            "title": self.title,
            "status": self.status_label.lower(),
            "user": actor and actor.get_username(),
        }
        if actor:
            message = gettext(
                "“%(title)s” is already %(status)s by %(user)s; nothing was changed."
            )
        else:
            message = gettext("“%(title)s” is already %(status)s; nothing was changed.")
        return ReviewError(message % values, code="status_changed")

    def flags_refusal(self):
        """The 409 of acting on agent flags someone else resolved first,
        naming who: restored to the shelf, retired or taken down."""
        if self.status == self.Status.APPROVED:
            resolved = (
                self.agent_flags.exclude(resolved_at=None)
                .select_related("resolved_by")
                .order_by("-resolved_at", "-pk")
                .first()
            )
            if resolved and resolved.resolution == AgentFlag.Resolution.RESTORED:
                values = {"title": self.title}
                if resolved.resolved_by:
                    values["user"] = resolved.resolved_by.get_username()
                    message = gettext(
                        "“%(title)s” is already restored to the shelf by %(user)s; "
                        "nothing was changed."
                    )
                else:
                    message = gettext(
                        "“%(title)s” is already restored to the shelf; nothing was "
                        "changed."
                    )
                return ReviewError(message % values, code="status_changed")
        # Retired, taken down, or back on the shelf after that: whoever did it.
        return self.state_refusal()

    def latest_event(self, *actions):
        return self.events.filter(action__in=actions).select_related("actor").first()

    def event_in_force(self, action):
        """The latest `action` event (a retirement or a takedown) unless a
        later reinstatement undid it: the page must not show a stale one."""
        latest = self.latest_event(action, GifEvent.Action.REINSTATED)
        return latest if latest and latest.action == action else None

    # --- History and duplicates --------------------------------------------

    def record(self, action, *, by, summary="", changes=None, details=None):
        """Add a line to the history. `summary` is what a person typed (a
        reason), kept as typed; `changes` and `details` hold the rest as
        codes, field and tag names, put into words in the reader's language
        when shown (GifEvent.describe)."""
        event = GifEvent.objects.create(
            gif=self,
            actor=by,
            action=action,
            summary=summary,
            changes=changes or {},
            details=details or {},
        )
        # Every change to an approved or retired GIF is recorded: the search
        # answers cached before it must go. Pending and rejected ones are
        # never shown to the agents whose answers are cached. An approval
        # only adds a GIF, and a review session approves many in a row:
        # answers without it expire within GIFSHELF_SEARCH_CACHE_SECONDS
        # instead of every agent's searches being computed again after each.
        if self.status in self.PUBLIC_STATUSES and action != GifEvent.Action.APPROVED:
            ShelfVersion.advance()
        return event

    def record_copy(self, *, by, format, context=None):
        """Count a copy into a chat: the team's usage, and its favourites.

        Only what agents can find counts: None, and nothing counted, when
        the GIF is not listed (never approved, or flagged or retired since
        the agent saw it).
        """
        copy = Copy(gif_id=self.pk, agent=by, format=format, context=context)
        database = router.db_for_write(Copy)
        if connections[database].vendor == "postgresql":
            # The count and the row in one statement, atomic on its own:
            # BEGIN, UPDATE, INSERT and COMMIT were four round trips, the
            # most of any request agents make (README, "Under load").
            return copy if copy.insert_if_listed(database) else None
        with transaction.atomic(using=database):
            if not Gif.count_copy_if_listed(self.pk):
                return None
            copy.save(using=database)
            return copy

    @classmethod
    def count_listed_sql(cls, pk):
        """An UPDATE adding one copy to GIF `pk` if listed() holds it.

        A plain statement, listed()'s conditions written out: every copy
        runs it, and building listed()'s subquery cost more than the rest
        of the copy (README, "Under load"). tests/test_search.py checks
        that it agrees with listed() for every state a GIF can be in.
        """
        return (
            f"UPDATE {cls._meta.db_table} SET copy_count = copy_count + 1 "
            "WHERE id = %s AND status = %s AND NOT EXISTS (SELECT 1 FROM "
            f"{AgentFlag._meta.db_table} WHERE gif_id = %s AND resolved_at IS NULL)",
            [pk, cls.Status.APPROVED, pk],
        )

    @classmethod
    def count_copy_if_listed(cls, pk):
        """One more copy of GIF `pk` if listed() holds it; whether it did."""
        with connections[router.db_for_write(cls)].cursor() as cursor:
            cursor.execute(*cls.count_listed_sql(pk))
            return cursor.rowcount == 1

    def tags_of(self, vocabulary):
        """The tags of one vocabulary by name, for display: from for_cards()
        when it fetched them."""
        fetched = getattr(self, "card_tags", None)
        if fetched is None:
            return list(getattr(self, vocabulary).all())
        return fetched[vocabulary]

    @property
    def mood_tags(self):
        return self.tags_of("mood")

    @property
    def situation_tags(self):
        return self.tags_of("situation")

    @property
    def appropriateness_tags(self):
        return self.tags_of("appropriateness")

    @property
    def guided_tags(self):
        """Its tags that carry guidance (use when, avoid when): moods, then
        situations, then what it is unsuitable for, as the chips show them."""
        return [
            tag
            for vocabulary in ("mood", "situation", "appropriateness")
            for tag in self.tags_of(vocabulary)
            if tag.guidance
        ]

    def near_duplicates_listed(self):
        """The near-duplicates (pk and status), from for_cards() when there."""
        found = getattr(self, "near_duplicate_list", None)
        return found if found is not None else list(self.near_duplicates.all())

    def tag_names(self, tags=None, vocabularies=search.VOCABULARIES):
        """Every name of every tag of `vocabularies`, in both languages;
        `tags` as tags_by_vocabulary() gives them, else read (or prefetched)."""
        if tags is None:
            tags = {v: getattr(self, v).all() for v in vocabularies}
        return [
            name
            for vocabulary in vocabularies
            for tag in tags[vocabulary]
            for name in tag.names
        ]

    def tags_by_vocabulary(self):
        """This GIF's tags of each vocabulary, read now in one statement."""
        database = self._state.db or router.db_for_read(Gif)
        tags = {vocabulary: [] for vocabulary in search.VOCABULARIES}
        for vocabulary, _gif, tag in card_tags([self.pk], database):
            tags[vocabulary].append(tag)
        return tags

    def refresh_search_document(self):
        """Put the current words and tags (with their aliases) in the index.
        The tags are read once: an upload used to read each vocabulary's
        three times over."""
        tags = self.tags_by_vocabulary()
        keys = {
            search.fold(name) for name in self.tag_names(tags, search.WORD_VOCABULARIES)
        }
        aliases = {}
        found = TagAlias.objects.filter(target_key__in=keys)
        for key, name in found.values_list("target_key", "name"):
            aliases.setdefault(key, []).append(name)
        self.fill_search_document(aliases, tags)
        Gif.objects.filter(pk=self.pk).update(
            search_tags=self.search_tags,
            search_title=self.search_title,
            search_body=self.search_body,
            search_facets=self.search_facets,
        )
        if self.status in self.PUBLIC_STATUSES:
            ShelfVersion.advance()

    def fill_search_document(self, aliases, tags=None):
        """Set the search fields from the GIF's words and tags (`tags` as
        tags_by_vocabulary() gives them, else read or prefetched); `aliases`
        maps a folded tag name to its aliases."""
        if tags is None:
            tags = {v: list(getattr(self, v).all()) for v in search.VOCABULARIES}
        names = self.tag_names(tags, search.WORD_VOCABULARIES)
        extra = [
            alias for name in names for alias in aliases.get(search.fold(name), [])
        ]
        self.search_tags = search.tag_keys([*names, *extra])
        self.search_title = search.words(self.title)
        self.search_body = search.body(self)
        self.search_facets = search.facets(
            (vocabulary, tag.pk)
            for vocabulary in search.VOCABULARIES
            for tag in tags[vocabulary]
        )

    def find_near_duplicates(self):
        """Ids of the GIFs most of whose frames look like most of this one's."""
        # The stored JSON as text: decoding it row by row cost more than
        # comparing (imaging.stored_hashes reads many rows' at once).
        rows = Gif.objects.exclude(pk=self.pk).values_list(
            "pk", Cast("frame_hashes", models.TextField())
        )
        found = imaging.near_duplicates_among(self.frame_hashes, rows.iterator())
        if not found or not self.frame_details:
            return found
        # The detail hashes only ever rule a match out, and only low-detail
        # frames need them: read them for the few GIFs found so far.
        mine = [int(value, 16) for value in self.frame_hashes]
        candidates = Gif.objects.filter(pk__in=found).values_list(
            "pk", "frame_hashes", "frame_details"
        )
        kept = {
            pk
            for pk, hashes, details in candidates
            if imaging.are_near_duplicates(
                mine, [int(value, 16) for value in hashes], self.frame_details, details
            )
        }
        return [pk for pk in found if pk in kept]

    def delete(self, *args, **kwargs):
        names = self.file_names()
        result = super().delete(*args, **kwargs)
        ShelfVersion.advance()
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
        verbose_name = _("member")
        verbose_name_plural = _("members")

    @classmethod
    def enrol(cls, username, role, password=None):
        """Create or update a member and put them in `role` (and only it);
        a deactivated member is let back in."""
        role = cls.Role(role)
        member, created = cls.objects.get_or_create(username=username)
        if password:
            member.set_password(password)
        elif created:
            member.set_unusable_password()
        member.is_active = True
        member.save()
        member.give_role(role)
        return member, created

    def give_role(self, role):
        """Put the member in `role` and only it."""
        role = self.Role(role)
        # Team leads manage vocabularies and guidance in the admin; a superuser
        # given a role keeps the admin whatever the role.
        is_staff = role == self.Role.LEAD or self.is_superuser
        if self.is_staff != is_staff:
            self.is_staff = is_staff
            self.save(update_fields=["is_staff"])
        role_groups = Group.objects.filter(name__in=self.Role.labels)
        self.groups.remove(*role_groups)
        self.groups.add(Group.objects.get(name=role.label))

    @transaction.atomic
    def deactivate(self):
        """Switch the account off: no log-in, sessions end, API tokens are
        revoked. Uploads, reviews and history stay. False if it already was."""
        # Revoked, not only unusable while inactive: brought back later, the
        # member makes new tokens rather than find old ones working again.
        self.api_tokens.unrevoked().update(revoked_at=timezone.now())
        if not self.is_active:
            return False
        self.is_active = False
        self.save(update_fields=["is_active"])
        return True

    @property
    def role(self):
        names = {group.name for group in self.groups.all()}
        for role in reversed(self.Role):
            if role.label in names:
                return role
        return None


class Playback(models.Model):
    """When a reviewer's page started playing a GIF: the review clock."""

    gif = models.ForeignKey(Gif, on_delete=models.CASCADE, related_name="playbacks")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    started_at = models.DateTimeField(default=timezone.now)
    stepped_to_end_at = models.DateTimeField(null=True, blank=True)
    # When the review page said one whole loop played while it was in view.
    played_to_end_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("review playback")
        verbose_name_plural = _("review playbacks")
        constraints = [
            models.UniqueConstraint(
                fields=["gif", "reviewer"], name="one_playback_per_reviewer"
            )
        ]

    def __str__(self):
        return f"{self.reviewer} watching {self.gif} since {self.started_at}"

    @property
    def seen_to_end(self):
        """Whether the reviewer's page saw the end: played or stepped to it."""
        return self.played_to_end_at is not None or self.stepped_to_end_at is not None


class ReviewSkip(models.Model):
    gif = models.ForeignKey(Gif, on_delete=models.CASCADE, related_name="skips")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    skipped_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review skip")
        verbose_name_plural = _("review skips")
        constraints = [
            models.UniqueConstraint(fields=["gif", "reviewer"], name="one_skip")
        ]

    def __str__(self):
        return f"{self.reviewer} skipped {self.gif}"


class AgentFlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class AgentFlag(models.Model):
    """An agent's report that an approved GIF should come off the shelf."""

    class Reason(models.TextChoices):
        CUSTOMER_OFFENDED = "customer_offended", _("A customer was offended")
        BROKEN = "broken", _("Broken or does not load")
        OTHER = "other", _("Other")

    class Resolution(models.TextChoices):
        RESTORED = "restored", _("Restored")
        RETIRED = "retired", _("Retired")

    gif = models.ForeignKey(Gif, on_delete=models.CASCADE, related_name="agent_flags")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True
    )
    reason = models.CharField(max_length=32, choices=Reason)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.CharField(max_length=16, choices=Resolution, blank=True)

    objects = AgentFlagQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("agent's flag")
        verbose_name_plural = _("agents' flags")
        constraints = [
            models.UniqueConstraint(
                fields=["gif", "raised_by"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_flag_per_agent",
            )
        ]

    def __str__(self):
        return f"{self.gif} flagged by {self.raised_by}: {self.describe()}"

    def describe(self):
        return describe_agent_flag(self.reason, self.note)


def describe_agent_flag(reason, note=""):
    """“Broken or does not load: stops at frame 2”, in the UI's language."""
    text = label_of(AgentFlag.Reason, reason)
    return f"{text}: {note}" if note else text


def label_of(choices, value):
    """The label of `value` among `choices`, or the value itself where a
    later version no longer knows it (history keeps old codes)."""
    return str(choices(value).label) if value in choices.values else value


class MemberSession(AbstractBaseSession):
    """A browser's session as Django keeps it, with the member it is logged
    in as in a column of its own (Django keeps that only inside the encoded
    data), so that every request reads its session and its member in one
    statement (library.sessions)."""

    user_id = models.IntegerField(null=True, blank=True)

    class Meta(AbstractBaseSession.Meta):
        db_table = "library_session"

    @classmethod
    def get_session_store_class(cls):
        return sessions.SessionStore


KNOWN_WORDS_SECONDS = 300


class ShelfVersion(models.Model):
    """What agents can find on the shelf, as a token that changes with it.

    One row. Every change to what the search shows an agent (a flag, an
    edit, a retirement, a tag, alias or context change) draws a new random
    token, written after the change or in its transaction, so a search
    answer cached under the old token (library.api) is never served again.
    Approvals and copies leave it alone: a new GIF and the popularity order
    (a tie-breaker) reach cached answers when they expire, after
    GIFSHELF_SEARCH_CACHE_SECONDS at most. Nothing that hides a GIF waits.
    Random rather than counted so that a rolled-back transaction or a
    restored backup can never bring back a token an answer was cached under.
    """

    token = models.BigIntegerField()

    def __str__(self):
        return f"shelf version {self.token:x}"

    @classmethod
    def current(cls):
        """The token, or None where the row is missing (nothing is cached).
        Read before every cached answer: with this request's session where
        that was read from the database (library.sessions), else by a plain
        statement, which costs a fraction of compiling the queryset."""
        if (token := sessions.take_shelf_token()) is not sessions.UNREAD:
            return token
        with connections[router.db_for_read(cls)].cursor() as cursor:
            cursor.execute(f"SELECT token FROM {cls._meta.db_table} WHERE id = 1")
            row = cursor.fetchone()
        return row[0] if row else None

    @classmethod
    def advance(cls):
        sessions.take_shelf_token()  # read before this change: not again
        token = secrets.randbits(62)
        if not cls.objects.filter(pk=1).update(token=token):
            cls.objects.update_or_create(pk=1, defaults={"token": token})


class GifEventQuerySet(models.QuerySet):
    def readable(self):
        """The events as a list, each knowing the names in the reader's
        language of the tags it mentions: a query per vocabulary named, and
        none in English, however long the history."""
        events = list(self)
        if not in_russian():
            return events
        wanted = {}
        for event in events:
            for field, names in event.tag_names_mentioned():
                wanted.setdefault(field, set()).update(names)
        russian = {}
        for field, names in wanted.items():
            vocabulary = Gif._meta.get_field(field).related_model
            rows = vocabulary.objects.filter(name__in=names).exclude(name_ru="")
            russian[field] = dict(rows.values_list("name", "name_ru"))
        for event in events:
            event.tag_translations = russian
        return events


class GifEvent(models.Model):
    """One line of a GIF's history: who did what, when, and what changed."""

    # A tag field's name, in `changes`, and the field the tags of `details`
    # belong to (the appropriateness page changes only those).
    TAG_FIELDS = Gif.TAG_FIELDS
    DETAILS_TAG_FIELD = "appropriateness"

    class Action(models.TextChoices):
        UPLOADED = "uploaded", pgettext_lazy("history", "Uploaded")
        EDITED = "edited", pgettext_lazy("history", "Edited")
        APPROVED = "approved", pgettext_lazy("history", "Approved")
        REJECTED = "rejected", pgettext_lazy("history", "Rejected")
        FLAGGED = "flagged", pgettext_lazy("history", "Flagged")
        RESTORED = "restored", pgettext_lazy("history", "Restored after a flag")
        RETIRED = "retired", pgettext_lazy("history", "Retired")
        TAKEN_DOWN = "taken_down", pgettext_lazy("history", "Taken down")
        REINSTATED = "reinstated", pgettext_lazy("history", "Restored to the shelf")
        REOPENED = "reopened", pgettext_lazy("history", "Reopened for review")

    gif = models.ForeignKey(Gif, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True
    )
    action = models.CharField(max_length=16, choices=Action)
    at = models.DateTimeField(default=timezone.now)
    # What a person typed (a reason), shown as typed. Lines written before
    # `details` existed hold their whole sentence here, in the language of
    # whoever acted.
    summary = models.TextField(blank=True)
    # {field name: {"from": value, "to": value}} of an edit; a tag field's
    # values are lists of tag names. Older lines are keyed by the field's
    # label in their writer's language.
    changes = models.JSONField(default=dict, blank=True)
    # What the software adds, as codes and names, never as sentences, so the
    # history reads in each reader's language (describe()). Keys:
    #   tags: {"added": [names], "removed": [names]}  (bulk tag change)
    #   flash_risk_acknowledged: true                   (approval)
    #   review_flags: [ReviewFlag values], review_note: "what other is"
    #   flag: {"reason": AgentFlag.Reason value, "note": "as typed"}
    #   reinstated_after: "takedown" or "retirement"    (summary: the reason)
    #   in_admin: {"fields": [field names]}              (an edit in the admin)
    details = models.JSONField(default=dict, blank=True)

    objects = GifEventQuerySet.as_manager()

    # {tag field: {name: Russian name}}, filled by GifEventQuerySet.readable:
    # tags are named as they were called then, shown by their Russian name
    # where one is known. A tag renamed or deleted since keeps its old name.
    tag_translations = {}

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("history line")
        verbose_name_plural = _("history lines")
        indexes = [models.Index(fields=["gif", "-at"])]

    def __str__(self):
        return (
            f"{self.get_action_display()} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"
        )

    def describe(self):
        """What happened beyond who did it, as sentences in the reader's
        language: `details` put into words, with `summary` as typed."""
        details, summary = self.details, self.summary
        parts = []
        if flag := details.get("flag"):
            parts.append(describe_agent_flag(flag.get("reason", ""), flag.get("note")))
        if after := details.get("reinstated_after"):
            if after == "takedown":
                sentence = gettext("Back on the shelf after its takedown: %(reason)s")
            else:
                sentence = gettext("Back on the shelf after retirement: %(reason)s")
            parts.append(sentence % {"reason": summary})
            summary = ""
        if in_admin := details.get("in_admin"):
            fields = ", ".join(map(self.field_label, in_admin.get("fields", [])))
            parts.append(gettext("In the admin: %(fields)s") % {"fields": fields})
        if tags := details.get("tags"):
            added, removed = tags.get("added", []), tags.get("removed", [])
            field = self.DETAILS_TAG_FIELD
            parts.append(
                describe_tag_change(
                    self.tag_names(field, added), self.tag_names(field, removed)
                )
            )
        if details.get("flash_risk_acknowledged"):
            parts.append(gettext("Flash risk acknowledged."))
        if summary:
            parts.append(summary)
        if flags := details.get("review_flags"):
            labels = review_flag_labels(flags, details.get("review_note", ""))
            parts.append(gettext("Flags: %(flags)s.") % {"flags": ", ".join(labels)})
        return " ".join(parts)

    def describe_changes(self):
        """[(label, old, new)] of an edit, labels in the reader's language."""

        def shown(field, value):
            if isinstance(value, list):  # tag names
                return ", ".join(sorted(self.tag_names(field, value)))
            return value

        # In the order the GIF's fields come in: PostgreSQL keeps a JSON
        # object's keys in an order of its own. Older lines' labels last.
        order = {field.name: place for place, field in enumerate(Gif._meta.fields)}
        order.update({name: len(order) + n for n, name in enumerate(self.TAG_FIELDS)})
        last = len(order)
        changes = sorted(
            self.changes.items(), key=lambda item: order.get(item[0], last)
        )
        return [
            (
                self.field_label(field),
                shown(field, change.get("from")),
                shown(field, change.get("to")),
            )
            for field, change in changes
        ]

    def tag_names_mentioned(self):
        """[(tag field, names)] of the tags this line names."""
        mentioned = [
            (field, [*change.get("from", []), *change.get("to", [])])
            for field, change in self.changes.items()
            if field in self.TAG_FIELDS and isinstance(change.get("to"), list)
        ]
        if tags := self.details.get("tags"):
            names = [*tags.get("added", []), *tags.get("removed", [])]
            mentioned.append((self.DETAILS_TAG_FIELD, names))
        return mentioned

    def tag_names(self, field, names):
        """The tag names `names` of `field` in the reader's language."""
        translated = self.tag_translations.get(field, {})
        return [translated.get(name, name) for name in names]

    @staticmethod
    def field_label(name):
        """The label of the GIF's field `name` in the reader's language, as
        the edit form shows it; a key that names no field (an older line's
        label, already in words) as it is."""
        try:
            field = Gif._meta.get_field(name)
        except FieldDoesNotExist:
            return name
        verbose_name = getattr(field, "verbose_name", None)
        return str(capfirst(verbose_name)) if verbose_name else name


class TagAlias(models.Model):
    """Another word for a tag: "thanks" and "спасибо" find "Thank you"."""

    name = models.CharField(_("alias"), max_length=100)
    target = models.CharField(
        _("stands for"),
        max_length=100,
        help_text=_("The tag it finds, in any vocabulary, e.g. “Thank you”."),
    )
    target_key = models.CharField(max_length=100, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target", "name"]
        verbose_name = _("tag alias")
        verbose_name_plural = _("tag aliases")
        constraints = [
            models.UniqueConstraint(
                Lower("name"), Lower("target"), name="one_alias_per_tag"
            )
        ]

    def __str__(self):
        return f"{self.name} → {self.target}"

    def save(self, *args, **kwargs):
        previous = TagAlias.objects.filter(pk=self.pk).values_list(
            "target_key", flat=True
        )
        keys = {*previous, search.fold(self.target)}
        self.target_key = search.fold(self.target)
        super().save(*args, **kwargs)
        reindex_tagged(keys)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        reindex_tagged({self.target_key})
        return result


def find_tag(name):
    """The tag of any vocabulary called `name`, whatever its case, or None.

    Compared in Python: SQLite ignores case for ASCII letters only, and the
    vocabularies are small.
    """
    wanted = search.fold(name)
    for model in VOCABULARY_MODELS.values():
        for tag in model.objects.all():
            if wanted in {search.fold(each) for each in tag.names}:
                return tag
    return None


def whole_tag_facets(phrase):
    """The facet tokens of the tags `phrase` names whole, by either of their
    names or by an alias: the GIFs holding one are whole-tag matches. One
    statement, over the vocabularies and aliases (a few hundred rows)."""
    parts = [
        f"SELECT %s, id, name, name_ru FROM {VOCABULARY_MODELS[name]._meta.db_table}"
        for name in search.WORD_VOCABULARIES
    ]
    parts.append(f"SELECT %s, id, name, target_key FROM {TagAlias._meta.db_table}")
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), [*search.WORD_VOCABULARIES, "alias"])
        rows = cursor.fetchall()
    targets = {phrase} | {
        key
        for kind, _, name, key in rows
        if kind == "alias" and search.fold(name) == phrase
    }
    return {
        search.facet(kind, pk)
        for kind, pk, *names in rows
        if kind != "alias" and any(search.fold(name) in targets for name in names)
    }


def reindex_tagged(keys):
    """Rebuild the search documents of GIFs carrying any tag named in `keys`."""
    for key in keys:
        if tag := find_tag(key):
            tag.tagged_gifs().reindex()


class ConversationContextQuerySet(models.QuerySet):
    def with_rules(self):
        """Contexts knowing the ids of the tags each hides and warns about,
        read for all of them in one statement: the picker asks on every
        search, and prefetching the tags themselves costs more."""
        clone = self._chain()
        clone._iterable_class = ContextRulesIterable
        return clone


def read_context_rules(contexts, db):
    by_pk = {context.pk: context for context in contexts}
    parts = []
    for rule in CONTEXT_RULES:
        field = ConversationContext._meta.get_field(rule)
        parts.append(
            f"SELECT %s, {field.m2m_column_name()}, {field.m2m_reverse_name()} "
            f"FROM {field.m2m_db_table()} WHERE {field.m2m_column_name()} IN ({{}})"
        )
    marks = ", ".join(["%s"] * len(by_pk))
    statement = " UNION ALL ".join(part.format(marks) for part in parts)
    params = [value for rule in CONTEXT_RULES for value in (rule, *by_pk)]
    for context in contexts:
        context.rule_tag_ids = {rule: set() for rule in CONTEXT_RULES}
    with connections[db].cursor() as cursor:
        cursor.execute(statement, params)
        for rule, context_pk, tag_pk in cursor.fetchall():
            by_pk[context_pk].rule_tag_ids[rule].add(tag_pk)


CONTEXT_RULES = ("hides", "warns")


class ContextRulesIterable(AttachingIterable):
    attach = staticmethod(read_context_rules)


def next_context_position():
    """A new context's place: after every other one, so adding one never
    moves the contexts agents already know, unless a lead places it."""
    last = ConversationContext.objects.aggregate(last=Max("position"))["last"]
    return 0 if last is None else min(last + 1, 32767)


class ConversationContext(ReadInReadersLanguage, models.Model):
    """A kind of conversation and what it rules out (rules 4 to 8)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(
        _("address in links"),
        max_length=80,
        unique=True,
        help_text=_(
            "Agents' sessions and the API name the context by it: it is set "
            "once, when the context is added, and never changes."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    name_ru = models.CharField(_("name in Russian"), max_length=80, blank=True)
    description_ru = models.TextField(_("description in Russian"), blank=True)
    hides = models.ManyToManyField(
        AppropriatenessTag,
        blank=True,
        related_name="hidden_in",
        help_text=_("GIFs with any of these tags do not show in this context."),
    )
    warns = models.ManyToManyField(
        AppropriatenessTag,
        blank=True,
        related_name="warned_in",
        help_text=_("GIFs with these tags show, with a warning."),
    )
    hides_every_gif = models.BooleanField(
        _("no GIF at all"),
        default=False,
        help_text=_(
            "The house rules send no GIF in this kind of conversation (a first "
            "contact, a formal customer: rules 4 and 5). The picker shows none "
            "and says why."
        ),
    )
    position = models.PositiveSmallIntegerField(
        _("place in the picker"), default=next_context_position
    )

    objects = ConversationContextQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("conversation context")
        verbose_name_plural = _("conversation contexts")

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        """The name in the UI's language."""
        return self.in_readers_language("name")

    @property
    def display_description(self):
        return self.in_readers_language("description")

    def tag_ids(self, rule):
        """The ids of the tags this context `rule`s ("hides" or "warns"):
        from with_rules() when it read them."""
        read = getattr(self, "rule_tag_ids", None)
        if read is not None:
            return read[rule]
        return set(getattr(self, rule).values_list("pk", flat=True))

    def rules_out(self, gif):
        """Why `gif` must not be sent in this kind of conversation, as one
        sentence naming the context (and the tags it hides), or "" when it
        may be. Search leaves such GIFs out already; a preview opened before
        the context changed still shows one (prefetched tags expected)."""
        if self.hides_every_gif:
            return gettext(
                "No GIF in a conversation like this: “%(context_name)s”. The "
                "house rules send none here: do not send this one."
            ) % {"context_name": self.display_name}
        hidden = self.tag_ids("hides")
        tags = [
            tag.display_name.lower()
            for tag in gif.tags_of("appropriateness")
            if tag.pk in hidden
        ]
        if not tags:
            return ""
        if tags == [self.display_name.lower()]:
            # The tag named after the context: naming it again says nothing.
            return gettext(
                "Ruled out for “%(context_name)s”. Do not send it in this conversation."
            ) % {"context_name": self.display_name}
        return gettext(
            "Ruled out for “%(context_name)s”: %(tags)s. Do not send it in "
            "this conversation."
        ) % {"context_name": self.display_name, "tags": ", ".join(tags)}

    def warnings_for(self, gif):
        """The warnings this context puts on `gif` (prefetched tags expected)."""
        warned = self.tag_ids("warns")
        if in_russian():
            return [
                gettext("Careful in this conversation (%(context)s): %(tag)s.")
                % {
                    "context": mid_sentence(self.display_name, twin=self.name),
                    "tag": mid_sentence(tag.display_name, twin=tag.name),
                }
                for tag in gif.tags_of("appropriateness")
                if tag.pk in warned
            ]
        context = mid_sentence(self.name, twin=self.name_ru)
        return [
            f"Careful in {indefinite_article(context)} {context} "
            f"conversation: {mid_sentence(tag.name, twin=tag.name_ru)}."
            for tag in gif.tags_of("appropriateness")
            if tag.pk in warned
        ]


def indefinite_article(phrase):
    """The article before `phrase`, by its sound: an initialism is read letter
    by letter ("an SLA breach", "an FAQ", "a VIP customer")."""
    first = phrase.split(maxsplit=1)[0] if phrase.strip() else ""
    if len(first) > 1 and first.isupper() and first.isalpha():
        return "an" if first[0] in "AEFHILMNORSX" else "a"
    return "an" if first[:1].lower() in "aeiou" else "a"


def mid_sentence(name, twin=""):
    """A name as written inside a sentence: its first letter lower-cased only
    when its first word is an ordinary capitalised word ("Upset customer" →
    "upset customer"). The name stays as written when its first word

    - does not begin with a capital ("iOS", "3D Secure");
    - has a capital or a digit after its first letter ("VIP", "SLA breach",
      "ZenDesk", "B2B customer", "Wi-Fi");
    - appears, capital and all, in the name's other-language `twin` ("Zendesk
      outage" beside "Сбой Zendesk"): a translation carries over only names;
    - is in Latin letters inside a Cyrillic name ("Zendesk недоступен"):
      Russian writes brands and products in Latin.

    Nothing else tells a proper noun from an ordinary word, so "Zendesk
    outage" with no Russian twin reads as "zendesk outage"; writing the twin
    keeps the capital."""
    first = name.split(maxsplit=1)[0] if name.strip() else ""
    if not first[:1].isupper() or any(c.isupper() or c.isdigit() for c in first[1:]):
        return name
    word = re.match(r"[^\W\d_]+", first)[0]
    if twin.strip() != name.strip() and re.search(
        rf"(?<!\w){re.escape(word)}(?!\w)", twin
    ):
        return name
    if word.isascii() and re.search("[а-яё]", name, re.IGNORECASE):
        return name
    return name[:1].lower() + name[1:]


def start_of_day(day):
    """Midnight of `day` in the configured time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Period:
    """The last `days` days in the configured time zone, today included."""

    days: int
    last_day: date

    @classmethod
    def last(cls, days, now=None):
        return cls(days=days, last_day=timezone.localdate(now))

    @property
    def first_day(self):
        return self.last_day - timedelta(days=self.days - 1)

    @property
    def dates(self):
        return [self.first_day + timedelta(days=n) for n in range(self.days)]

    @property
    def start(self):
        return start_of_day(self.first_day)

    @property
    def end(self):
        return start_of_day(self.last_day + timedelta(days=1))


class CopyQuerySet(models.QuerySet):
    """What the team uses, counted in the database for the leads' dashboard."""

    def within(self, period):
        return self.filter(at__gte=period.start, at__lt=period.end)

    def per_day(self, period):
        """[(date, copies)] for every day of `period`, quiet days as 0."""
        counts = dict(
            self.within(period)
            .annotate(day=TruncDate("at"))
            .values("day")
            .annotate(n=Count("pk"))
            .order_by("day")
            .values_list("day", "n")
        )
        return [(day, counts.get(day, 0)) for day in period.dates]

    def top_gifs(self, limit=10):
        """The GIFs copied most: dicts of gif, title, status, taken_down_at,
        copies, last_copied_at."""
        return (
            self.values(
                "gif",
                title=F("gif__title"),
                status=F("gif__status"),
                taken_down_at=F("gif__taken_down_at"),
            )
            .annotate(copies=Count("pk"), last_copied_at=Max("at"))
            .order_by("-copies", "-last_copied_at", "gif")[:limit]
        )

    def by_context(self):
        """Copies per conversation context; those without one under None."""
        return (
            self.values(
                context_name=F("context__name"), context_name_ru=F("context__name_ru")
            )
            .annotate(copies=Count("pk"))
            .order_by("-copies", F("context_name").asc(nulls_last=True))
        )

    def by_mood(self):
        """Copies per mood of the copied GIF. A copy counts once under each of
        its GIF's moods, and under None when the GIF has no mood."""
        return (
            self.values(
                mood_name=F("gif__mood__name"), mood_name_ru=F("gif__mood__name_ru")
            )
            .annotate(copies=Count("pk"))
            .order_by("-copies", F("mood_name").asc(nulls_last=True))
        )

    def per_agent(self):
        """Copies per agent, with their last copy; a departed agent's as None."""
        return (
            self.values("agent", username=F("agent__username"))
            .annotate(copies=Count("pk"), last_copied_at=Max("at"))
            .order_by("-copies", F("username").asc(nulls_last=True))
        )


class Copy(models.Model):
    """One GIF copied into a chat: what the team uses."""

    class Format(models.TextChoices):
        LINK = "link", _("Link")
        RICH = "rich", _("Image")
        MARKDOWN = "markdown", "Markdown"
        DRAG = "drag", _("Dragged")

    gif = models.ForeignKey(Gif, on_delete=models.CASCADE, related_name="copies")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True
    )
    format = models.CharField(max_length=16, choices=Format)
    context = models.ForeignKey(
        ConversationContext, on_delete=models.SET_NULL, null=True, blank=True
    )
    at = models.DateTimeField(default=timezone.now)

    objects = CopyQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("copy")
        verbose_name_plural = _("copies")
        indexes = [
            models.Index(fields=["agent", "-at"]),
            # "Not copied in 90 days" and "last copied": one probe per GIF.
            models.Index(fields=["gif", "-at"], name="copy_gif_recent_idx"),
            # The dashboard's counts over a period read only this index on
            # PostgreSQL (an index-only scan); elsewhere it is an index on `at`.
            # docs/queries.md shows the plans.
            models.Index(
                fields=["at"],
                include=["id", "gif", "agent", "context"],
                name="copy_at_covering_idx",
            ),
        ]
        permissions = [("view_dashboard", "Can see what the team uses")]

    def __str__(self):
        return f"{self.gif} as {self.format} by {self.agent} at {self.at}"

    def insert_if_listed(self, database):
        """PostgreSQL: save this copy and count it on its GIF if the GIF is
        listed, in one statement; whether it was."""
        count, count_params = Gif.count_listed_sql(self.gif_id)
        connection = connections[database]
        # Every column save() would write, so that a field added later is not
        # silently left out of the one statement.
        fields = [f for f in self._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        values = [
            f.get_db_prep_save(f.pre_save(self, True), connection) for f in fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH counted AS ({count} RETURNING id) "
                f"INSERT INTO {self._meta.db_table} ({columns}) "
                f"SELECT {', '.join(['%s'] * len(fields))} FROM counted "
                "RETURNING id",
                [*count_params, *values],
            )
            row = cursor.fetchone()
        if row is None:
            return False
        self.pk = row[0]
        self._state.adding, self._state.db = False, database
        return True


class Favourite(models.Model):
    gif = models.ForeignKey(Gif, on_delete=models.CASCADE, related_name="favourites")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at"]
        verbose_name = _("favourite")
        verbose_name_plural = _("favourites")
        constraints = [
            models.UniqueConstraint(fields=["gif", "agent"], name="one_star_each")
        ]

    def __str__(self):
        return f"{self.agent} ★ {self.gif}"


class Preferences(models.Model):
    """How one agent likes the picker."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    copy_format = models.CharField(
        _("copy with Enter as"),
        max_length=16,
        choices=[c for c in Copy.Format.choices if c[0] != Copy.Format.DRAG],
        default=Copy.Format.LINK,
    )
    animate = models.BooleanField(
        _("play previews"),
        default=True,
        help_text=_("Off: results show stills, and play on hover or focus."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Empty: follow the browser."),
    )

    house_rules_read = models.PositiveIntegerField(
        _("house rules read"),
        default=0,
        editable=False,
        help_text=_("The version of the house rules this member acknowledged."),
    )

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")

    def __str__(self):
        return f"Preferences of {self.user}"

    @classmethod
    def of(cls, user):
        return cls.objects.get_or_create(user=user)[0]

    @classmethod
    def language_of(cls, user):
        """The language `user` chose, or "" to follow the browser."""
        chosen = cls.objects.filter(user=user).values_list("language", flat=True)
        return chosen.first() or ""


NUMBERED_LINE = re.compile(r"^\s*(\d{1,3})[.)]\s+(.*)$")
BULLETED_LINE = re.compile(r"^\s*[-*•]\s+(.*)$")


def text_blocks(text):
    """Plain text as paragraphs and lists, for a template to escape and show.

    A blank line ends a block. A line starting "1." (or "1)") is an item of a
    numbered list, one starting "- " or "* " an item of a bulleted list; any
    other line continues the paragraph or item above it. Nothing in the text
    is ever taken as HTML.
    """
    blocks, current = [], None
    for line in (text or "").splitlines():
        words = line.strip()
        if not words:
            current = None
        elif numbered := NUMBERED_LINE.match(line):
            if current is None or current["kind"] != "numbered":
                start = int(numbered[1])
                current = {"kind": "numbered", "start": start, "items": []}
                blocks.append(current)
            current["items"].append(numbered[2].strip())
        elif bulleted := BULLETED_LINE.match(line):
            if current is None or current["kind"] != "bulleted":
                current = {"kind": "bulleted", "items": []}
                blocks.append(current)
            current["items"].append(bulleted[1].strip())
        elif current is None:
            current = {"kind": "paragraph", "text": words}
            blocks.append(current)
        elif current["kind"] == "paragraph":
            current["text"] += " " + words
        else:
            current["items"][-1] += " " + words
    return blocks


class HouseRules(ReadInReadersLanguage, models.Model):
    """The rules every agent follows, written by the team leads: one row.

    `version` goes up only when a lead says the change matters; each member
    acknowledges a version once (Preferences.house_rules_read), and the
    picker shows the rules to whoever has not read the current one.
    """

    text = models.TextField(
        _("rules"),
        help_text=_(
            "Plain text. A blank line starts a new paragraph; lines starting "
            "“1.”, “2.” … make a numbered list, lines starting “- ” a bulleted one."
        ),
    )
    text_ru = models.TextField(
        _("rules in Russian"),
        blank=True,
        help_text=_("What Russian readers see; empty: they see the English rules."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("house rules")
        verbose_name_plural = _("house rules")

    def __str__(self):
        return gettext("House rules, version %(version)s") % {"version": self.version}

    @classmethod
    def current(cls):
        """The team's rules; an empty, unsaved set before anyone wrote them."""
        return cls.objects.order_by("pk").first() or cls(text="", version=0)

    @property
    def display_text(self):
        """The rules in the UI's language (English when no Russian is written)."""
        return self.in_readers_language("text")

    def revise(self, *, text, by, show_again, text_ru=None):
        """Save new wording; `show_again` shows it once more to every member.
        `text_ru` None keeps the Russian wording as it is."""
        self.text = text
        if text_ru is not None:
            self.text_ru = text_ru
        self.updated_by = by
        if show_again or self.pk is None:
            self.version += 1
        self.save()

    def blocks(self):
        return text_blocks(self.display_text)

    def unread_by(self, preferences):
        """Whether the picker should show the rules to this member first."""
        return bool(self.text.strip()) and preferences.house_rules_read < self.version

    def acknowledge(self, preferences, version):
        """`preferences`' member read `version` (what their page showed)."""
        version = min(version, self.version)
        if version > preferences.house_rules_read:
            preferences.house_rules_read = version
            preferences.save(update_fields=["house_rules_read"])


class ApiTokenQuerySet(models.QuerySet):
    def unrevoked(self):
        return self.filter(revoked_at__isnull=True)

    def live(self):
        """Tokens that still work: not revoked, and not past their expiry."""
        return self.unrevoked().filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )

    def authenticate(self, key):
        """The live token for `key`, or None. Only a hash of it is stored."""
        live = self.live().select_related("user")
        token = live.filter(key_hash=ApiToken.hash(key)).first()
        if token is None or not token.user.is_active:
            return None
        # The profile page shows the minute: a bot's every request need not
        # write the row, only its first in each minute of the clock.
        now = timezone.now()
        this_minute = now.replace(second=0, microsecond=0)
        if token.last_used_at is None or token.last_used_at < this_minute:
            self.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token


class ApiToken(models.Model):
    """A personal token for integrations, sent as `Authorization: Bearer …`."""

    PREFIX = "gs_"

    class Lifetime(models.IntegerChoices):
        """How long a new token works, in days; 0 for until it is revoked."""

        MONTH = 30, _("30 days")
        QUARTER = 90, _("90 days")
        YEAR = 365, _("1 year")
        FOREVER = 0, _("Until I revoke it")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80, help_text=_("What it is for."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # A token left in a forgotten script stops working by itself.
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def hash(key):
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name, lifetime=Lifetime.FOREVER):
        """Create a token that works for `lifetime` days (0: until revoked);
        the key is returned once and never stored."""
        key = cls.PREFIX + secrets.token_urlsafe(32)
        expires_at = timezone.now() + timedelta(days=lifetime) if lifetime else None
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=cls.hash(key),
            hint=key[:8],
            expires_at=expires_at,
        )
        return token, key

    @property
    def expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def revoke(self):
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class LoginFailureQuerySet(models.QuerySet):
    def within_window(self):
        window = timedelta(seconds=settings.GIFSHELF_LOGIN_LOCKOUT_SECONDS)
        return self.filter(at__gt=timezone.now() - window)

    def locked_until(self, username, address):
        """When this account or this address may try again, if either has
        failed too often within the lockout window; None when it may now.

        The same answer whether or not the account exists, so the lockout
        tells nobody which usernames are real.
        """
        window = timedelta(seconds=settings.GIFSHELF_LOGIN_LOCKOUT_SECONDS)
        until = None
        for failures, limit in self.counted_against(username, address):
            times = failures.order_by("-at").values_list("at", flat=True)
            latest = list(times[:limit]) if limit > 0 else []
            if limit > 0 and len(latest) == limit:
                # Locked until the oldest of those failures leaves the window.
                ends = latest[-1] + window
                until = ends if until is None else max(until, ends)
        return until

    def tries_left(self, username, address):
        """How many more failures lock this account or this address, the
        fewer of the two (None when neither limit is set); the same answer
        whether or not the account exists."""
        left = [
            limit - failures.count()
            for failures, limit in self.counted_against(username, address)
            if limit > 0
        ]
        return min(left, default=None)

    def counted_against(self, username, address):
        """[(recent failures, their limit)] for the account, and the address
        when it is known."""
        recent = self.within_window()
        limits = [
            (
                recent.filter(username=LoginFailure.key(username)),
                settings.GIFSHELF_LOGIN_FAILURES_PER_ACCOUNT,
            )
        ]
        if address:
            limits.append(
                (
                    recent.filter(address=address),
                    settings.GIFSHELF_LOGIN_FAILURES_PER_ADDRESS,
                )
            )
        return limits


class LoginFailure(models.Model):
    """One failed log-in, kept for the lockout window to throttle guessing.

    Stored in the database so that every server process sees the same count.
    """

    username = models.CharField(max_length=150)  # as typed, folded; may not exist
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = LoginFailureQuerySet.as_manager()

    class Meta:
        verbose_name = _("login failure")
        verbose_name_plural = _("login failures")
        indexes = [
            models.Index(fields=["username", "at"]),
            models.Index(fields=["address", "at"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self):
        return f"{self.username} from {self.address} at {self.at:%Y-%m-%d %H:%M}"

    @staticmethod
    def key(username):
        return (username or "").strip().casefold()[:150]

    @classmethod
    def record(cls, username, address):
        window = timedelta(seconds=settings.GIFSHELF_LOGIN_LOCKOUT_SECONDS)
        cls.objects.filter(at__lte=timezone.now() - window).delete()
        cls.objects.create(username=cls.key(username), address=address or None)

    @classmethod
    def forget(cls, username):
        """A successful log-in clears the account's count (not the address's)."""
        cls.objects.filter(username=cls.key(username)).delete()


def shelf_changed(sender, **kwargs):
    ShelfVersion.advance()


# Changes made outside the models' own methods (the admin, bulk edits of a
# context's rules) change what agents find all the same.
for sender in (AgentFlag, ConversationContext):
    models.signals.post_save.connect(shelf_changed, sender=sender)
    models.signals.post_delete.connect(shelf_changed, sender=sender)
for rule in CONTEXT_RULES:
    models.signals.m2m_changed.connect(
        shelf_changed, sender=getattr(ConversationContext, rule).through
    )

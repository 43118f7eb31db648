import ipaddress
import math
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    AuthenticationForm,
    UserChangeForm,
)
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from library import search
from library.models import (
    VOCABULARY_MODELS,
    AgentFlag,
    ApiToken,
    AppropriatenessTag,
    ConversationContext,
    Gif,
    GifEvent,
    HouseRules,
    LoginFailure,
    Member,
    MoodTag,
    ReviewFlag,
    SituationTag,
    TagAlias,
    description_gaps,
    find_tag,
    quoted,
)
from library.uploads import oversized_message

VOCABULARY_TITLES = {
    "mood": _("Moods"),
    "situation": _("Situations"),
    "appropriateness": _("Unsuitable for"),
}


class GuidedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes for tags, each with the tag's guidance written beside it
    (templates/library/includes/form_field.html), tied to the box by
    aria-describedby so a screen reader says it too.

    `guidance` maps a choice's value to its text; for model choices the
    tag's own guidance is used.
    """

    guided = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guidance = {}

    def create_option(self, name, value, label, selected, index, **kwargs):
        option = super().create_option(name, value, label, selected, index, **kwargs)
        attrs = option["attrs"]
        tag = getattr(value, "instance", None)
        text = tag.guidance_html if tag is not None else self.guidance.get(value, "")
        option["guidance"] = text
        described = []
        if text and "id" in attrs:
            described.append(f"{attrs['id']}-guidance")
        # Django marks every box of a field in error aria-invalid, but names
        # its error only on the fieldset: a box reached with Tab must say
        # what is wrong too. The error's id is Django's "<field id>_error"
        # (field_help.html), the field's id being the boxes' own without
        # their "_<index>".
        field_id = (kwargs.get("attrs") or {}).get("id")
        if attrs.get("aria-invalid") and field_id:
            described.append(f"{field_id}_error")
        if described:
            attrs["aria-describedby"] = " ".join(described)
        # The field's autofocus (focus_first_error) is for its first box only.
        if index:
            attrs.pop("autofocus", None)
        return option


def split_names(value):
    """Tag names from "a, b" or ["a", "b, c"]: commas separate, spaces do not."""
    if value is None:
        return []
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, list | tuple):
        items = value
    else:
        raise forms.ValidationError(
            gettext("Give tag names as text or a list of text.")
        )
    names = []
    for item in items:
        names.extend(part.strip() for part in str(item).split(",") if part.strip())
    return names


def focus_first_error(*forms):
    """Give the first field in error the autofocus, `forms` in the order the
    page shows them; returns its name, or None.

    A refused form comes back with the focus on what to correct, its error
    read with it (aria-describedby), not on <body> at the top of the page;
    an attribute, so it works without scripts. A field whose widget is
    hidden is drawn by its template, which gives that the focus.
    """
    for form in forms:
        if form is None or not form.is_bound:
            continue
        for name, field in form.fields.items():
            if name in form.errors:
                if not field.widget.is_hidden:
                    give_autofocus(field.widget)
                return name
    return None


def give_autofocus(widget):
    """The autofocus for `widget`; of a group of boxes or radio buttons, for
    its first one only: each option copies the group's attributes, and a
    page may hold one autofocus."""
    widget.attrs["autofocus"] = True
    if not getattr(widget, "option_inherits_attrs", False):
        return
    create_option = widget.create_option
    given = []  # whether an option has it already (grouped ones count "0_0")

    def first_focused(*args, **kwargs):
        option = create_option(*args, **kwargs)
        if given:
            option["attrs"].pop("autofocus", None)
        given.append(True)
        return option

    # This form's own copy of the widget: Django copies fields per form.
    widget.create_option = first_focused


class VocabularyField(forms.Field):
    """Tag names from one vocabulary, as ticked boxes or comma-separated.

    Names match the vocabulary regardless of case; an unknown name is an
    error that lists what the vocabulary holds, so typos never become tags.
    """

    widget = GuidedCheckboxes

    def __init__(self, tag_model, **kwargs):
        self.tag_model = tag_model
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def offer_vocabulary(self):
        tags = list(self.tag_model.objects.all())
        self.widget.choices = [(tag.name, tag.display_name) for tag in tags]
        self.widget.guidance = {tag.name: tag.guidance_html for tag in tags}

    def prepare_value(self, value):
        if isinstance(value, str):
            return split_names(value)
        return [getattr(item, "name", item) for item in value or []]

    def has_changed(self, initial, data):
        try:
            chosen = self.to_python(data)
        except forms.ValidationError:
            return True
        return {tag.pk for tag in chosen} != {tag.pk for tag in initial or []}

    def to_python(self, value):
        names = split_names(value)
        if not names:
            return []
        tags = list(self.tag_model.objects.all())
        # A tag is known by its English or its Russian name.
        known = {name.lower(): tag for tag in tags for name in tag.names}
        unknown = [name for name in names if name.lower() not in known]
        if unknown:
            vocabulary = self.tag_model._meta.verbose_name_plural
            raise forms.ValidationError(
                gettext(
                    "Not in the %(vocabulary)s: %(unknown)s. Choose from: %(known)s."
                )
                % {
                    "vocabulary": vocabulary,
                    "unknown": ", ".join(unknown),
                    "known": ", ".join(tag.display_name for tag in tags),
                }
            )
        chosen = []
        for name in names:
            tag = known[name.lower()]
            if tag not in chosen:
                chosen.append(tag)
        return chosen


def offer_vocabularies(form):
    for field in form.fields.values():
        if isinstance(field, VocabularyField):
            field.offer_vocabulary()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, **kwargs):
        # An empty file is refused per file with its reason, not for the form.
        super().__init__(allow_empty_file=True, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [
                super(MultipleFileField, self).clean(item, initial) for item in data
            ]
        return [super().clean(data, initial)] if data else []


class UploadForm(forms.Form):
    files = MultipleFileField(
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
        label=_("Files"),
        help_text=_("GIF, PNG, animated PNG, WebP or JPEG."),
    )
    title = forms.CharField(
        max_length=120,
        required=False,
        label=_("Title"),
        help_text=_("Leave empty to use each file's name."),
    )
    alt_text = forms.CharField(max_length=500, required=False, label=_("Alt text"))
    mood = VocabularyField(MoodTag, label=_("Mood"))
    situation = VocabularyField(SituationTag, label=_("Situation"))

    def __init__(self, *args, oversized=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.oversized = list(oversized)
        offer_vocabularies(self)

    def clean(self):
        cleaned = super().clean()
        files = cleaned.get("files") or []
        # Errors of the file input, so that it is marked invalid and says why.
        if not files and not self.oversized:
            self.add_error("files", gettext("Choose at least one image to upload."))
        most = settings.GIFSHELF_MAX_FILES_PER_UPLOAD
        if len(files) > most:
            self.add_error(
                "files",
                ngettext(
                    "Upload at most %(count)d file at once.",
                    "Upload at most %(count)d files at once.",
                    most,
                )
                % {"count": most},
            )
        # Files too large were dropped as the request came in, and are
        # reported with the rest once the form is fine. A form refused for
        # something else names them too: everything wrong is learned at once.
        if self.errors:
            for name in self.oversized:
                self.add_error("files", oversized_message(name))
        return cleaned

    def tags(self):
        return {
            "mood": self.cleaned_data["mood"],
            "situation": self.cleaned_data["situation"],
        }

    def shared_fields(self):
        """What was typed for every file, as initial data for the next form."""
        return {
            "title": self.cleaned_data["title"],
            "alt_text": self.cleaned_data["alt_text"],
            "mood": [tag.name for tag in self.cleaned_data["mood"]],
            "situation": [tag.name for tag in self.cleaned_data["situation"]],
        }


def unix_line_breaks(text):
    return text.replace("\r\n", "\n").replace("\r", "\n")


class MultilineField(forms.CharField):
    """Text typed in a textarea, its line breaks kept as \n.

    Browsers send a textarea's line breaks as \r\n. Text written through
    the API or by the demo has \n, so saving it unchanged from the page
    recorded an edit that changed nothing a reader could see.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return unix_line_breaks(value) if isinstance(value, str) else value

    def has_changed(self, initial, data):
        if isinstance(initial, str):
            initial = unix_line_breaks(initial)  # (saved from a page before)
        return super().has_changed(initial, data)


def multiline_text_fields(model_field, **kwargs):
    if isinstance(model_field, models.TextField):
        kwargs.setdefault("form_class", MultilineField)
    return model_field.formfield(**kwargs)


class GifTagsForm(forms.ModelForm):
    """A GIF's tags, ticked from the vocabularies, and what an edit may not
    take away from a GIF on the shelf: the app's edit form and the admin's
    share it, so neither can make a tag out of a typo or a split name."""

    mood = VocabularyField(MoodTag, label=_("Moods"))
    situation = VocabularyField(SituationTag, label=_("Situations"))
    appropriateness = VocabularyField(
        AppropriatenessTag,
        label=_("Unsuitable for"),
        help_text=_("Conversations this GIF must not be used in. Team leads only."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.leave_out_fields()
        offer_vocabularies(self)
        if self.instance.pk:
            for name in Gif.TAG_FIELDS:
                if name in self.fields:
                    self.initial[name] = list(getattr(self.instance, name).all())

    def leave_out_fields(self):
        """Take out the fields this member or this post does not set."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.status == Gif.Status.APPROVED:
            # An edit may not take away what approval required.
            had_alt_text = bool((self.initial.get("alt_text") or "").strip())
            if had_alt_text and not cleaned.get("alt_text", "x").strip():
                self.add_error(
                    "alt_text", gettext("A GIF on the shelf keeps its alt text.")
                )
            had_tags = self.initial.get("mood") or self.initial.get("situation")
            moods, situations = cleaned.get("mood"), cleaned.get("situation")
            if had_tags and moods == [] and situations == []:
                self.add_error(
                    "mood",
                    gettext("A GIF on the shelf keeps a mood or a situation tag."),
                )
        return cleaned


class GifForm(GifTagsForm):
    """Edit a GIF's words and tags; appropriateness only for team leads."""

    class Meta:
        model = Gif
        fields = list(Gif.TEXT_FIELDS)
        formfield_callback = multiline_text_fields
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("use_when", "avoid_when", "use_when_ru", "avoid_when_ru")
        }

    # Added later than the rest: a post made without them (a script, a page
    # opened before they existed) keeps what they hold, not emptied.
    KEPT_WHEN_LEFT_OUT = ("use_when_ru", "avoid_when_ru", "alt_text_ru")

    def __init__(self, *args, user, **kwargs):
        self.user = user
        self.may_set_appropriateness = user.has_perm("library.set_appropriateness")
        super().__init__(*args, **kwargs)

    def leave_out_fields(self):
        if self.is_bound:
            for name in self.KEPT_WHEN_LEFT_OUT:
                if self[name].field.widget.value_omitted_from_data(
                    self.data, self.files, self.add_prefix(name)
                ):
                    del self.fields[name]
        if not self.may_set_appropriateness:
            del self.fields["appropriateness"]

    def check_ready_for_approval(self):
        """Validate, and mark beside the fields what approval needs and they
        lack: alt text, and a mood or situation tag. True if nothing does.

        Gif.approve() checks the same on the saved GIF; checking here first
        keeps the curator's typed details on the page, not half saved."""
        if not self.is_valid():
            return False
        cleaned = self.cleaned_data
        tagged = bool(cleaned["mood"] or cleaned["situation"])
        for field, _code, sentence in description_gaps(cleaned["alt_text"], tagged):
            self.add_error(field, sentence)
        return not self.errors

    def save(self, commit=True):
        """Save the edit and record what changed in the GIF's history."""
        with transaction.atomic():
            gif = super().save(commit=commit)
            if commit:
                self.saved = True
                self.save_tags()
                gif.refresh_search_document()
                if changes := self.changes():
                    gif.record(GifEvent.Action.EDITED, by=self.user, changes=changes)
        return gif

    saved = False

    def has_unsaved_changes(self):
        """Whether the curator typed something that is not saved (yet): a
        refusal after save() must not say the details were lost."""
        return self.has_changed() and not self.saved

    def changes(self):
        """{field name: {"from", "to"}}: the history puts labels to the names
        in each reader's language (GifEvent.describe_changes)."""

        def kept(name, value):
            if isinstance(self.fields[name], VocabularyField):
                return sorted(tag.name for tag in value or [])
            return value or ""

        return {
            name: {
                "from": kept(name, self.initial.get(name)),
                "to": kept(name, self.cleaned_data[name]),
            }
            for name in self.changed_data
        }

    def save_tags(self):
        for name in ("mood", "situation", "appropriateness"):
            if name in self.fields and name in self.cleaned_data:
                getattr(self.instance, name).set(self.cleaned_data[name])


class ReviewForm(forms.Form):
    """A curator's decision: what they saw, and why they reject if they do."""

    flags = forms.MultipleChoiceField(
        choices=ReviewFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("What you saw"),
    )
    note = forms.CharField(max_length=300, required=False, label=_("If “other”, what?"))
    acknowledge_flashing = forms.BooleanField(
        required=False,
        label=_("I know this GIF flashes and approve it anyway"),
    )
    reason = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Reason for rejecting"),
        help_text=_("The uploader sees it on their uploads page."),
    )

    def clean(self):
        cleaned = super().clean()
        if ReviewFlag.OTHER in cleaned.get("flags", []) and not cleaned.get("note"):
            self.add_error("note", gettext("Say what “other” is."))
        return cleaned

    def decision(self):
        return {"flags": self.cleaned_data["flags"], "note": self.cleaned_data["note"]}


class FlagForm(forms.Form):
    def __init__(self, *args, **kwargs):
        # Its own ids: the GIF page also holds the retire form's "reason".
        kwargs.setdefault("auto_id", "flag_%s")
        super().__init__(*args, **kwargs)

    reason = forms.ChoiceField(
        choices=AgentFlag.Reason.choices,
        widget=forms.RadioSelect,
        label=_("Why"),
        error_messages={"required": _("Choose why you flag it.")},
    )
    note = forms.CharField(max_length=500, required=False, label=_("Details"))

    def clean(self):
        cleaned = super().clean()
        # The GIF leaves everyone's search on this flag: the curator who
        # looks has nothing else to go on.
        if cleaned.get("reason") == AgentFlag.Reason.OTHER and not cleaned.get("note"):
            self.add_error(
                "note",
                gettext(
                    "Say what is wrong: for “Other”, your details are all the "
                    "curator has to go on."
                ),
            )
        return cleaned


class RetireForm(forms.Form):
    reason = forms.CharField(
        max_length=500, label=_("Why it leaves the shelf"), widget=forms.TextInput
    )


class ShelfStateForm(forms.Form):
    """A team lead retires, takes down or restores a GIF, and says why."""

    reason = forms.CharField(
        max_length=500,
        label=_("Why (it goes in the GIF's history)"),
        widget=forms.TextInput,
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80, label=_("New token for"), help_text=_("e.g. “Slack macro”.")
    )
    lifetime = forms.TypedChoiceField(
        label=_("Works for"),
        choices=ApiToken.Lifetime.choices,
        coerce=int,
        initial=ApiToken.Lifetime.QUARTER,
        # Scripts that post only a name get the form's default.
        required=False,
        empty_value=ApiToken.Lifetime.QUARTER,
    )


class TagAliasForm(forms.ModelForm):
    """Another word for an existing mood or situation tag."""

    class Meta:
        model = TagAlias
        fields = ["name", "target"]
        labels = {"name": _("Alias"), "target": _("Stands for the tag")}

    def clean_target(self):
        target = self.cleaned_data["target"].strip()
        tag = find_tag(target)
        if isinstance(tag, AppropriatenessTag):
            # Search leaves these out (library.search.WORD_VOCABULARIES): an
            # alias of one would find nothing.
            raise forms.ValidationError(
                gettext(
                    "“%(target)s” says which conversations a GIF is unsuitable "
                    "for, and search does not look for those words. An alias "
                    "stands for a mood or a situation."
                )
                % {"target": tag.display_name}
            )
        if tag:
            return tag.name
        raise forms.ValidationError(
            gettext(
                "There is no tag called “%(target)s”. An alias stands for a tag the "
                "shelf already has."
            )
            % {"target": target}
        )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        # The search's own rule: what it refuses to search for, no alias finds.
        if search.unsearchable(name):
            raise forms.ValidationError(
                gettext(
                    "“%(alias)s” has no letter or digit, and search needs one: "
                    "nobody could search for it. Give a word."
                )
                % {"alias": name}
            )
        return name

    def clean(self):
        cleaned = super().clean()
        name, target = cleaned.get("name", "").strip(), cleaned.get("target")
        if name and target:
            cleaned["name"] = name
            named = find_tag(name)
            if named is not None and search.fold(named.name) == search.fold(target):
                self.add_error("name", gettext("An alias needs a different word."))
            elif named is not None:
                # It would quietly add the target's GIFs to what the tag's own
                # name finds.
                self.add_error(
                    "name",
                    gettext(
                        "“%(alias)s” is already the name of a tag (%(vocabulary)s: "
                        "“%(tag)s”). An alias needs a word that is no tag's name."
                    )
                    % {
                        "alias": name,
                        "vocabulary": named._meta.verbose_name,
                        "tag": named.display_name,
                    },
                )
            elif (
                TagAlias.objects.filter(name__iexact=name, target__iexact=target)
                .exclude(pk=self.instance.pk)  # the admin edits one in place
                .exists()
            ):
                self.add_error(
                    "name",
                    gettext("“%(alias)s” already stands for “%(tag)s”.")
                    % {"alias": name, "tag": target},
                )
        return cleaned


# --- Team leads' tools ----------------------------------------------------


class TagChoices(forms.ModelMultipleChoiceField):
    """Tags to tick, each by its name in the UI's language."""

    def label_from_instance(self, obj):
        return obj.display_name


class ConversationContextForm(forms.ModelForm):
    """A kind of conversation, and which appropriateness tags it hides or
    only warns about (never both), named and described in both languages."""

    class Meta:
        model = ConversationContext
        fields = [
            "name",
            "name_ru",
            "description",
            "description_ru",
            "hides_every_gif",
            "hides",
            "warns",
            "position",
        ]
        field_classes = {"hides": TagChoices, "warns": TagChoices}
        labels = {
            "name": _("Name"),
            "name_ru": _("Name in Russian"),
            "description": _("Description"),
            "description_ru": _("Description in Russian"),
            "hides_every_gif": _("Send no GIF at all"),
            "hides": _("Hides GIFs unsuitable for"),
            "warns": _("Warns about GIFs unsuitable for"),
            "position": _("Place in the picker"),
        }
        help_texts = {
            "name": _(
                "Up to 80 characters. Agents tap it mid-conversation: two or "
                "three words read fastest, and a long name is cut short on "
                "its button."
            ),
            "description": _(
                "One or two sentences agents read when they choose it: which "
                "rule it serves."
            ),
            "name_ru": _("What the Russian picker calls it; empty: the name above."),
            "description_ru": _(
                "What Russian readers see; empty: they see the description above."
            ),
            "hides_every_gif": _(
                "The rules send none in this kind of conversation (a first "
                "contact, a formal customer: rules 4 and 5). The picker then "
                "shows no GIF, and says why; the tags it hides are kept for "
                "when this is turned off, and it warns about none."
            ),
            "hides": _("GIFs with any of these tags do not show in this context."),
            "warns": _("GIFs with these tags show, with a warning on their card."),
            "position": _("Contexts show in this order, lowest first."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "description_ru": forms.Textarea(attrs={"rows": 3}),
            "hides": GuidedCheckboxes,
            "warns": GuidedCheckboxes,
        }

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if search.unsearchable(name):
            # Agents pick it from a chip: "!!!" would say nothing of when.
            raise forms.ValidationError(
                gettext(
                    "Name the kind of conversation in words, such as “VIP customer”."
                )
            )
        self.refuse_taken(name, "name")
        return name

    def clean_name_ru(self):
        name = " ".join(self.cleaned_data["name_ru"].split())
        if name:
            self.refuse_taken(name, "name_ru")
        return name

    def refuse_taken(self, name, field):
        """Refuse a name another context has, ignoring case and accents as
        search does. Compared in Python: SQLite ignores the case of ASCII
        letters only, so "Злой клиент" would pass beside "злой клиент"."""
        wanted = search.fold(name)
        others = ConversationContext.objects.exclude(pk=self.instance.pk)
        if any(search.fold(getattr(other, field)) == wanted for other in others):
            raise forms.ValidationError(
                gettext("There is already a context called “%(name)s”.")
                % {"name": name}
            )

    def clean(self):
        cleaned = super().clean()
        both = set(cleaned.get("hides") or []) & set(cleaned.get("warns") or [])
        if both:
            names = ", ".join(sorted(quoted(tag.display_name) for tag in both))
            self.add_error(
                "warns",
                gettext("A tag is either hidden or warned about, not both: %(names)s.")
                % {"names": names},
            )
        warned = cleaned.get("warns") or []
        if cleaned.get("hides_every_gif") and warned:
            # No card shows to carry the warning; kept, it would reappear
            # unasked the day GIFs are let in again. Said, not dropped.
            names = ", ".join(sorted(quoted(tag.display_name) for tag in warned))
            self.add_error(
                "warns",
                gettext(
                    "A context that sends no GIF at all has no GIF to warn "
                    "about: untick %(names)s, or untick “%(option)s”."
                )
                % {"names": names, "option": self.fields["hides_every_gif"].label},
            )
        return cleaned

    def save(self, commit=True):
        if not self.instance.slug:
            # The slug stays when the name changes: agents' sessions hold it.
            self.instance.slug = unique_context_slug(self.cleaned_data["name"])
        return super().save(commit=commit)


def unique_context_slug(name):
    base = slugify(name)[:70] or "context"
    slug, number = base, 1
    while ConversationContext.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


class TagGuidanceForm(forms.ModelForm):
    """One tag's guidance in both languages, and its Russian name."""

    class Meta:
        fields = ["name_ru", "use_when", "avoid_when", "use_when_ru", "avoid_when_ru"]
        labels = {
            "name_ru": _("Name in Russian"),
            "use_when": pgettext_lazy("the English of two fields", "Use when …"),
            "avoid_when": pgettext_lazy("the English of two fields", "Avoid when …"),
            "use_when_ru": _("Use when … (in Russian)"),
            "avoid_when_ru": _("Avoid when … (in Russian)"),
        }
        help_texts = {
            "name_ru": _(
                "What the Russian picker shows; search finds the tag by either "
                "name. Empty: the English name."
            ),
            "use_when": _("Finish the sentence, e.g. “the customer thanked you”."),
            "avoid_when": _("Finish the sentence, e.g. “the topic is money”."),
            "use_when_ru": _(
                "What Russian readers see, e.g. “клиент поблагодарил вас”. "
                "Empty (both): they see the English guidance."
            ),
            "avoid_when_ru": _("E.g. “речь о деньгах”."),
        }
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ["use_when", "avoid_when", "use_when_ru", "avoid_when_ru"]
        }

    def clean_name_ru(self):
        # A name taken by another tag is refused by the model (clean_fields),
        # in the admin too.
        return " ".join(self.cleaned_data["name_ru"].split())


def tag_guidance_form(tag_model):
    """The form a team lead writes one tag's guidance in."""
    return forms.modelform_factory(tag_model, form=TagGuidanceForm)


class HouseRulesForm(forms.Form):
    text = forms.CharField(
        label=_("House rules"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=HouseRules._meta.get_field("text").help_text,
    )
    text_ru = forms.CharField(
        label=_("House rules in Russian"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "What Russian readers see, written the same way. Change it along "
            "with the English rules; empty: they see the English ones."
        ),
    )
    show_again = forms.BooleanField(
        required=False,
        label=_("Show the rules again to everyone the next time they open the picker"),
        help_text=_("Tick it for a change every agent must read; leave it for a typo."),
    )


# What the usage filter offers: (value, label, how it narrows the GIFs).
USAGE_FILTERS = {
    "copied-30": (
        _("Copied in the last 30 days"),
        lambda gifs, now: gifs.copied_since(now - timedelta(days=30)),
    ),
    "copied-90": (
        _("Copied in the last 90 days"),
        lambda gifs, now: gifs.copied_since(now - timedelta(days=90)),
    ),
    "unused-90": (
        _("Not copied in the last 90 days"),
        lambda gifs, now: gifs.not_copied_since(now - timedelta(days=90)),
    ),
    "never": (_("Never copied"), lambda gifs, now: gifs.never_copied()),
}


class GifFilterForm(forms.Form):
    """Which GIFs a team lead's list shows: by tag, status, usage and words."""

    q = forms.CharField(label=_("Words"), required=False, max_length=200, strip=True)
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Gif.Status.choices],
    )
    usage = forms.ChoiceField(
        label=_("Use"),
        required=False,
        choices=[("", _("Any use"))]
        + [(value, label) for value, (label, _narrow) in USAGE_FILTERS.items()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tags = {}
        choices = [("", _("Any tag"))]
        for vocabulary, tag_model in VOCABULARY_MODELS.items():
            options = []
            for tag in tag_model.objects.all():
                key = f"{vocabulary}:{tag.pk}"
                self.tags[key] = (vocabulary, tag)
                options.append((key, tag.display_name))
            choices.append((VOCABULARY_TITLES[vocabulary], options))
        self.fields["tag"].choices = choices

    def filters(self):
        """The chosen filters, to carry along in a link or a form."""
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}

    def filter(self, gifs):
        """`gifs` narrowed to what the form asks for (everything if invalid)."""
        if not self.is_valid():
            return gifs.order_by("-created_at", "-pk")
        data = self.cleaned_data
        if data["tag"]:
            vocabulary, tag = self.tags[data["tag"]]
            gifs = gifs.tagged(vocabulary, tag)
        if data["status"]:
            gifs = gifs.filter(status=data["status"])
        if data["usage"]:
            gifs = USAGE_FILTERS[data["usage"]][1](gifs, timezone.now())
        if data["q"]:
            return gifs.search(data["q"])
        return gifs.order_by("-created_at", "-pk")


class BulkAppropriatenessForm(forms.Form):
    """Add or remove appropriateness tags on ticked GIFs, or on every GIF the
    filters match."""

    ADD, REMOVE = "add", "remove"

    gifs = forms.ModelMultipleChoiceField(
        queryset=Gif.objects.all(),
        required=False,
        widget=forms.MultipleHiddenInput,
    )
    all_matching = forms.BooleanField(required=False)
    change = forms.ChoiceField(
        label=_("Change"),
        choices=[(ADD, _("Add these tags")), (REMOVE, _("Remove these tags"))],
        widget=forms.RadioSelect,
        initial=ADD,
    )
    tags = VocabularyField(
        AppropriatenessTag,
        label=_("Unsuitable for"),
        required=True,
        error_messages={
            "required": _("Choose the “Unsuitable for” tags to add or remove.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_vocabularies(self)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all_matching") and not cleaned.get("gifs"):
            # The GIFs' boxes carry it (bulk_appropriateness.html).
            self.add_error(
                "gifs",
                gettext("Tick the GIFs to change, or choose every GIF that matches."),
            )
        return cleaned

    def chosen(self, matching):
        """The GIFs to change: the ticked ones, or all of `matching`."""
        return (
            matching if self.cleaned_data["all_matching"] else self.cleaned_data["gifs"]
        )

    def apply(self, gifs, *, by):
        """Make the change on `gifs`; returns how many changed."""
        data = self.cleaned_data
        if data["change"] == self.ADD:
            return gifs.change_appropriateness(by=by, add=data["tags"])
        return gifs.change_appropriateness(by=by, remove=data["tags"])


def client_address(request):
    """The visitor's IP address, for login throttling.

    Behind a proxy, REMOTE_ADDR is the proxy's, so the address comes from the
    header the operator named (GIFSHELF_CLIENT_IP_HEADER); of X-Forwarded-For
    only the last entry counts, the one our own proxy added.
    """
    header = settings.GIFSHELF_CLIENT_IP_HEADER
    value = request.headers.get(header, "") if header else ""
    value = value.split(",")[-1].strip() if value else request.META.get("REMOTE_ADDR")
    try:
        return str(ipaddress.ip_address(value or ""))
    except ValueError:
        return None


def lockout_message(until):
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return ngettext(
        "Too many failed log-ins for this account or from this address. "
        "Try again in %(minutes)d minute.",
        "Too many failed log-ins for this account or from this address. "
        "Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class ThrottledLogin:
    """Refuses log-ins while the account or the address is locked out, and
    counts each failure. Mixed into the login and the admin's login forms."""

    locked_until = None
    last_try = ""  # the warning that one more failure locks log-ins
    deactivated = False  # the right password, for an account switched off

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else None
        self.locked_until = LoginFailure.objects.locked_until(username, address)
        if self.locked_until:
            # Not even the right password gets in, and nothing is counted.
            raise forms.ValidationError(
                lockout_message(self.locked_until), code="locked_out"
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError as refusal:
            LoginFailure.record(username, address)
            self.locked_until = LoginFailure.objects.locked_until(username, address)
            if self.locked_until:
                # This failure was the last the limit allows: say so now, not
                # only when the next attempt is refused.
                raise forms.ValidationError(
                    lockout_message(self.locked_until), code="locked_out"
                ) from refusal
            if getattr(self.request, "deactivated_account", False):
                # Only with its right password: nobody learns more than the
                # owner, who would otherwise retype it in vain.
                self.deactivated = True
                raise forms.ValidationError(
                    gettext(
                        "This account was deactivated. Ask whoever runs "
                        "gifshelf to bring it back."
                    ),
                    code="inactive",
                ) from refusal
            if LoginFailure.objects.tries_left(username, address) == 1:
                # Said before it happens, not after: one more and it locks.
                minutes = math.ceil(settings.GIFSHELF_LOGIN_LOCKOUT_SECONDS / 60)
                self.last_try = ngettext(
                    "One more failed log-in, and logging in is locked for "
                    "%(minutes)d minute.",
                    "One more failed log-in, and logging in is locked for "
                    "%(minutes)d minutes.",
                    minutes,
                ) % {"minutes": minutes}
            raise
        LoginFailure.forget(username)
        return cleaned


class LoginForm(ThrottledLogin, AuthenticationForm):
    pass


class MemberRole(forms.Form):
    """The one role of a member edited in the admin."""

    role = forms.ChoiceField(
        label=_("Role"),
        choices=Member.Role.choices,
        help_text=_("Team leads can also use this admin."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["role"].initial = self.instance.role

    def save(self, commit=True):
        member = super().save(commit=commit)
        if commit:
            member.give_role(self.cleaned_data["role"])
        else:
            # The admin saves the member first, then calls save_m2m.
            save_m2m = self.save_m2m

            def save_m2m_and_role():
                save_m2m()
                member.give_role(self.cleaned_data["role"])

            self.save_m2m = save_m2m_and_role
        return member


class MemberChangeForm(MemberRole, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = Member
        fields = ("username", "password", "first_name", "last_name", "email")
        fields += ("is_active",)


class MemberCreationForm(MemberRole, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = Member


class AdminLoginForm(ThrottledLogin, AdminAuthenticationForm):
    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError as refusal:
            if not self.last_try:
                raise
            # The admin's own login page shows the form's errors, nothing else.
            last_try = forms.ValidationError(self.last_try, code="last_try")
            raise forms.ValidationError([refusal, last_try]) from None

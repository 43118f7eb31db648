from django import forms
from django.conf import settings
from django.db import transaction

from library.models import (
    AgentFlag,
    AppropriatenessTag,
    Gif,
    GifEvent,
    MoodTag,
    ReviewFlag,
    SituationTag,
    TagAlias,
    find_tag,
)


def split_names(value):
    """Tag names from "a, b" or ["a", "b, c"]: commas separate, spaces do not."""
    if value is None:
        return []
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, list | tuple):
        items = value
    else:
        raise forms.ValidationError("Give tag names as text or a list of text.")
    names = []
    for item in items:
        names.extend(part.strip() for part in str(item).split(",") if part.strip())
    return names


class VocabularyField(forms.Field):
    """Tag names from one vocabulary, as ticked boxes or comma-separated.

    Names match the vocabulary regardless of case; an unknown name is an
    error that lists what the vocabulary holds, so typos never become tags.
    """

    widget = forms.CheckboxSelectMultiple

    def __init__(self, tag_model, **kwargs):
        self.tag_model = tag_model
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def offer_vocabulary(self):
        self.widget.choices = [
            (tag.name, tag.name) for tag in self.tag_model.objects.all()
        ]

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
        known = {tag.name.lower(): tag for tag in self.tag_model.objects.all()}
        unknown = [name for name in names if name.lower() not in known]
        if unknown:
            vocabulary = self.tag_model._meta.verbose_name_plural
            raise forms.ValidationError(
                f"Not in the {vocabulary}: {', '.join(unknown)}. "
                f"Choose from: {', '.join(tag.name for tag in known.values())}."
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
        help_text="GIF, PNG, animated PNG, WebP or JPEG.",
    )
    title = forms.CharField(
        max_length=120,
        required=False,
        help_text="Leave empty to use each file's name.",
    )
    alt_text = forms.CharField(max_length=500, required=False, label="Alt text")
    mood = VocabularyField(MoodTag)
    situation = VocabularyField(SituationTag)

    def __init__(self, *args, oversized=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.oversized = list(oversized)
        offer_vocabularies(self)

    def clean(self):
        cleaned = super().clean()
        files = cleaned.get("files") or []
        if not files and not self.oversized:
            raise forms.ValidationError("Choose at least one image to upload.")
        most = settings.GIFSHELF_MAX_FILES_PER_UPLOAD
        if len(files) > most:
            raise forms.ValidationError(f"Upload at most {most} files at once.")
        return cleaned

    def tags(self):
        return {
            "mood": self.cleaned_data["mood"],
            "situation": self.cleaned_data["situation"],
        }


class GifForm(forms.ModelForm):
    """Edit a GIF's words and tags; appropriateness only for team leads."""

    mood = VocabularyField(MoodTag, label="Moods")
    situation = VocabularyField(SituationTag, label="Situations")
    appropriateness = VocabularyField(
        AppropriatenessTag,
        label="Unsuitable for",
        help_text="Conversations this GIF must not be used in. Team leads only.",
    )

    class Meta:
        model = Gif
        fields = ["title", "alt_text", "use_when", "avoid_when"]
        widgets = {
            "use_when": forms.Textarea(attrs={"rows": 2}),
            "avoid_when": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.may_set_appropriateness = user.has_perm("library.set_appropriateness")
        if not self.may_set_appropriateness:
            del self.fields["appropriateness"]
        offer_vocabularies(self)
        if self.instance.pk:
            for name in ("mood", "situation", "appropriateness"):
                if name in self.fields:
                    self.initial[name] = list(getattr(self.instance, name).all())

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.status == Gif.Status.APPROVED:
            # An edit may not take away what approval required.
            had_alt_text = bool((self.initial.get("alt_text") or "").strip())
            if had_alt_text and not cleaned.get("alt_text", "x").strip():
                self.add_error("alt_text", "A GIF on the shelf keeps its alt text.")
            had_tags = self.initial.get("mood") or self.initial.get("situation")
            moods, situations = cleaned.get("mood"), cleaned.get("situation")
            if had_tags and moods == [] and situations == []:
                self.add_error(
                    "mood", "A GIF on the shelf keeps a mood or a situation tag."
                )
        return cleaned

    def save(self, commit=True):
        """Save the edit and record what changed in the GIF's history."""
        with transaction.atomic():
            gif = super().save(commit=commit)
            if commit:
                self.save_tags()
                gif.refresh_search_document()
                if changes := self.changes():
                    gif.record(GifEvent.Action.EDITED, by=self.user, changes=changes)
        return gif

    def changes(self):
        def shown(name, value):
            if isinstance(self.fields[name], VocabularyField):
                return ", ".join(sorted(tag.name for tag in value or []))
            return value or ""

        return {
            str(self[name].label): {
                "from": shown(name, self.initial.get(name)),
                "to": shown(name, self.cleaned_data[name]),
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
        label="What you saw",
    )
    note = forms.CharField(max_length=300, required=False, label="If “other”, what?")
    acknowledge_flashing = forms.BooleanField(
        required=False,
        label="I know this GIF flashes and approve it anyway",
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for rejecting",
        help_text="The uploader sees it on their uploads page.",
    )

    def clean(self):
        cleaned = super().clean()
        if ReviewFlag.OTHER in cleaned.get("flags", []) and not cleaned.get("note"):
            self.add_error("note", "Say what “other” is.")
        return cleaned

    def decision(self):
        return {"flags": self.cleaned_data["flags"], "note": self.cleaned_data["note"]}


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        choices=AgentFlag.Reason.choices, widget=forms.RadioSelect, label="Why"
    )
    note = forms.CharField(max_length=500, required=False, label="Details")


class RetireForm(forms.Form):
    reason = forms.CharField(
        max_length=500, label="Why it leaves the shelf", widget=forms.TextInput
    )


class ShelfStateForm(forms.Form):
    """A team lead retires, takes down or restores a GIF, and says why."""

    reason = forms.CharField(
        max_length=500,
        label="Why (it goes in the GIF's history)",
        widget=forms.TextInput,
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80, label="New token for", help_text="e.g. “Slack macro”."
    )


class TagAliasForm(forms.ModelForm):
    """Another word for an existing tag, in any vocabulary."""

    class Meta:
        model = TagAlias
        fields = ["name", "target"]
        labels = {"name": "Alias", "target": "Stands for the tag"}

    def clean_target(self):
        target = self.cleaned_data["target"].strip()
        if tag := find_tag(target):
            return tag.name
        raise forms.ValidationError(
            f"There is no tag called “{target}”. An alias stands for a tag the "
            "shelf already has."
        )

    def clean(self):
        cleaned = super().clean()
        name, target = cleaned.get("name", "").strip(), cleaned.get("target")
        if name and target:
            cleaned["name"] = name
            if name.casefold() == target.casefold():
                self.add_error("name", "An alias needs a different word.")
            elif TagAlias.objects.filter(
                name__iexact=name, target__iexact=target
            ).exists():
                self.add_error("name", f"“{name}” already stands for “{target}”.")
        return cleaned

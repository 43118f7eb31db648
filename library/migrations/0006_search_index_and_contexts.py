"""The full-text index for each database, filled for existing GIFs, and the
conversation contexts of shared/domain.md with what each rules out."""

from django.db import migrations

from library import search

CONTEXTS = [
    # name, slug, description, hides, warns
    (
        "First contact",
        "first-contact",
        "First message to someone new, or cold outreach: no emoji, stickers "
        "or GIFs (rule 5).",
        ["First contact", "Playful", "Celebratory"],
        [],
    ),
    (
        "Money question",
        "money-question",
        "Billing, invoices, refunds, payments: a neutral tone, nothing "
        "playful (rule 6).",
        ["Money question", "Playful", "Celebratory"],
        [],
    ),
    (
        "Outage or bug report",
        "outage",
        "Something is broken: empathy and apology only, never a smiling or "
        "celebrating reaction (rule 7).",
        ["Outage or bug report", "Celebratory"],
        ["Playful"],
    ),
    (
        "Formal customer",
        "formal",
        "The customer writes tersely or formally: mirror them; a GIF rarely "
        "fits (rule 4).",
        ["Formal customer", "Playful"],
        ["Celebratory"],
    ),
    (
        "Upset customer",
        "upset",
        "Name the customer's feeling and acknowledge it before anything else "
        "(rule 10).",
        ["Upset customer", "Celebratory"],
        ["Playful"],
    ),
]


def build_index(apps, schema_editor):
    search.create_first_index(schema_editor)
    Gif = apps.get_model("library", "Gif")
    through_models = [
        apps.get_model("library", name)
        for name in ("MoodTaggedGif", "SituationTaggedGif", "AppropriatenessTaggedGif")
    ]
    for gif in Gif.objects.all():
        names = [
            name
            for through in through_models
            for name in through.objects.filter(content_object=gif).values_list(
                "tag__name", flat=True
            )
        ]
        Gif.objects.filter(pk=gif.pk).update(
            search_tags=search.tag_keys(names),
            search_title=search.fold(gif.title),
            search_body=search.fold(
                " ".join((gif.alt_text, gif.use_when, gif.avoid_when))
            ),
        )


def drop_index(apps, schema_editor):
    search.drop_first_index(schema_editor)


def seed_contexts(apps, schema_editor):
    Context = apps.get_model("library", "ConversationContext")
    Tag = apps.get_model("library", "AppropriatenessTag")
    for position, (name, slug, description, hides, warns) in enumerate(CONTEXTS):
        context, created = Context.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "position": position},
        )
        if created:
            context.hides.set(Tag.objects.filter(name__in=hides))
            context.warns.set(Tag.objects.filter(name__in=warns))


def remove_contexts(apps, schema_editor):
    slugs = [slug for _, slug, *_ in CONTEXTS]
    apps.get_model("library", "ConversationContext").objects.filter(
        slug__in=slugs
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("library", "0005_picker")]

    operations = [
        migrations.RunPython(build_index, drop_index),
        migrations.RunPython(seed_contexts, remove_contexts),
    ]

"""Team leads' tools: the house rules, seeded from shared/domain.md ("The
rules an agent follows"), which members acknowledge once; leads may edit them."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

HOUSE_RULES = """\
A GIF in a support conversation is there to make it feel human: to soften an \
angry customer or end a hard case on a smile. These are the rules every agent \
follows before sending one.

1. A GIF accompanies real help; it never replaces the answer.
2. Watch every GIF to the very end before it is used: the internet is full of \
surprise endings. On this shelf, a curator confirms this once, at review, for \
the whole team.
3. Pick the best-quality version that expresses the reaction most precisely, \
not the first one found.
4. Mirror the customer. Terse or formal customer: no GIFs. Customer who uses \
emoji and jokes: a GIF can fit. Never contrast the customer's tone.
5. First contact with someone new, or cold business outreach: no emoji, \
stickers or GIFs.
6. Money questions (billing, invoices, refunds, payments): neutral tone, no \
playful images.
7. A report that something is broken or an outage: never a smiling or \
celebrating reaction; empathy and apology only.
8. Politics, religion, public figures and caricatures: stay out of them \
entirely.
9. One message, not a burst: the GIF goes with the text, not as extra pings.
10. Name the customer's feeling before explaining; acknowledge it. Six \
customer moods are commonly offered in an emotion chart: angry, frustrated, \
confused, neutral, happy, grateful.

Choose the kind of conversation above the search box: the picker then hides \
what the team leads ruled out for it and warns about the rest.
"""

GRANTS = {"Team lead": ["view_houserules", "change_houserules"]}


def seed_and_grant(apps, schema_editor):
    HouseRules = apps.get_model("library", "HouseRules")
    if not HouseRules.objects.exists():
        HouseRules.objects.create(text=HOUSE_RULES, version=1)
    library = apps.get_app_config("library")
    library.models_module = True
    create_permissions(library, apps=apps, verbosity=0)
    library.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        Group.objects.get(name=name).permissions.add(
            *Permission.objects.filter(
                content_type__app_label="library", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        Group.objects.get(name=name).permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="library", codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0010_fold_accents"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="preferences",
            name="house_rules_read",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="The version of the house rules this member acknowledged.",
                verbose_name="house rules read",
            ),
        ),
        migrations.CreateModel(
            name="HouseRules",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "text",
                    models.TextField(
                        help_text="Plain text. A blank line starts a new paragraph; lines starting “1.”, “2.” … make a numbered list, lines starting “- ” a bulleted one.",
                        verbose_name="rules",
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "house rules",
                "verbose_name_plural": "house rules",
            },
        ),
        migrations.RunPython(seed_and_grant, revoke),
    ]

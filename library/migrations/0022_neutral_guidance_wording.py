"""The seeded Neutral mood's "use when" read "Use when a calm, matter-of-fact
exchange…", with no verb. Reworded where no team lead has changed it."""

from django.db import migrations

SEEDED = "a calm, matter-of-fact exchange that still allows a light touch"
REWORDED = "the exchange is calm and matter-of-fact but still allows a light touch"


def reword(apps, schema_editor, old, new):
    MoodTag = apps.get_model("library", "MoodTag")
    MoodTag.objects.filter(name="Neutral", use_when=old).update(use_when=new)


class Migration(migrations.Migration):
    dependencies = [("library", "0021_poster_frame")]

    operations = [
        migrations.RunPython(
            lambda apps, editor: reword(apps, editor, SEEDED, REWORDED),
            lambda apps, editor: reword(apps, editor, REWORDED, SEEDED),
        )
    ]

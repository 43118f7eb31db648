"""Three seeded "avoid when" notes did not read as a sentence after "Avoid
when" ("Avoid when outages, bug reports…"). Reworded where no team lead has
changed them."""

from django.db import migrations

REWORDINGS = [
    # model, tag, seeded, reworded
    (
        "SituationTag",
        "Greeting",
        "first contact with someone new",
        "it is the first contact with someone new",
    ),
    (
        "AppropriatenessTag",
        "Playful",
        "anything serious, or any customer whose tone you have not read yet",
        "the matter is serious, or you have not read the customer's tone yet",
    ),
    (
        "AppropriatenessTag",
        "Celebratory",
        "outages, bug reports, money questions and upset customers",
        "the chat is about an outage, a bug, money or an upset customer",
    ),
]


def reword(apps, schema_editor, backwards=False):
    for model_name, name, seeded, reworded in REWORDINGS:
        old, new = (reworded, seeded) if backwards else (seeded, reworded)
        model = apps.get_model("library", model_name)
        model.objects.filter(name=name, avoid_when=old).update(avoid_when=new)


class Migration(migrations.Migration):
    dependencies = [("library", "0022_neutral_guidance_wording")]

    operations = [
        migrations.RunPython(
            reword, lambda apps, editor: reword(apps, editor, backwards=True)
        )
    ]

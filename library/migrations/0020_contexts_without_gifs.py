"""Contexts in which the house rules send no GIF at all: the seeded first
contact (rule 5) and formal customer (rule 4) become such contexts."""

from django.db import migrations, models

NO_GIF_CONTEXTS = ["first-contact", "formal"]


def send_no_gif_where_the_rules_say_so(apps, schema_editor):
    ConversationContext = apps.get_model("library", "ConversationContext")
    ConversationContext.objects.filter(slug__in=NO_GIF_CONTEXTS).update(
        hides_every_gif=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0019_history_says_flagged"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversationcontext",
            name="hides_every_gif",
            field=models.BooleanField(
                default=False,
                help_text="The house rules send no GIF in this kind of conversation (a first contact, a formal customer: rules 4 and 5). The picker shows none and says why.",
                verbose_name="no GIF at all",
            ),
        ),
        migrations.RunPython(
            send_no_gif_where_the_rules_say_so, migrations.RunPython.noop
        ),
    ]

from django.db import migrations, models

import library.models


class Migration(migrations.Migration):
    """A new conversation context is offered the last place in the picker,
    not 0 (which put it ahead of the contexts agents already know)."""

    dependencies = [
        ("library", "0028_gif_event_reopened"),
    ]

    operations = [
        migrations.AlterField(
            model_name="conversationcontext",
            name="position",
            field=models.PositiveSmallIntegerField(
                default=library.models.next_context_position
            ),
        ),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    """History lines keep what the software adds as codes and names in
    `details`, put into words in each reader's language when shown. Older
    lines are left as they are: their sentences stay in `summary`."""

    dependencies = [
        ("library", "0025_gif_notes_in_russian"),
    ]

    operations = [
        migrations.AddField(
            model_name="gifevent",
            name="details",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]

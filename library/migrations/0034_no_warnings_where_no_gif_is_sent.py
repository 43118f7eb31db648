"""A context that sends no GIF at all warns about nothing: no card shows to
carry the warning, and the contexts form now refuses the two together. The
seeded "Formal customer" (0006, 0020) still warned about "Celebratory"; its
warnings, and any a lead had left on such a context, are cleared. The tags it
hides stay, for when a lead lets GIFs in again."""

from django.db import migrations


def clear_warnings_where_no_gif_is_sent(apps, schema_editor):
    ConversationContext = apps.get_model("library", "ConversationContext")
    Warns = ConversationContext.warns.through
    Warns.objects.filter(conversationcontext__hides_every_gif=True).delete()


class Migration(migrations.Migration):
    dependencies = [("library", "0033_plain_backgrounds_are_not_near_duplicates")]

    operations = [
        migrations.RunPython(
            clear_warnings_where_no_gif_is_sent, migrations.RunPython.noop
        )
    ]

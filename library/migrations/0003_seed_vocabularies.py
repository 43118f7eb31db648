"""Starting vocabularies, from the support-etiquette rules in shared/domain.md.

Team leads refine names and guidance afterwards; this only seeds.
"""

from django.db import migrations
from django.utils.text import slugify

MOODS = [
    # The six customer moods of the common emotion chart (rule 10).
    (
        "Angry",
        "the customer is angry and you are acknowledging it with empathy",
        "anything playful: an angry customer needs the answer first",
    ),
    (
        "Frustrated",
        "the customer is frustrated and you want to show you get it",
        "it could read as mocking their frustration",
    ),
    (
        "Confused",
        "the customer is unsure and you are about to explain step by step",
        "the confusion is about money; keep that neutral",
    ),
    (
        "Neutral",
        "a calm, matter-of-fact exchange that still allows a light touch",
        "the customer writes tersely or formally: then send no GIF at all",
    ),
    (
        "Happy",
        "the customer is cheerful, uses emoji or jokes",
        "the customer is upset, or the topic is an outage",
    ),
    (
        "Grateful",
        "the customer thanked you and you want to return the warmth",
        "it would be the first message to someone new",
    ),
    # How the agent reacts.
    (
        "Thank you",
        "thanking a customer for patience, a report or kind words",
        "the customer is still waiting for the answer",
    ),
    (
        "On it",
        "you are taking the case and will come back with the answer",
        "the fix is already done: say so instead",
    ),
    (
        "Sorry",
        "apologising for a mistake or a wait, alongside a real fix",
        "the apology is for lost money or data: words only",
    ),
    (
        "Celebrating",
        "the problem is solved and the customer is happy",
        "an outage or bug report is still open",
    ),
    (
        "Welcome",
        "greeting a customer who already chats in a playful tone",
        "first contact or cold outreach",
    ),
    (
        "Thinking",
        "you need a moment to look into something",
        "the customer is in a hurry or upset",
    ),
]

SITUATIONS = [
    (
        "Greeting",
        "opening a chat with a customer who writes informally",
        "first contact with someone new",
    ),
    (
        "Working on it",
        "telling the customer their case is being handled",
        "you have no real update to go with it",
    ),
    (
        "Please hold",
        "asking the customer to wait a moment",
        "the wait will be long: give a time instead",
    ),
    ("Problem solved", "closing a case that ended well", "the fix is not confirmed"),
    ("Bug fixed", "confirming a reported bug is fixed", "the outage is still going on"),
    (
        "Good news",
        "sharing a feature release or a positive answer",
        "the news is about billing",
    ),
    (
        "Thanks for your patience",
        "a long case is finally moving",
        "the customer is still angry about the wait",
    ),
    (
        "Apology",
        "owning a mistake, together with what you do about it",
        "it would replace the apology in words",
    ),
    (
        "Feature request",
        "acknowledging an idea the customer sent",
        "you cannot say whether it will be built",
    ),
    (
        "Goodbye",
        "ending a friendly conversation on a smile",
        "the customer left unhappy",
    ),
]

APPROPRIATENESS = [
    # Each names a kind of conversation the GIF is unsuitable for (rules 4-8).
    (
        "First contact",
        "",
        "it is the first message to someone new, or cold outreach (rule 5)",
    ),
    (
        "Money question",
        "",
        "the chat is about billing, invoices, refunds or payments: keep the tone "
        "neutral (rule 6)",
    ),
    (
        "Outage or bug report",
        "",
        "something is broken or down: empathy and apology only, nothing smiling "
        "(rule 7)",
    ),
    (
        "Formal customer",
        "",
        "the customer writes tersely or formally: mirror their tone (rule 4)",
    ),
    (
        "Upset customer",
        "",
        "the customer is angry or hurt: name the feeling in words (rule 10)",
    ),
    (
        "Playful",
        "the customer jokes or uses emoji themselves",
        "anything serious, or any customer whose tone you have not read yet",
    ),
    (
        "Celebratory",
        "a case ended well and the customer is pleased",
        "outages, bug reports, money questions and upset customers",
    ),
]

VOCABULARIES = {
    "MoodTag": MOODS,
    "SituationTag": SITUATIONS,
    "AppropriatenessTag": APPROPRIATENESS,
}


def seed(apps, schema_editor):
    for model_name, entries in VOCABULARIES.items():
        model = apps.get_model("library", model_name)
        for name, use_when, avoid_when in entries:
            model.objects.get_or_create(
                name=name,
                defaults={
                    "slug": slugify(name),
                    "use_when": use_when,
                    "avoid_when": avoid_when,
                },
            )


def unseed(apps, schema_editor):
    for model_name, entries in VOCABULARIES.items():
        model = apps.get_model("library", model_name)
        model.objects.filter(name__in=[name for name, *_ in entries]).delete()


class Migration(migrations.Migration):
    dependencies = [("library", "0002_roles")]

    operations = [migrations.RunPython(seed, unseed)]

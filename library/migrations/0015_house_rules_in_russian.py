"""The house rules in Russian: a second text for Russian readers, filled with
a translation of the seeded rules (0011) unless a team lead has changed them."""

from importlib import import_module

from django.db import migrations, models

SEEDED = import_module("library.migrations.0011_leads_tools").HOUSE_RULES

HOUSE_RULES_RU = """\
Гифка в разговоре с клиентом нужна, чтобы он звучал по-человечески: смягчить \
рассерженного клиента или закончить трудное обращение на улыбке. Вот правила, \
которым следует каждый агент, прежде чем отправить гифку.

1. Гифка сопровождает настоящую помощь и никогда не заменяет ответ.
2. Прежде чем использовать гифку, досмотрите её до самого конца: в интернете \
полно неожиданных концовок. На этой полке это один раз, при проверке, делает \
куратор — для всей команды.
3. Выбирайте вариант лучшего качества, который точнее всего передаёт реакцию, \
а не первый попавшийся.
4. Подстраивайтесь под клиента. Клиент пишет коротко или официально — никаких \
гифок. Клиент ставит эмодзи и шутит — гифка может подойти. Никогда не идите \
против тона клиента.
5. Первый контакт с новым человеком или холодная деловая рассылка: никаких \
эмодзи, стикеров и гифок.
6. Вопросы о деньгах (оплата, счета, возвраты, платежи): нейтральный тон, \
никаких игривых картинок.
7. Сообщение о поломке или сбое: никогда не отвечайте улыбкой или ликованием; \
только сочувствие и извинения.
8. Политика, религия, публичные люди и карикатуры: держитесь от них совсем \
в стороне.
9. Одно сообщение, а не очередь из нескольких: гифка идёт вместе с текстом, \
а не лишними уведомлениями.
10. Прежде чем объяснять, назовите чувство клиента и признайте его. В таблицах \
эмоций обычно выделяют шесть настроений клиента: гнев, досада, растерянность, \
нейтральное настроение, радость, благодарность.

Выберите вид разговора над строкой поиска: подбор скроет то, что руководители \
групп для него исключили, и предупредит об остальном.
"""


def fill_russian(apps, schema_editor):
    """The translation goes only to rules still worded as seeded."""
    HouseRules = apps.get_model("library", "HouseRules")
    HouseRules.objects.filter(text=SEEDED, text_ru="").update(text_ru=HOUSE_RULES_RU)


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0014_search_by_popularity"),
    ]

    operations = [
        migrations.AddField(
            model_name="houserules",
            name="text_ru",
            field=models.TextField(
                blank=True,
                help_text="What Russian readers see; empty: they see the English rules.",
                verbose_name="rules in Russian",
            ),
        ),
        migrations.RunPython(fill_russian, migrations.RunPython.noop),
    ]

"""A GIF's history reads in the reader's language, whoever wrote it in which:
a Russian lead's edit shows English labels and sentences to an English lead,
and an English curator's approval shows Russian ones to a Russian reader.
What people typed (reasons, notes, titles) is shown as they typed it."""

import json

import pytest
from django.contrib.admin.sites import site
from django.test import Client
from django.urls import reverse
from django.utils import translation

from library.models import AgentFlag, AppropriatenessTag, Gif, GifEvent
from tests.reviewing import (
    api_approve,
    describe,
    details_of,
    flashing_gif_bytes,
    watch_to_the_end,
)
from tests.test_history import history_on_page


def in_russian(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(user)
    return client


def in_english(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def gif(upload_gif):
    return describe(upload_gif, title="Polite bow")


def latest_line(client, gif):
    return history_on_page(client, gif)[0]


def approve_flashing(client, upload_gif, reviewer):
    strobe = describe(upload_gif, data=flashing_gif_bytes())
    watch_to_the_end(client, strobe, reviewer)
    response = api_approve(
        client,
        strobe,
        acknowledge_flashing=True,
        flags=["surprise_ending", "other"],
        note="Ends on a wink",
    )
    assert response.status_code == 200
    return strobe


# Edits: field labels follow the reader


@pytest.mark.django_db
def test_a_russian_leads_edit_shows_english_labels_to_an_english_lead(lead, gif):
    response = in_russian(lead).post(
        reverse("library:gif_edit", args=[gif.pk]),
        details_of(gif, title="Deep bow", mood=["Thank you", "Happy"]),
    )
    assert response.status_code == 302

    line = latest_line(in_english(lead), gif)

    assert line.endswith(
        "Edited by dana Title: Polite bow → Deep bow "
        "Moods: Thank you → Happy, Thank you"
    )
    assert "Название" not in line and "Настроения" not in line


@pytest.mark.django_db
def test_an_english_edit_shows_russian_labels_to_a_russian_reader(lead, gif):
    patch = in_english(lead).patch(
        reverse("library:api_gif", args=[gif.pk]),
        json.dumps({"use_when": "a customer says thanks", "alt_text": ""}),
        content_type="application/json",
    )
    assert patch.status_code == 200

    line = latest_line(in_russian(lead), gif)

    assert "Изменена (dana)" in line
    assert "Когда использовать (по-английски): (пусто) → a customer says thanks" in line
    assert "Альтернативный текст (по-английски): A cat bows politely. → (пусто)" in line
    assert "Use when" not in line and "Alt text" not in line


@pytest.mark.django_db
def test_a_mood_change_names_the_moods_in_the_readers_language(lead, gif):
    in_english(lead).post(
        reverse("library:gif_edit", args=[gif.pk]),
        details_of(gif, mood=["Thank you", "Happy"]),
    )

    russian = latest_line(in_russian(lead), gif)
    english = latest_line(in_english(lead), gif)

    assert russian.endswith(
        "Изменена (dana) Настроения: Благодарю → Благодарю, Радость"
    )
    assert english.endswith("Edited by dana Moods: Thank you → Happy, Thank you")


@pytest.mark.django_db
def test_a_tag_renamed_since_keeps_the_name_it_had(lead, gif):
    in_english(lead).post(
        reverse("library:bulk_appropriateness_apply"),
        {"gifs": [gif.pk], "change": "add", "tags": ["Money question"]},
    )
    AppropriatenessTag.objects.filter(name="Money question").update(
        name="Billing", name_ru="Оплата"
    )

    assert latest_line(in_russian(lead), gif).endswith(
        "Изменена (dana): Добавлено: «Money question». "
        "Не подходит для: (пусто) → Money question"
    )


# Tag changes on the appropriateness page


@pytest.mark.django_db
def test_a_russian_leads_tag_change_reads_in_english(lead, gif):
    response = in_russian(lead).post(
        reverse("library:bulk_appropriateness_apply"),
        {"gifs": [gif.pk], "change": "add", "tags": ["Money question"]},
    )
    assert response.status_code == 302

    line = latest_line(in_english(lead), gif)

    assert line.endswith(
        "Edited by dana: Added “Money question”. "
        "Unsuitable for: (empty) → Money question"
    )


@pytest.mark.django_db
def test_an_english_leads_tag_change_reads_in_russian(lead, gif):
    in_english(lead).post(
        reverse("library:bulk_appropriateness_apply"),
        {"gifs": [gif.pk], "change": "add", "tags": ["Money question"]},
    )

    line = latest_line(in_russian(lead), gif)

    # The tag by its Russian name, as the rest of the Russian UI names it.
    assert line.endswith(
        "Изменена (dana): Добавлено: «Вопрос о деньгах». "
        "Не подходит для: (пусто) → Вопрос о деньгах"
    )


# Approval with a flash risk and review flags


@pytest.mark.django_db
def test_a_russian_curators_flash_approval_reads_in_english(
    upload_gif, other_curator, lead
):
    strobe = approve_flashing(in_russian(other_curator), upload_gif, other_curator)

    assert latest_line(in_english(lead), strobe).endswith(
        "Approved by carol: Flash risk acknowledged. "
        "Flags: Surprise ending, Other: Ends on a wink."
    )


@pytest.mark.django_db
def test_an_english_curators_flash_approval_reads_in_russian(
    upload_gif, other_curator, lead
):
    strobe = approve_flashing(in_english(other_curator), upload_gif, other_curator)

    assert latest_line(in_russian(lead), strobe).endswith(
        "Одобрена (carol): Риск мерцания принят во внимание. "
        "Отметки: Неожиданная концовка, Другое: Ends on a wink."
    )


# Agents' flags


@pytest.mark.django_db
def test_a_russian_agents_flag_reads_in_english_and_back(
    upload_gif, agent, other_curator
):
    on_the_shelf = describe(upload_gif, status=Gif.Status.APPROVED)
    response = in_russian(agent).post(
        reverse("library:api_flag", args=[on_the_shelf.pk]),
        json.dumps({"reason": "broken", "note": "Стоит на втором кадре"}),
        content_type="application/json",
    )
    assert response.status_code in (200, 201)

    english = latest_line(in_english(other_curator), on_the_shelf)
    russian = latest_line(in_russian(other_curator), on_the_shelf)

    assert english.endswith(
        "Flagged by alice: Broken or does not load: Стоит на втором кадре"
    )
    assert russian.endswith(
        "Агент пожаловался (alice): Не работает или не загружается: "
        "Стоит на втором кадре"
    )


# Reasons people typed stay as typed, inside the reader's sentence


@pytest.mark.django_db
def test_a_reinstatement_reads_in_the_readers_language_with_the_reason_as_typed(
    upload_gif, lead
):
    on_the_shelf = describe(upload_gif, status=Gif.Status.APPROVED)
    on_the_shelf.retire(by=lead, reason="Приелась")
    with translation.override("ru"):
        on_the_shelf.reinstate(by=lead, reason="Снова нужна")

    english = latest_line(in_english(lead), on_the_shelf)

    assert english.endswith(
        "Restored to the shelf by dana: Back on the shelf after retirement: Снова нужна"
    )
    assert history_on_page(in_english(lead), on_the_shelf)[1].endswith(
        "Retired by dana: Приелась"
    )


@pytest.mark.django_db
def test_an_edit_in_the_admin_names_its_fields_in_the_readers_language(lead, gif):
    gif.record(
        GifEvent.Action.EDITED, by=lead, details={"in_admin": {"fields": ["title"]}}
    )

    assert latest_line(in_english(lead), gif).endswith(
        "Edited by dana: In the admin: Title"
    )
    assert latest_line(in_russian(lead), gif).endswith(
        "Изменена (dana): В админке: Название"
    )


# Lines written before the history kept structure


@pytest.mark.django_db
def test_old_lines_show_their_sentences_and_labels_as_they_were_written(lead, gif):
    GifEvent.objects.create(
        gif=gif,
        actor=lead,
        action=GifEvent.Action.EDITED,
        summary="Добавлено: «Money question».",
        changes={"Не подходит для": {"from": "", "to": "Money question"}},
    )

    line = latest_line(in_english(lead), gif)

    assert line.endswith(
        "Edited by dana: Добавлено: «Money question». "
        "Не подходит для: (empty) → Money question"
    )


@pytest.mark.django_db
def test_the_admins_history_list_reads_in_the_admins_language(
    admin_user, agent, upload_gif
):
    on_the_shelf = describe(upload_gif, status=Gif.Status.APPROVED)
    with translation.override("ru"):
        on_the_shelf.flag(by=agent, reason=AgentFlag.Reason.CUSTOMER_OFFENDED)
    assert site.is_registered(GifEvent)

    page = in_english(admin_user).get(reverse("admin:library_gifevent_changelist"))

    assert page.status_code == 200
    assert "A customer was offended" in page.content.decode()


@pytest.mark.django_db
def test_the_admins_history_search_finds_what_curators_and_agents_typed(
    admin_user, agent, other_curator, upload_gif
):
    flagged = describe(upload_gif, title="Happy dance", status=Gif.Status.APPROVED)
    flagged.flag(
        by=agent, reason=AgentFlag.Reason.OTHER, note="Customer said it was creepy"
    )
    # Its review note: "Ends on a wink".
    approve_flashing(in_english(other_curator), upload_gif, other_curator)
    history = reverse("admin:library_gifevent_changelist")
    admin_client = in_english(admin_user)

    def found(words):
        page = admin_client.get(history, {"q": words}).content.decode()
        return page.count('class="field-description"')

    assert found("creepy") == 1
    assert found("wink") == 1
    assert found("no note says this") == 0

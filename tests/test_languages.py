"""English and Russian: the UI speaks the member's language, tags carry a name
in each, and search finds a GIF by either."""

import re
from datetime import datetime, timedelta
from html import unescape
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from library.models import (
    AgentFlag,
    ApiToken,
    ConversationContext,
    Copy,
    Gif,
    HouseRules,
    MoodTag,
    Preferences,
    ReviewFlag,
    SituationTag,
)
from library.templatetags.moments import short_date
from tests import images
from tests.conftest import PASSWORD

# Latin words a Russian page may keep on purpose: formats and standards,
# key names, the brand, the HTTP phrase of a status code, and the switch's
# "English" (each language is named in itself).
ALLOWED_LATIN = {
    "gifshelf",
    "English",
    "GIF",
    "PNG",
    "WebP",
    "JPEG",
    "Markdown",
    "URL",
    "API",
    "CSV",
    "WCAG",
    "Gone",
    "Ctrl",
    "Esc",
    "Enter",
    "Mac",
    "Authorization",
    "Bearer",
    "SVG",
    "Slack",
    "HTML",
}
# The fixture's data: titles, alt text, usernames, file and token names.
DATA = {
    "Bowing",
    "cat",
    "Cat",
    "waves",
    "Otter",
    "claps",
    "Sheep",
    "nods",
    "Pending",
    "wave",
    "alice",
    "bob",
    "carol",
    "dana",
    "macro",
    "bot",
    "gs",
    "logo",
    "svg",
    "happy",
    "gif",
    "zz",
    "Happy",
    "Bow",
}


def visible_text(html):
    """What a reader sees: no scripts, styles, JSON data, tags or comments."""
    html = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    html = re.sub(r"(?s)<[^>]+>", " ", html)
    return " ".join(unescape(html).split())


def english_left(html, data=()):
    words = re.findall(r"[A-Za-z]{2,}", visible_text(html))
    allowed = ALLOWED_LATIN | DATA | set(data)
    return sorted({word for word in words if word not in allowed})


def in_russian(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    return client


def russian_client(user):
    client = in_russian(Client())
    client.force_login(user)
    return client


@pytest.fixture
def shelf(upload_gif, agent, curator, lead):
    """A small shelf with every state the pages show: seeded tags, a context,
    copies, a flag, a pending GIF, a token."""
    thanks = MoodTag.objects.get(name="Thank you")
    solved = SituationTag.objects.get(name="Problem solved")
    bowing = upload_gif(
        data=images.gif_bytes(seed=1, duration=400),
        title="Bowing cat",
        alt_text="Cat waves",
        mood=[thanks],
        situation=[solved],
        status=Gif.Status.APPROVED,
    )
    otter = upload_gif(
        data=images.gif_bytes(seed=2, duration=400),
        title="Otter claps",
        alt_text="Otter claps",
        mood=[MoodTag.objects.get(name="Celebrating")],
        status=Gif.Status.APPROVED,
    )
    sheep = upload_gif(
        data=images.gif_bytes(seed=3, duration=400),
        title="Sheep nods",
        alt_text="Sheep nods",
        mood=[MoodTag.objects.get(name="Sorry")],
        status=Gif.Status.APPROVED,
    )
    Gif.objects.filter(pk=sheep.pk).update(
        created_at=timezone.now() - timedelta(days=200),
        review_flags=[ReviewFlag.SURPRISE_ENDING],
    )
    sheep.flag(by=agent, reason=AgentFlag.Reason.CUSTOMER_OFFENDED)
    pending = upload_gif(data=images.gif_bytes(seed=4, duration=400), title="Pending")
    context = ConversationContext.objects.get(slug="outage")
    for days_ago in (0, 1, 1):
        Copy.objects.create(
            gif=bowing,
            agent=agent,
            format=Copy.Format.LINK,
            context=context,
            at=timezone.now() - timedelta(days=days_ago),
        )
    otter.record_copy(by=agent, format=Copy.Format.MARKDOWN)
    bowing.record(
        bowing.events.model.Action.EDITED,
        by=lead,
        changes={"Название": {"from": "Bow", "to": "Bowing cat"}},
    )
    return {"bowing": bowing, "otter": otter, "sheep": sheep, "pending": pending}


# page, who looks at it, URL name, the GIF it is about, query string
RUSSIAN_PAGES = [
    ("picker", "agent", "library:home", None, ""),
    ("picker search", "agent", "library:home", None, "?q=cat"),
    ("picker, nothing found", "agent", "library:home", None, "?q=zz"),
    ("GIF page", "lead", "library:gif_detail", "bowing", ""),
    ("review page", "curator", "library:review", "pending", ""),
    ("flagged review page", "curator", "library:review", "sheep", ""),
    ("review queue", "curator", "library:review_queue", None, ""),
    ("upload page", "curator", "library:upload", None, ""),
    ("my uploads", "curator", "library:my_uploads", None, ""),
    ("dashboard", "lead", "library:dashboard", None, ""),
    ("preferences", "agent", "library:preferences", None, ""),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "role", "url_name", "about", "query"),
    RUSSIAN_PAGES,
    ids=[p[0] for p in RUSSIAN_PAGES],
)
def test_a_page_in_russian_has_no_english_left_but_names_and_data(
    page, role, url_name, about, query, shelf, agent, curator, lead
):
    users = {"agent": agent, "curator": curator, "lead": lead}
    client = russian_client(users[role])
    Preferences.of(agent)
    token, _ = agent.api_tokens.model.issue(agent, "bot macro")

    args = [shelf[about].pk] if about else []
    response = client.get(reverse(url_name, args=args) + query)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru">' in html
    # The start of a token (random letters) is data too.
    assert english_left(html, data=re.findall(r"[A-Za-z]+", token.hint)) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("alt_text", "status", "said"),
    [
        ("", 400, "Гифка не одобрена, и подробности не сохранены"),
        ("Cat waves", 409, "Подробности «Pending» сохранены, но гифка не одобрена."),
    ],
)
def test_details_sent_with_a_refused_approval_in_russian(
    alt_text, status, said, shelf, other_curator
):
    client = russian_client(other_curator)
    details = {"with_details": "1", "title": "Pending", "alt_text": alt_text}

    response = client.post(
        reverse("library:approve", args=[shelf["pending"].pk]),
        {**details, "mood": ["Thank you"]},
    )

    html = response.content.decode()
    assert response.status_code == status
    assert said in html
    assert english_left(html) == []


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["library:review", "library:gif_edit"])
def test_a_taken_down_gifs_pages_in_russian_have_no_english_left(url_name, shelf, lead):
    shelf["otter"].take_down(by=lead, reason="Правообладатель попросил.")

    response = russian_client(lead).get(reverse(url_name, args=[shelf["otter"].pk]))

    html = response.content.decode()
    assert "Удалена из доступа" in html
    assert english_left(html) == []


@pytest.mark.django_db
def test_retiring_a_pending_gif_is_refused_in_russian(shelf, lead):
    response = russian_client(lead).post(
        reverse("library:gif_retire", args=[shelf["pending"].pk]),
        {"reason": "Устарела."},
        follow=True,
    )

    html = response.content.decode()
    assert "Гифка «Pending» ещё ждёт проверки" in html
    assert english_left(html) == []


@pytest.mark.django_db
def test_the_login_page_in_russian_has_no_english_left(client):
    response = in_russian(client).get(reverse("login"))

    assert "Вход в gifshelf" in response.content.decode()
    assert english_left(response.content.decode()) == []


@pytest.mark.django_db
def test_upload_results_and_refusals_in_russian_have_no_english_left(curator):
    client = russian_client(curator)
    files = [
        SimpleUploadedFile("happy.gif", images.gif_bytes(seed=9, duration=400)),
        SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ]

    response = client.post(reverse("library:upload"), {"files": files}, follow=True)

    html = response.content.decode()
    assert "1 файл добавлен на проверку, 1 отклонён" in html
    assert "Рисунки SVG не принимаются" in html
    assert english_left(html) == []


@pytest.mark.django_db
def test_the_checker_catches_english_it_is_not_told_to_allow():
    assert english_left("<p>Гифка <b>waiting</b> for review</p>") == [
        "for",
        "review",
        "waiting",
    ]
    assert english_left("<script>say('Copied')</script><p>Скопировано</p>") == []


# Choosing the language


@pytest.mark.django_db
def test_english_is_the_default_when_the_browser_says_nothing(agent_client, shelf):
    html = agent_client.get(reverse("library:home")).content.decode()

    assert '<html lang="en">' in html
    assert "Search the shelf" in html


@pytest.mark.django_db
def test_a_new_member_whose_browser_asks_for_russian_gets_russian(agent, shelf):
    client = russian_client(agent)

    html = client.get(reverse("library:home")).content.decode()

    assert '<html lang="ru">' in html
    assert "Поиск по полке" in html
    assert "Благодарю" in html  # the seeded tag, by its Russian name


@pytest.mark.django_db
def test_the_header_switch_changes_the_language_and_follows_the_member(agent):
    client = Client()
    client.force_login(agent)
    assert "Search the shelf" in client.get(reverse("library:home")).content.decode()

    response = client.post(
        reverse("choose_language"), {"language": "ru", "next": "/preferences/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/preferences/"
    assert "Поиск по полке" in client.get(reverse("library:home")).content.decode()
    # Another session on another device, whose browser asks for English.
    elsewhere = Client(headers={"Accept-Language": "en"})
    elsewhere.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert "Поиск по полке" in elsewhere.get(reverse("library:home")).content.decode()


@pytest.mark.django_db
def test_switching_back_to_english_is_remembered_too(agent):
    Preferences.objects.create(user=agent, language="ru")
    client = Client()
    client.force_login(agent)
    assert "Поиск по полке" in client.get(reverse("library:home")).content.decode()

    client.post(reverse("choose_language"), {"language": "en"})

    assert Preferences.language_of(agent) == "en"
    fresh = Client(headers={"Accept-Language": "ru"})
    fresh.force_login(User.objects.get(pk=agent.pk))
    assert "Search the shelf" in fresh.get(reverse("library:home")).content.decode()


@pytest.mark.django_db
def test_a_visitor_who_is_not_logged_in_keeps_the_choice_in_a_cookie(client):
    response = client.post(
        reverse("choose_language"), {"language": "ru", "next": "/accounts/login/"}
    )

    assert response.cookies["django_language"].value == "ru"
    assert "Вход в gifshelf" in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_the_switch_ignores_a_language_the_shelf_does_not_speak(agent_client):
    agent_client.post(reverse("choose_language"), {"language": "xx"})

    assert Preferences.language_of(agent_client.session["_auth_user_id"]) == ""


@pytest.mark.django_db
def test_the_switch_refuses_get(agent_client):
    assert agent_client.get(reverse("choose_language")).status_code == 405


def switch_leads_to(response):
    """The page the header's language switch on `response` leads back to."""
    switch = re.search(
        r'<form class="language-switch".*?</form>', response.content.decode(), re.S
    )
    return unescape(re.search(r'name="next" value="([^"]*)"', switch[0])[1])


def switch_to_russian(client, response):
    return client.post(
        reverse("choose_language"),
        {"language": "ru", "next": switch_leads_to(response)},
        follow=True,
    )


@pytest.mark.django_db
def test_the_switch_keeps_the_query_of_the_page_it_is_on(lead_client):
    response = lead_client.get(
        reverse("library:bulk_appropriateness"), {"q": "face", "status": "approved"}
    )

    assert switch_leads_to(response) == "/appropriateness/?q=face&status=approved"


@pytest.mark.django_db
def test_the_switch_after_a_refused_rejection_shows_the_review_page_in_russian(
    other_curator, pending_gif
):
    client = Client()
    client.force_login(other_curator)
    review_url = reverse("library:review", args=[pending_gif.pk])
    refused = client.post(
        reverse("library:reject", args=[pending_gif.pk]),
        {"reason": ""},
        headers={"Referer": f"http://testserver{review_url}"},
    )
    assert "Say why you reject it" in refused.content.decode()

    switched = switch_to_russian(client, refused)

    assert switched.redirect_chain == [(review_url, 302)]
    assert switched.status_code == 200
    assert "Отклонить" in switched.content.decode()


@pytest.mark.django_db
def test_the_switch_after_a_second_refusal_still_leads_to_the_review_page(
    other_curator, pending_gif
):
    # Sent again from the refused page: its Referer is the POST-only address.
    client = Client()
    client.force_login(other_curator)
    reject_url = reverse("library:reject", args=[pending_gif.pk])
    refused = client.post(
        reject_url,
        {"reason": ""},
        headers={"Referer": f"http://testserver{reject_url}"},
    )

    assert switch_leads_to(refused) == reverse("library:review", args=[pending_gif.pk])


@pytest.mark.django_db
def test_the_switch_after_a_refused_bulk_change_keeps_the_filters(
    lead_client, approved_gif
):
    refused = lead_client.post(
        reverse("library:bulk_appropriateness_apply"),
        {"q": "face", "change": "add"},
        headers={"Referer": "http://testserver/appropriateness/?q=face"},
    )
    assert refused.status_code == 400

    switched = switch_to_russian(lead_client, refused)

    assert switched.redirect_chain == [("/appropriateness/?q=face", 302)]
    assert switched.status_code == 200
    assert switched.context["filter_form"]["q"].value() == "face"


@pytest.mark.django_db
def test_the_switch_after_a_refused_take_down_leads_to_the_gifs_page(
    lead_client, approved_gif
):
    refused = lead_client.post(
        reverse("library:gif_take_down", args=[approved_gif.pk]), {"reason": ""}
    )
    assert refused.status_code == 400

    assert switch_leads_to(refused) == approved_gif.get_absolute_url()


@pytest.mark.django_db
def test_the_switch_after_a_refused_login_keeps_where_the_login_leads(client):
    login_url = reverse("login") + "?next=/review/"
    refused = client.post(
        login_url,
        {"username": "nobody", "password": "wrong"},
        headers={"Referer": f"http://testserver{login_url}"},
    )

    assert switch_leads_to(refused) == login_url


@pytest.mark.django_db
def test_the_switch_after_a_form_sent_from_another_site_leads_home(lead_client):
    refused = lead_client.post(
        reverse("library:context_create"),
        {"name": ""},
        headers={"Referer": "https://elsewhere.example/contexts/new/"},
    )
    assert refused.status_code == 400

    assert switch_leads_to(refused) == reverse("library:home")


# Plural forms


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 гифка"),
        (2, "2 гифки"),
        (5, "5 гифок"),
        (11, "11 гифок"),
        (12, "12 гифок"),
        (21, "21 гифка"),
        (22, "22 гифки"),
        (111, "111 гифок"),
    ],
)
def test_russian_counts_take_the_right_plural_form(count, expected):
    # The template text of the picker's result count, as the page renders it.
    template = Template(
        "{% load i18n %}{% blocktranslate count counter=n %}{{ counter }} GIF"
        "{% plural %}{{ counter }} GIFs{% endblocktranslate %}"
    )
    with translation.override("ru"):
        assert template.render(Context({"n": count})) == expected
    with translation.override("en"):
        assert template.render(Context({"n": count})).endswith(
            "GIF" if count == 1 else "GIFs"
        )


@pytest.mark.django_db
def test_the_picker_counts_in_russian(agent, shelf):
    html = russian_client(agent).get(reverse("library:home")).content.decode()

    assert "2 гифки" in visible_text(html)


@pytest.mark.django_db
def test_nothing_found_quotes_the_words_as_russian_does(agent, shelf):
    page = reverse("library:home") + "?q=ёлка"

    html = russian_client(agent).get(page).content.decode()

    assert "<title>«ёлка» · gifshelf</title>" in html
    assert "Ничего не найдено по запросу «ёлка»." in visible_text(html)


@pytest.mark.django_db
def test_a_conversation_without_gifs_says_so_in_russian(agent, shelf):
    client = russian_client(agent)
    client.post(reverse("library:picker_context"), {"context": "first-contact"})

    html = client.get(reverse("library:home")).content.decode()

    assert "В таком разговоре гифки не отправляют: «Первый контакт»." in html
    assert english_left(html) == []


@pytest.mark.django_db
def test_the_review_badge_counts_agents_in_russian(curator, shelf, other_curator):
    shelf["sheep"].flag(by=other_curator, reason=AgentFlag.Reason.BROKEN)

    html = russian_client(curator).get(reverse("library:review_queue")).content.decode()

    assert "Жалобы от 2 агентов" in html


# "4 Дек 2026": Django's own Russian month abbreviation, capitalised.
CAPITALISED_MONTH = r"\d (Янв|Фев|Мар|Апр|Май|Июн|Июл|Авг|Сен|Окт|Ноя|Дек)\b"


@pytest.mark.parametrize(
    ("language", "moment", "format", "written"),
    [
        ("ru", datetime(2026, 12, 4, 9, 5), "j M Y", "4 дек. 2026"),
        ("ru", datetime(2026, 11, 6, 9, 5), "j M", "6 нояб."),
        ("ru", datetime(2026, 5, 1, 9, 5), "j M Y, H:i", "1 мая 2026, 09:05"),
        ("ru", datetime(2026, 9, 30, 9, 5), "j M Y", "30 сент. 2026"),
        ("en", datetime(2026, 12, 4, 9, 5), "j M Y, H:i", "4 Dec 2026, 09:05"),
        ("en", datetime(2026, 5, 1, 9, 5), "j M", "1 May"),
    ],
)
def test_a_short_date_writes_the_month_as_the_language_does(
    language, moment, format, written
):
    with translation.override(language):
        assert short_date(moment, format) == written


@pytest.mark.django_db
def test_history_and_the_dashboard_chart_write_months_in_lower_case_in_russian(
    lead, shelf
):
    shelf["bowing"].record_copy(by=lead, format="link")
    history = russian_client(lead).get(
        reverse("library:gif_detail", args=[shelf["bowing"].pk])
    )
    dashboard = russian_client(lead).get(reverse("library:dashboard"))
    bulk = russian_client(lead).get(reverse("library:bulk_appropriateness"))

    with translation.override("ru"):
        today = short_date(timezone.localdate(), "j M")
    for response in (history, dashboard, bulk):
        text = visible_text(response.content.decode())
        assert not re.search(CAPITALISED_MONTH, text), text
    # The chart's busiest day, in its description; the last copy's day.
    assert today in dashboard.content.decode()
    assert today in visible_text(bulk.content.decode())


@pytest.mark.django_db
def test_dates_and_numbers_follow_the_language(lead, shelf):
    with translation.override("ru"):
        uploaded = short_date(timezone.localtime(shelf["bowing"].created_at))
    page = reverse("library:gif_detail", args=[shelf["bowing"].pk])

    text = visible_text(russian_client(lead).get(page).content.decode())

    assert re.search(r"[а-я]", uploaded)  # the month's Russian abbreviation
    assert uploaded in text
    assert not re.search(CAPITALISED_MONTH, text), text
    assert re.search(r"\d+(,\d)?\s(КБ|байт)", text)  # Russian units


# Search in either language


@pytest.mark.django_db
def test_a_tag_is_found_by_its_english_or_its_russian_name(agent_client, shelf):
    def found(q):
        response = agent_client.get(reverse("library:api_gifs"), {"q": q})
        return [result["title"] for result in response.json()["results"]]

    assert found("thank you") == ["Bowing cat"]
    assert found("Благодарю") == ["Bowing cat"]
    assert found("благод") == ["Bowing cat"]
    assert found("проблема решена") == ["Bowing cat"]
    assert found("problem solved") == ["Bowing cat"]


@pytest.mark.django_db
def test_renaming_a_tag_in_russian_reindexes_its_gifs(agent_client, shelf):
    tag = MoodTag.objects.get(name="Celebrating")
    tag.name_ru = "Ликуем"
    tag.save()

    response = agent_client.get(reverse("library:api_gifs"), {"q": "ликуем"})

    assert [r["title"] for r in response.json()["results"]] == ["Otter claps"]


@pytest.mark.django_db
def test_the_api_answers_errors_in_the_language_asked_for(agent_client):
    response = agent_client.get(
        reverse("library:api_gifs"), {"mood": "nope"}, headers={"Accept-Language": "ru"}
    )

    assert response.status_code == 400
    assert response.json() == {"error": "Настроения «nope» нет.", "code": "invalid"}


@pytest.mark.django_db
def test_contexts_show_their_russian_name_and_description(agent, shelf):
    client = russian_client(agent)
    client.post(reverse("library:picker_context"), {"context": "money-question"})

    html = client.get(reverse("library:home")).content.decode()

    assert "Вопрос о деньгах" in html
    assert "Оплата, счета, возвраты, платежи" in html


# The team leads' pages in Russian


def latin_words(*texts):
    """Words of English data a page shows as it is, e.g. in a text box."""
    return {word for text in texts for word in re.findall(r"[A-Za-z]+", text)}


def russian_leads_page(lead, url, data=()):
    response = russian_client(lead).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru">' in html
    return html, english_left(html, data=data)


@pytest.mark.django_db
def test_the_bulk_appropriateness_page_with_a_selection_in_russian(lead, shelf):
    thanks = MoodTag.objects.get(name="Thank you")
    bulk = reverse("library:bulk_appropriateness")

    html, left = russian_leads_page(lead, f"{bulk}?tag=mood:{thanks.pk}&usage=never")
    assert "Подходит 0 гифок." in visible_text(html)
    assert left == []

    html, left = russian_leads_page(lead, f"{bulk}?tag=mood:{thanks.pk}")
    assert "Подходит 1 гифка." in visible_text(html)
    assert "Благодарю" in visible_text(html)
    assert left == []

    # Ticked, but no tag chosen: the page comes back with the boxes still
    # ticked and the refusal in Russian.
    client = russian_client(lead)
    refused = client.post(
        reverse("library:bulk_appropriateness_apply"),
        {"gifs": [shelf["bowing"].pk, shelf["otter"].pk], "change": "add"},
    )
    assert refused.status_code == 400
    assert english_left(refused.content.decode()) == []

    done = client.post(
        reverse("library:bulk_appropriateness_apply"),
        {
            "gifs": [shelf["bowing"].pk, shelf["otter"].pk],
            "change": "add",
            "tags": ["Playful"],
        },
        follow=True,
    )
    text = visible_text(done.content.decode())
    assert "К 2 гифкам добавлено: «Игривое»." in text
    assert english_left(done.content.decode()) == []


@pytest.mark.django_db
def test_the_contexts_list_and_edit_page_in_russian(lead, shelf):
    outage = ConversationContext.objects.get(slug="outage")

    html, left = russian_leads_page(lead, reverse("library:contexts"))
    assert "Сбой или ошибка" in visible_text(html)
    assert left == []

    # The English name and description are data being edited, in their boxes.
    html, left = russian_leads_page(
        lead,
        reverse("library:context_edit", args=[outage.pk]),
        data=latin_words(outage.description),
    )
    assert "Изменить «Сбой или ошибка»" in visible_text(html)
    assert left == []
    assert (
        english_left(
            russian_client(lead).get(reverse("library:context_create")).content.decode()
        )
        == []
    )


@pytest.mark.django_db
def test_the_vocabularies_and_a_guidance_page_in_russian(lead, shelf):
    happy = MoodTag.objects.get(name="Happy")

    html, left = russian_leads_page(lead, reverse("library:vocabularies"))
    assert "Радость" in visible_text(html)
    assert happy.use_when_ru in visible_text(html)
    assert left == []

    html, left = russian_leads_page(
        lead,
        reverse("library:tag_guidance", args=["mood", happy.pk]),
        # The English notes in their boxes, and the English example under
        # them (that box is written in English).
        data=latin_words(
            happy.use_when,
            happy.avoid_when,
            "the customer thanked you",
            "the topic is money",
        ),
    )
    assert "Рекомендации для «Радость»" in visible_text(html)
    assert left == []


@pytest.mark.django_db
def test_the_house_rules_and_their_edit_page_in_russian(lead, shelf):
    rules = HouseRules.current()

    html, left = russian_leads_page(lead, reverse("library:house_rules"))
    assert "Гифка сопровождает настоящую помощь" in visible_text(html)
    assert left == []

    html, left = russian_leads_page(
        lead, reverse("library:house_rules_edit"), data=latin_words(rules.text)
    )
    assert left == []


@pytest.mark.django_db
def test_the_picker_with_the_house_rules_panel_in_russian(agent, shelf):
    html = russian_client(agent).get(reverse("library:home")).content.decode()

    assert "data-house-rules" in html
    assert "Перед первой гифкой: правила команды" in visible_text(html)
    assert "никогда не заменяет ответ" in visible_text(html)
    assert english_left(html) == []


@pytest.mark.django_db
def test_the_login_page_with_a_lockout_in_russian(settings, agent):
    settings.GIFSHELF_LOGIN_FAILURES_PER_ACCOUNT = 2
    client = in_russian(Client())
    for _ in range(2):
        client.post(reverse("login"), {"username": "alice", "password": "nope"})

    response = client.post(reverse("login"), {"username": "alice", "password": "x"})

    html = response.content.decode()
    assert "Слишком много неудачных попыток входа" in html
    assert re.search(r"Попробуйте снова через \d+ (минуту|минуты|минут)\.", html)
    assert english_left(html) == []


# Each reader sees the leads' words in their language


@pytest.mark.django_db
def test_house_rules_context_and_guidance_show_in_the_readers_language(agent, shelf):
    english, russian = Client(), russian_client(agent)
    english.force_login(agent)
    english.post(reverse("library:picker_context"), {"context": "money-question"})
    russian.post(reverse("library:picker_context"), {"context": "money-question"})
    thanks = MoodTag.objects.get(name="Thank you")
    with_chip = reverse("library:home") + "?mood=Thank+you"

    rules_en = visible_text(
        english.get(reverse("library:house_rules")).content.decode()
    )
    rules_ru = visible_text(
        russian.get(reverse("library:house_rules")).content.decode()
    )
    picker_en = visible_text(english.get(with_chip).content.decode())
    picker_ru = visible_text(russian.get(with_chip).content.decode())

    assert "A GIF accompanies real help" in rules_en
    assert "Гифка сопровождает" not in rules_en
    assert "Гифка сопровождает настоящую помощь" in rules_ru
    assert "A GIF accompanies" not in rules_ru
    assert "A GIF accompanies real help" in picker_en  # the panel
    assert "Гифка сопровождает настоящую помощь" in picker_ru
    assert "Billing, invoices, refunds, payments" in picker_en
    assert "Оплата, счета, возвраты, платежи" in picker_ru
    assert f"Thank you: Use when {thanks.use_when}." in picker_en
    assert f"Благодарю: Используйте, когда {thanks.use_when_ru}." in picker_ru


# The leads write both languages


@pytest.mark.django_db
def test_a_lead_names_and_describes_a_context_in_russian(lead_client, agent):
    outage = ConversationContext.objects.get(slug="outage")

    response = lead_client.post(
        reverse("library:context_edit", args=[outage.pk]),
        {
            "name": outage.name,
            "name_ru": "  Авария ",
            "description": outage.description,
            "description_ru": "Всё лежит: только сочувствие.",
            "hides": [tag.pk for tag in outage.hides.all()],
            "warns": [tag.pk for tag in outage.warns.all()],
            "position": outage.position,
        },
    )

    assert response.status_code == 302
    outage.refresh_from_db()
    assert (outage.name_ru, outage.description_ru) == (
        "Авария",
        "Всё лежит: только сочувствие.",
    )
    client = russian_client(agent)
    client.post(reverse("library:picker_context"), {"context": "outage"})
    text = visible_text(client.get(reverse("library:home")).content.decode())
    assert "Авария" in text and "Всё лежит: только сочувствие." in text


@pytest.mark.django_db
def test_a_lead_writes_a_tags_russian_name_and_guidance(lead, agent_client, shelf):
    thanks = MoodTag.objects.get(name="Thank you")
    client = russian_client(lead)

    response = client.post(
        reverse("library:tag_guidance", args=["mood", thanks.pk]),
        {
            "name_ru": "Спасибки",
            "use_when": thanks.use_when,
            "avoid_when": thanks.avoid_when,
            "use_when_ru": "клиент сказал спасибо",
            "avoid_when_ru": "",
        },
        follow=True,
    )

    assert "Рекомендации для «Спасибки» сохранены." in response.content.decode()
    thanks.refresh_from_db()
    with translation.override("ru"):
        # The warning not translated yet still reaches Russian agents.
        assert thanks.guidance == (
            "Используйте, когда клиент сказал спасибо. "
            f"Не используйте, когда {thanks.avoid_when.rstrip('.')}."
        )
    found = agent_client.get(reverse("library:api_gifs"), {"q": "спасибки"}).json()
    assert [result["title"] for result in found["results"]] == ["Bowing cat"]


@pytest.mark.django_db
def test_a_russian_name_taken_by_another_tag_is_refused(lead_client):
    thanks = MoodTag.objects.get(name="Thank you")

    # "радость": SQLite compares the case of ASCII letters only.
    for taken in ("Радость", "радость", "happy"):
        response = lead_client.post(
            reverse("library:tag_guidance", args=["mood", thanks.pk]),
            {"name_ru": taken, "use_when": "", "avoid_when": ""},
        )

        assert response.status_code == 400
        assert "is taken: the mood “Happy” is called that." in unescape(
            response.content.decode()
        )
    assert MoodTag.objects.get(pk=thanks.pk).name_ru == "Благодарю"


@pytest.mark.django_db
def test_a_russian_name_another_vocabulary_has_is_refused(lead_client):
    thanks = MoodTag.objects.get(name="Thank you")

    response = lead_client.post(
        reverse("library:tag_guidance", args=["mood", thanks.pk]),
        {"name_ru": "Извинение", "use_when": "", "avoid_when": ""},
    )

    assert response.status_code == 400
    assert "the situation “Apology” is called that." in unescape(
        response.content.decode()
    )
    assert MoodTag.objects.get(pk=thanks.pk).name_ru == "Благодарю"


@pytest.mark.django_db
def test_a_lead_edits_the_russian_house_rules(lead_client, agent):
    lead_client.post(
        reverse("library:house_rules_edit"),
        {"text": "1. Be kind.", "text_ru": "1. Будьте добры.", "show_again": "on"},
    )

    rules = HouseRules.current()
    assert (rules.text, rules.text_ru, rules.version) == (
        "1. Be kind.",
        "1. Будьте добры.",
        2,
    )
    html = russian_client(agent).get(reverse("library:home")).content.decode()
    assert "<li>Будьте добры.</li>" in html
    # Without Russian rules, Russian readers get the English ones.
    lead_client.post(reverse("library:house_rules_edit"), {"text": "1. Be kind."})
    html = russian_client(agent).get(reverse("library:house_rules")).content.decode()
    assert "<li>Be kind.</li>" in html


@pytest.mark.django_db
def test_the_russian_rules_are_seeded_only_over_the_seeded_english():
    migration = import_module("library.migrations.0015_house_rules_in_russian")
    rules = HouseRules.current()
    assert rules.text == migration.SEEDED
    assert rules.text_ru == migration.HOUSE_RULES_RU

    HouseRules.objects.update(text_ru="")
    migration.fill_russian(django_apps, None)
    assert HouseRules.current().text_ru == migration.HOUSE_RULES_RU

    HouseRules.objects.update(text="1. Our own rules.", text_ru="")
    migration.fill_russian(django_apps, None)
    assert HouseRules.current().text_ru == ""


@pytest.mark.django_db
def test_revoking_a_token_asks_in_russian(agent):
    token, _ = ApiToken.issue(agent, "bot macro")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())

    response = russian_client(agent).get(
        reverse("library:token_revoke", args=[token.pk])
    )

    html = response.content.decode()
    assert "Отозвать «bot macro»?" in html
    hint = re.findall(r"[A-Za-z]+", token.hint)
    assert english_left(html, data=["bot", "macro", *hint]) == []


def test_russian_calls_a_gif_a_gifka_except_where_it_names_the_file_format():
    catalogue = translation.trans_real.translation("ru")._catalog
    bare_gif = [
        text
        for _, text in catalogue.items()
        if re.search(r"\bGIF\b", text) and "PNG" not in text
    ]

    assert bare_gif == []

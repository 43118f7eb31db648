"""Every page that shows a list costs the same few queries however long the
list: no query per row (the picker and the search API have their own tests
in test_picker.py and test_search.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from library.models import (
    AgentFlag,
    ApiToken,
    ConversationContext,
    Copy,
    Gif,
    GifEvent,
    MoodTag,
    SituationTag,
    TagAlias,
)
from tests import images


def queries(client, url, **params):
    # Once first, so what a first visit creates (preferences, a session
    # write) is not counted against the list.
    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
        assert response.status_code == 200
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    return len(captured.captured_queries)


def assert_flat(few, many, ceiling):
    """The same number of queries for a short and a long list, and few."""
    assert many == few, f"{few} queries for a short list, {many} for a long one"
    assert few <= ceiling, f"{few} queries, more than {ceiling}"


@pytest.fixture
def put(upload_gif, other_curator):
    """put(n, status) adds n GIFs, each tagged, uploaded by another curator."""
    seeds = iter(range(100, 10_000))

    def add(count, status=Gif.Status.PENDING, **fields):
        fields.setdefault("by", other_curator)
        return [
            upload_gif(
                data=images.gif_bytes(seed=next(seeds)),
                status=status,
                title=f"GIF {next(seeds)}",
                mood=[MoodTag.objects.get(name="Thank you")],
                situation=[SituationTag.objects.first()],
                **fields,
            )
            for _ in range(count)
        ]

    return add


@pytest.mark.django_db
def test_the_review_queue_takes_a_fixed_few_queries(curator_client, agent, put):
    url = reverse("library:review_queue")
    put(1)
    few = queries(curator_client, url)

    put(8)
    for gif in put(3, status=Gif.Status.APPROVED):
        gif.flag(by=agent, reason=AgentFlag.Reason.CUSTOMER_OFFENDED)
    many = queries(curator_client, url)

    assert "Flagged by 1 agent" in curator_client.get(url).content.decode()
    assert_flat(few, many, 12)


@pytest.mark.django_db
def test_my_uploads_takes_a_fixed_few_queries(curator_client, curator, put):
    url = reverse("library:my_uploads")
    put(1, by=curator)
    few = queries(curator_client, url)

    put(4, by=curator)
    put(3, status=Gif.Status.APPROVED, by=curator)
    rejected = put(2, by=curator)
    Gif.objects.filter(pk__in=[g.pk for g in rejected]).update(
        status=Gif.Status.REJECTED, rejection_reason="Blurry."
    )
    for gif in put(2, status=Gif.Status.APPROVED, by=curator):
        gif.retire(by=curator, reason="Worn out.")
    many = queries(curator_client, url)

    assert_flat(few, many, 10)


@pytest.mark.django_db
def test_the_aliases_page_takes_a_fixed_few_queries(curator_client):
    url = reverse("library:aliases")
    TagAlias.objects.create(name="thx", target="Thank you")
    few = queries(curator_client, url)

    for number in range(15):
        TagAlias.objects.create(name=f"word{number}", target="Thank you")
    many = queries(curator_client, url)

    assert_flat(few, many, 10)


@pytest.mark.django_db
def test_the_preferences_page_takes_a_fixed_few_queries(agent_client, agent):
    url = reverse("library:preferences")
    ApiToken.issue(agent, "Bot 0")
    few = queries(agent_client, url)

    for number in range(1, 10):
        ApiToken.issue(agent, f"Bot {number}")
    many = queries(agent_client, url)

    assert_flat(few, many, 10)


@pytest.mark.django_db
def test_a_gifs_page_with_a_long_history_takes_a_fixed_few_queries(
    lead_client, lead, agent, curator, put
):
    (gif,) = put(1, status=Gif.Status.APPROVED)
    url = reverse("library:gif_detail", args=[gif.pk])
    few = queries(lead_client, url)

    for number in range(20):
        GifEvent.objects.create(
            gif=gif,
            actor=(lead, agent, curator)[number % 3],
            action=GifEvent.Action.EDITED,
            summary="Edited.",
            changes={"title": {"from": f"Old {number}", "to": f"New {number}"}},
        )
    gif.flag(by=agent, reason=AgentFlag.Reason.CUSTOMER_OFFENDED)
    AgentFlag.objects.update(resolved_at=timezone.now())
    many = queries(lead_client, url)

    assert_flat(few, many, 20)


@pytest.mark.django_db
def test_a_russian_readers_long_history_of_tag_changes_takes_a_fixed_few_queries(
    lead_client, lead, put
):
    (gif,) = put(1, status=Gif.Status.APPROVED)
    url = reverse("library:gif_detail", args=[gif.pk])
    lead_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    moods = list(MoodTag.objects.values_list("name", flat=True))

    def tag_change(number):
        GifEvent.objects.create(
            gif=gif,
            actor=lead,
            action=GifEvent.Action.EDITED,
            changes={"mood": {"from": [], "to": [moods[number % len(moods)]]}},
            details={"tags": {"added": ["Money question"], "removed": []}},
        )

    tag_change(0)
    few = queries(lead_client, url)
    for number in range(1, 20):
        tag_change(number)
    many = queries(lead_client, url)

    assert_flat(few, many, 12)
    assert "Вопрос о деньгах" in lead_client.get(url).content.decode()


@pytest.fixture
def copies(agent, curator, lead):
    """copies(gifs) records copies of `gifs` by three people in two contexts
    over the last 90 days."""
    contexts = [*ConversationContext.objects.all()[:2], None]
    people = [agent, curator, lead]

    def record(gifs):
        now = timezone.now()
        Copy.objects.bulk_create(
            Copy(
                gif=gif,
                agent=people[number % 3],
                context=contexts[number % 3],
                format=Copy.Format.LINK,
                at=now - timedelta(days=number % 80, hours=number % 7),
            )
            for number, gif in enumerate(gifs * 4)
        )

    return record


@pytest.mark.django_db
def test_the_dashboard_and_its_csvs_take_a_fixed_few_queries_however_busy(
    lead_client, agent, put, copies
):
    first = put(2, status=Gif.Status.APPROVED)
    copies(first)
    pages = [(reverse("library:dashboard"), {"days": "90"})] + [
        (reverse("library:dashboard_csv", args=[table]), {"days": "90"})
        for table in (
            "top-gifs",
            "never-copied",
            "by-context",
            "by-mood",
            "open-flags",
            "per-agent",
        )
    ]
    few = [queries(lead_client, url, **params) for url, params in pages]

    more = put(8, status=Gif.Status.APPROVED)
    Gif.objects.update(created_at=timezone.now() - timedelta(days=200))
    copies(more[:5])
    for gif in more[5:]:
        gif.flag(by=agent, reason=AgentFlag.Reason.CUSTOMER_OFFENDED)
    put(3)
    many = [queries(lead_client, url, **params) for url, params in pages]

    assert many == few
    assert few[0] <= 14
    assert max(few[1:]) <= 8

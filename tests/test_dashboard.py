"""The leads' dashboard: what the team copies, counted on known data."""

import csv
import io
from datetime import datetime, time, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from library import charts
from library.models import AgentFlag, ConversationContext, Copy, Gif, MoodTag

# --- The chart's geometry, on its own ---


def test_bars_grow_in_proportion_to_the_largest_value():
    # 148 × 136 leaves a plot of exactly 100 × 100 inside the margins.
    chart = charts.bars([0, 5, 10, 5], 148, 136, labels=["a", "b", "c", "d"])

    assert (chart.left, chart.top, chart.right, chart.bottom) == (40, 12, 140, 112)
    assert [(bar.x, bar.y, bar.width, bar.height) for bar in chart.bars] == [
        (42.5, 112, 20, 0),
        (67.5, 62, 20, 50),
        (92.5, 12, 20, 100),
        (117.5, 62, 20, 50),
    ]
    assert chart.peak == 10
    assert chart.busiest.label == "c"


def test_bars_label_the_last_bar_and_every_nth_before_it():
    chart = charts.bars([1, 2, 3, 4], 148, 136, labels="abcd", max_ticks=2)

    # The last label ends at its bar's right edge, so that it never runs
    # past the chart's.
    assert [(tick.x, tick.label, tick.anchor) for tick in chart.ticks] == [
        (77.5, "b", "middle"),
        (137.5, "d", "end"),
    ]
    assert chart.ticks[-1].x <= chart.right


def test_bars_of_nothing_but_zeros_keep_every_slot_flat():
    chart = charts.bars([0, 0, 0], 148, 136)

    assert len(chart.bars) == 3
    assert {bar.height for bar in chart.bars} == {0}
    assert chart.peak == 0


def test_bars_want_one_label_per_value():
    with pytest.raises(ValueError):
        charts.bars([1, 2], 148, 136, labels=["only one"])


@pytest.mark.parametrize(("count", "step"), [(1, 1), (8, 1), (30, 4), (90, 12)])
def test_day_labels_come_at_most_eight_to_a_chart(count, step):
    assert charts.tick_step(count) == step


# --- Known data ---


def local(days_ago, hour, minute=0):
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def stamp(days_ago, hour, minute=0):
    """How the CSV files write a moment."""
    return f"{local(days_ago, hour, minute):%Y-%m-%d %H:%M}"


def as_on_the_page(rows):
    """`rows` as the page writes them: a moment "5 Dec 2026, 08:14" as every
    other page does, where the CSV has "2026-12-05 08:14" for spreadsheets."""

    def written(text):
        for pattern, page in [
            ("%Y-%m-%d %H:%M", "{moment.day} {moment:%b %Y, %H:%M}"),
            ("%Y-%m-%d", "{moment.day} {moment:%b %Y}"),
        ]:
            try:
                return page.format(moment=datetime.strptime(text, pattern))
            except ValueError:
                continue
        return text

    return [[written(text) for text in row] for row in rows]


def day_label(days_ago):
    day = timezone.localdate() - timedelta(days=days_ago)
    return f"{day.day} {day:%b}"


# gif, days ago, hour, agent, context
COPIES = [
    ("thanks", 0, 9, "alice", "complaint"),
    ("thanks", 0, 10, "alice", "complaint"),
    ("thanks", 3, 11, "bob", None),
    ("thanks", 45, 12, "alice", "celebration"),
    ("oops", 3, 9, "alice", "celebration"),
    ("oops", 3, 10, "alice", "celebration"),
    ("oops", 3, 14, "dana", None),
    ("wave", 10, 16, "bob", None),
    ("wave", 60, 9, "dana", "complaint"),
    ("wave", 60, 10, "dana", "complaint"),
    ("stale", 120, 9, "alice", None),
]


def approved(upload_gif, title, days_on_shelf, moods=()):
    gif = upload_gif(title=title, status=Gif.Status.APPROVED, mood=list(moods))
    Gif.objects.filter(pk=gif.pk).update(
        created_at=timezone.now() - timedelta(days=days_on_shelf)
    )
    return gif


@pytest.fixture
def usage(upload_gif, agent, curator, lead):
    jubilant = MoodTag.objects.get_or_create(name="Jubilant")[0]
    sheepish = MoodTag.objects.get_or_create(name="Sheepish")[0]
    contexts = {
        slug: ConversationContext.objects.get_or_create(
            name=slug.capitalize(), defaults={"slug": f"dashboard-{slug}"}
        )[0]
        for slug in ("complaint", "celebration")
    }
    gifs = {
        "thanks": approved(upload_gif, "Thanks", 200, [jubilant]),
        "oops": approved(upload_gif, "Oops", 200, [jubilant, sheepish]),
        "wave": approved(upload_gif, "Wave", 200),
        "stale": approved(upload_gif, "Stale", 200),
        "dusty": approved(upload_gif, "Dusty", 100),
        # Too new to count as unused: nobody had the time to find it.
        "fresh": approved(upload_gif, "Fresh", 5),
        "flagged": approved(upload_gif, "Flagged", 150),
    }
    gifs["pending"] = upload_gif(title="Pending")
    Gif.objects.filter(pk=gifs["pending"].pk).update(
        created_at=timezone.now() - timedelta(days=5, hours=1)
    )
    flag = gifs["flagged"].flag(by=agent, reason=AgentFlag.Reason.CUSTOMER_OFFENDED)
    agents = {"alice": agent, "bob": curator, "dana": lead}
    for gif, days_ago, hour, who, context in COPIES:
        Copy.objects.create(
            gif=gifs[gif],
            agent=agents[who],
            format=Copy.Format.LINK,
            context=contexts.get(context),
            at=local(days_ago, hour),
        )
    return SimpleNamespace(gifs=gifs, flag=flag)


class Tables(HTMLParser):
    """Every <table data-table="…"> of a page as rows of cell texts."""

    def __init__(self, html):
        super().__init__()
        self.tables, self.links, self._rows, self._cell = {}, {}, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self._name = attrs["data-table"]
            self._rows = self.tables[self._name] = []
            self.links[self._name] = []
        elif self._rows is not None and tag == "tr":
            self._rows.append([])
        elif self._rows is not None and tag in ("th", "td"):
            self._cell = []
        elif self._cell is not None and tag == "a":
            self.links[self._name].append(attrs["href"])

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._rows = None


def dashboard(client, days=None):
    url = reverse("library:dashboard")
    response = client.get(url, {"days": days} if days else {})
    assert response.status_code == 200
    return response.content.decode()


def csv_rows(client, table, days=None):
    url = reverse("library:dashboard_csv", args=[table])
    response = client.get(url, {"days": days} if days else {})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    # The byte order mark Excel needs to read the file as UTF-8.
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def zero_days(period, busy):
    """The per-day rows of `period` days: `busy` {days ago: copies}, else 0."""
    return [
        [
            (timezone.localdate() - timedelta(days=ago)).isoformat(),
            str(busy.get(ago, 0)),
        ]
        for ago in range(period - 1, -1, -1)
    ]


def expected_30():
    return {
        "copies-per-day": [["Day", "Copies"], *zero_days(30, {0: 2, 3: 4, 10: 1})],
        "top-gifs": [
            ["GIF", "Copies", "Last copied"],
            ["Thanks", "3", stamp(0, 10)],
            ["Oops", "3", stamp(3, 14)],
            ["Wave", "1", stamp(10, 16)],
        ],
        "by-context": [
            ["Context", "Copies"],
            ["No context", "3"],
            ["Celebration", "2"],
            ["Complaint", "2"],
        ],
        "by-mood": [
            ["Mood", "Copies"],
            ["Jubilant", "6"],
            ["Sheepish", "3"],
            ["No mood", "1"],
        ],
        "per-agent": [
            ["Agent", "Copies", "Last copied"],
            ["alice", "4", stamp(0, 10)],
            ["bob", "2", stamp(3, 11)],
            ["dana", "1", stamp(3, 14)],
        ],
    }


def expected_90():
    return {
        "copies-per-day": [
            ["Day", "Copies"],
            *zero_days(90, {0: 2, 3: 4, 10: 1, 45: 1, 60: 2}),
        ],
        "top-gifs": [
            ["GIF", "Copies", "Last copied"],
            ["Thanks", "4", stamp(0, 10)],
            ["Oops", "3", stamp(3, 14)],
            ["Wave", "3", stamp(10, 16)],
        ],
        "by-context": [
            ["Context", "Copies"],
            ["Complaint", "4"],
            ["Celebration", "3"],
            ["No context", "3"],
        ],
        "by-mood": [
            ["Mood", "Copies"],
            ["Jubilant", "7"],
            ["Sheepish", "3"],
            ["No mood", "3"],
        ],
        "per-agent": [
            ["Agent", "Copies", "Last copied"],
            ["alice", "5", stamp(0, 10)],
            ["dana", "3", stamp(3, 14)],
            ["bob", "2", stamp(3, 11)],
        ],
    }


def expected_never_copied(usage):
    def on_shelf(gif):
        created_at = Gif.objects.get(pk=gif.pk).created_at
        return f"{timezone.localtime(created_at):%Y-%m-%d %H:%M}"

    return [
        ["GIF", "On the shelf since", "Last copied"],
        ["Stale", on_shelf(usage.gifs["stale"]), stamp(120, 9)],
        ["Dusty", on_shelf(usage.gifs["dusty"]), "never"],
    ]


def expected_open_flags(usage):
    flagged_at = timezone.localtime(AgentFlag.objects.get(pk=usage.flag.pk).created_at)
    return [
        ["GIF", "Why", "Flagged by", "Flagged at"],
        ["Flagged", "A customer was offended", "alice", f"{flagged_at:%Y-%m-%d %H:%M}"],
    ]


# --- The page and its CSV files ---


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days", "expected"),
    [(None, expected_30), ("30", expected_30), ("90", expected_90)],
)
def test_the_tables_count_the_copies_of_the_chosen_period(
    days, expected, lead_client, usage
):
    tables = Tables(dashboard(lead_client, days)).tables

    for name, rows in expected().items():
        assert tables[name] == as_on_the_page(rows), name


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["30", "90"])
def test_every_csv_holds_the_same_rows_as_its_table(days, lead_client, usage):
    tables = Tables(dashboard(lead_client, days)).tables

    assert set(tables) == {
        "copies-per-day",
        "top-gifs",
        "never-copied",
        "by-context",
        "by-mood",
        "open-flags",
        "per-agent",
    }
    for name, rows in tables.items():
        assert as_on_the_page(csv_rows(lead_client, name, days)) == rows, name


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["30", "90"])
def test_the_csv_files_hold_the_known_numbers(days, lead_client, usage):
    expected = expected_30() if days == "30" else expected_90()

    for name, rows in expected.items():
        assert csv_rows(lead_client, name, days) == rows, name


@pytest.mark.django_db
def test_unused_gifs_are_listed_ones_on_the_shelf_a_month_and_idle_for_90_days(
    lead_client, usage
):
    tables = Tables(dashboard(lead_client))

    assert tables.tables["never-copied"] == as_on_the_page(expected_never_copied(usage))
    assert csv_rows(lead_client, "never-copied") == expected_never_copied(usage)
    assert tables.links["never-copied"] == [
        usage.gifs["stale"].get_absolute_url(),
        usage.gifs["dusty"].get_absolute_url(),
    ]


@pytest.mark.django_db
def test_a_long_unused_list_shows_its_oldest_rows_and_the_csv_all_of_them(
    lead_client, usage, monkeypatch
):
    monkeypatch.setattr("library.views.DASHBOARD_PAGE_ROWS", 1)
    everything = expected_never_copied(usage)

    page = dashboard(lead_client)

    assert Tables(page).tables["never-copied"] == as_on_the_page(everything[:2])
    assert (
        '<p class="help" data-more-rows="never-copied">'
        "The first 1 of 2 rows; the CSV lists them all.</p>"
    ) in page
    assert csv_rows(lead_client, "never-copied") == everything


@pytest.mark.django_db
def test_the_note_on_more_rows_speaks_russian(lead, usage, monkeypatch):
    monkeypatch.setattr("library.views.DASHBOARD_PAGE_ROWS", 1)
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(lead)

    assert "Первые 1 из 2 строк; в CSV — все." in dashboard(client)


@pytest.mark.django_db
def test_a_list_within_the_page_says_nothing_about_more_rows(lead_client, usage):
    page = dashboard(lead_client)

    assert len(Tables(page).tables["never-copied"]) == 3  # the header and two
    assert "data-more-rows" not in page


@pytest.mark.django_db
def test_open_flags_link_to_the_review_page(lead_client, usage):
    tables = Tables(dashboard(lead_client))

    assert tables.tables["open-flags"] == as_on_the_page(expected_open_flags(usage))
    assert tables.links["open-flags"] == [
        reverse("library:review", args=[usage.gifs["flagged"].pk])
    ]
    assert csv_rows(lead_client, "open-flags") == expected_open_flags(usage)


@pytest.mark.django_db
def test_top_gifs_link_to_their_pages(lead_client, usage):
    tables = Tables(dashboard(lead_client))

    assert tables.links["top-gifs"] == [
        usage.gifs[name].get_absolute_url() for name in ("thanks", "oops", "wave")
    ]


@pytest.mark.django_db
def test_the_review_queue_counts_pending_and_flagged_gifs_and_ages_the_oldest(
    lead_client, usage
):
    page = dashboard(lead_client)

    assert '<dd data-figure="queue-size">2</dd>' in page
    assert '<dd data-figure="queue-oldest">waiting 5\xa0days' in page
    assert '<dd data-figure="copies">7</dd>' in page


def bars_of(page):
    svg = page[page.index("<svg") : page.index("</svg>")]
    return svg, [int(chunk.split('"', 1)[0]) for chunk in svg.split('data-value="')[1:]]


@pytest.mark.django_db
@pytest.mark.parametrize(("days", "total"), [("30", 7), ("90", 10)])
def test_the_chart_draws_one_bar_a_day_the_tallest_on_the_busiest(
    days, total, lead_client, usage
):
    page = dashboard(lead_client, days)
    svg, values = bars_of(page)

    assert len(values) == int(days)
    assert svg.count('<rect class="bar"') == int(days)
    assert values[-1] == 2  # today
    assert values[-4] == 4  # three days ago: the busiest
    assert sum(values) == total
    chart = charts.bars(values, 720, 220)
    assert chart.busiest is chart.bars[-4]
    assert f'height="{chart.busiest.height}" data-value="4"' in svg
    assert max(bar.height for bar in chart.bars) == chart.busiest.height
    assert f"<title>{day_label(3)}: 4 copies</title>" in svg
    assert '<text class="value-label" data-label="peak"' in svg
    assert ">4</text>" in svg
    assert f"Busiest day: {day_label(3)}, 4 copies." in svg
    assert f'<title id="chart-title">Copies per day, last {days} days</title>' in svg
    assert f">{day_label(0)}</text>" in svg  # today is always labelled
    assert svg.count('class="day-label"') == 8


@pytest.mark.django_db
def test_a_quiet_period_draws_flat_bars_and_says_so(lead_client):
    svg, values = bars_of(dashboard(lead_client))

    assert values == [0] * 30
    assert "0 copies from" in svg
    assert "Busiest day" not in svg


@pytest.mark.django_db
def test_days_are_counted_in_the_configured_time_zone(settings, lead_client, usage):
    settings.TIME_ZONE = "Asia/Tokyo"  # UTC+9, no daylight saving time
    Copy.objects.all().delete()
    # Half past midnight in Tokyo is still yesterday in UTC.
    Copy.objects.create(
        gif=usage.gifs["thanks"], format=Copy.Format.LINK, at=local(0, 0, 30)
    )

    rows = csv_rows(lead_client, "copies-per-day")

    assert rows[-2:] == [
        [(timezone.localdate() - timedelta(days=1)).isoformat(), "0"],
        [timezone.localdate().isoformat(), "1"],
    ]


@pytest.mark.django_db
def test_an_unknown_period_shows_the_last_30_days(lead_client, usage):
    tables = Tables(dashboard(lead_client, "365")).tables

    assert len(tables["copies-per-day"]) == 1 + 30


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("table", "days", "filename"),
    [
        ("top-gifs", "90", "gifshelf-top-gifs-90-days-{today}.csv"),
        ("copies-per-day", None, "gifshelf-copies-per-day-30-days-{today}.csv"),
        ("open-flags", "90", "gifshelf-open-flags-{today}.csv"),
    ],
)
def test_a_csv_downloads_under_a_name_that_says_what_and_when(
    table, days, filename, lead_client
):
    url = reverse("library:dashboard_csv", args=[table])
    response = lead_client.get(url, {"days": days} if days else {})

    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="{filename.format(today=today)}"'
    )


@pytest.mark.django_db
def test_an_unknown_table_is_not_found(lead_client):
    response = lead_client.get(reverse("library:dashboard_csv", args=["salaries"]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_the_page_takes_a_fixed_few_queries(
    lead_client, usage, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        dashboard(lead_client, "90")


@pytest.mark.django_db
def test_only_team_leads_find_the_dashboard_in_the_navigation(client_for):
    dashboard_link = f'href="{reverse("library:dashboard")}"'

    assert dashboard_link in client_for("lead").get("/").content.decode()
    assert dashboard_link not in client_for("curator").get("/").content.decode()
    assert dashboard_link not in client_for("agent").get("/").content.decode()


# --- CSV files that spreadsheets open safely ---


@pytest.mark.django_db
def test_a_csv_starts_with_a_byte_order_mark_so_excel_reads_russian_and_emoji(
    lead_client, upload_gif
):
    approved(upload_gif, "Спасибо 🙏", 100)

    response = lead_client.get(reverse("library:dashboard_csv", args=["never-copied"]))

    assert response.content.startswith("\ufeffGIF,".encode())
    assert "Спасибо 🙏" in [row[0] for row in csv_rows(lead_client, "never-copied")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "title",
    [
        '=HYPERLINK("http://evil.example","x")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_a_title_a_spreadsheet_would_run_as_a_formula_stays_text(
    title, lead_client, upload_gif
):
    gif = approved(upload_gif, "Placeholder", 100)
    # Titles typed in forms lose surrounding whitespace; the API or the admin
    # could still store one like this.
    Gif.objects.filter(pk=gif.pk).update(title=title)

    titles = [row[0] for row in csv_rows(lead_client, "never-copied")]

    assert titles == ["GIF", f"'{title}"]


@pytest.mark.django_db
def test_an_ordinary_title_is_left_as_it_is(lead_client, upload_gif):
    approved(upload_gif, "Oops = sorry", 100)

    titles = [row[0] for row in csv_rows(lead_client, "never-copied")]

    assert titles == ["GIF", "Oops = sorry"]


class CsvLinks(HTMLParser):
    """Each CSV link's accessible name (its text, visually hidden parts
    included) and the heading of the section it sits in."""

    def __init__(self, html):
        super().__init__()
        self.links, self.heading, self.in_link, self.in_heading = [], "", False, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self.heading, self.in_heading = "", True
        if tag == "a" and "csv-link" in (dict(attrs).get("class") or ""):
            self.in_link = True
            self.links.append({"name": "", "section": self.heading})

    def handle_endtag(self, tag):
        self.in_heading = self.in_heading and tag != "h2"
        self.in_link = self.in_link and tag != "a"

    def handle_data(self, data):
        if self.in_heading:
            self.heading += data
        if self.in_link:
            self.links[-1]["name"] += data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "name"),
    [("en", "CSV file of “{}”"), ("ru", "CSV-файл таблицы «{}»")],
)
def test_each_csv_link_says_which_table_it_exports(lead, usage, language, name):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(lead)

    links = CsvLinks(dashboard(client)).links

    assert len(links) == 7
    for link in links:
        assert link["section"]
        assert " ".join(link["name"].split()) == name.format(link["section"])


@pytest.mark.django_db
def test_top_gifs_say_which_are_retired_or_taken_down(lead_client, lead, usage):
    usage.gifs["oops"].retire(by=lead, reason="Dated.")
    usage.gifs["wave"].take_down(by=lead, reason="A complaint.")

    titles = [row[0] for row in Tables(dashboard(lead_client)).tables["top-gifs"]]

    assert titles == ["GIF", "Thanks", "Oops (retired)", "Wave (taken down)"]
    assert [row[0] for row in csv_rows(lead_client, "top-gifs")] == titles


@pytest.mark.django_db
def test_a_russian_page_writes_moments_as_russian_pages_do(lead, usage):
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(lead)
    moment = local(0, 10)
    month = [
        "янв.",
        "февр.",
        "марта",
        "апр.",
        "мая",
        "июня",
        "июля",
        "авг.",
        "сент.",
        "окт.",
        "нояб.",
        "дек.",
    ]

    top = Tables(dashboard(client)).tables["top-gifs"]

    assert top[1][2] == f"{moment.day} {month[moment.month - 1]} {moment.year}, 10:00"
    assert csv_rows(client, "top-gifs")[1][2] == stamp(0, 10)  # CSVs stay ISO

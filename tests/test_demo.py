import functools
import io
import re
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command

from library import demo
from library.models import ConversationContext, Gif, Member, MoodTag

# Drawing is the slow part and always gives the same bytes: draw each picture
# once per test session.
draw_once = functools.cache(demo.draw)


@pytest.fixture(autouse=True)
def fast_demo(monkeypatch, settings):
    monkeypatch.setattr(demo, "draw", draw_once)
    # The demo sets four passwords per run; the real hasher takes ~0.4 s each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def few_pictures(monkeypatch):
    """Part of the demo, one picture in each state, for tests of the command."""
    chosen = {
        "on-it.gif",  # approved
        "typing.png",  # approved, animated PNG
        "you-rock.gif",  # pending
        "eye-roll.gif",  # rejected
        "welcome-aboard.gif",  # retired
    }
    library = [item for item in demo.LIBRARY if item.filename in chosen]
    monkeypatch.setattr(demo, "LIBRARY", library)
    return library


def load_demo(*args):
    out = io.StringIO()
    call_command("load_demo", "--force", *args, stdout=out)
    return out.getvalue()


def stored_files(media_root):
    return sorted(path for path in media_root.rglob("*") if path.is_file())


@pytest.mark.django_db
def test_the_demo_fills_the_shelf_with_forty_odd_varied_gifs_in_every_state():
    load_demo()

    gifs = list(Gif.objects.all())
    assert len(gifs) == len(demo.LIBRARY) >= 40
    assert sum(gif.is_animated for gif in gifs) >= 30
    assert {gif.format for gif in gifs} == set(Gif.Format.values)
    assert len({(gif.width, gif.height) for gif in gifs}) >= 10
    assert {gif.loops for gif in gifs} >= {0, 1, 3}  # forever, once, three times
    # Hashed as any upload is: nothing for rehash_frames to do on a fresh demo.
    assert all(0 < len(gif.frame_details) == len(gif.frame_hashes) for gif in gifs)
    states = Counter(gif.status for gif in gifs)
    assert states[Gif.Status.APPROVED] >= 30
    assert 6 <= states[Gif.Status.PENDING] <= 8
    assert 1 <= states[Gif.Status.REJECTED] <= 2
    assert states[Gif.Status.RETIRED] == 1
    approved = Gif.objects.approved().with_tags()
    for gif in approved:
        assert gif.alt_text, gif.title
        assert gif.mood.all() or gif.situation.all(), gif.title
    assert approved.filter(appropriateness__isnull=False).distinct().count() >= 5
    # Some carry their alt text in Russian too, for QA to see it copied.
    assert Gif.objects.get(title="On it!").alt_text_ru.startswith("Белая надпись")
    confetti = Gif.objects.get(title="Hooray! (confetti)")
    assert set(confetti.appropriateness.names()) == {
        "Outage or bug report",
        "Money question",
        "Celebratory",
    }


@pytest.mark.django_db
def test_demo_gifs_are_found_by_their_notes_and_tags_like_any_other(
    few_pictures, client
):
    load_demo()
    stored = {
        gif.pk: (gif.search_tags, gif.search_title, gif.search_body, gif.search_facets)
        for gif in Gif.objects.all()
    }

    for gif in Gif.objects.all():
        gif.refresh_search_document()
        gif.refresh_from_db()
        document = (
            gif.search_tags,
            gif.search_title,
            gif.search_body,
            gif.search_facets,
        )
        assert stored[gif.pk] == document, gif.title
    client.force_login(Member.objects.get(username="agent"))
    found = client.get("/api/gifs/", {"q": "longer answer"}).json()["results"]
    assert [gif["title"] for gif in found] == ["Typing… (animated PNG)"]
    # Its note in Russian finds it too, and a Russian reader reads that note.
    found = client.get(
        "/api/gifs/", {"q": "длинный ответ"}, headers={"accept-language": "ru"}
    ).json()["results"]
    assert [gif["title"] for gif in found] == ["Typing… (animated PNG)"]
    assert found[0]["guidance"] == "Используйте, когда вы пишете длинный ответ."


@pytest.mark.django_db
def test_no_demo_gif_smiles_or_celebrates_in_an_outage_or_at_an_upset_customer():
    # Rules 4 and 7: what the demo shows agents is what the team should do.
    load_demo()
    cheerful = (
        Gif.objects.listed()
        .filter(mood__name__in=["Celebrating", "Happy", "Welcome"])
        .distinct()
    )
    assert cheerful.count() >= 8
    for slug in ("outage", "upset"):
        context = ConversationContext.objects.get(slug=slug)
        shown = cheerful.suitable_for(context)
        assert [gif.title for gif in shown] == [], slug


def test_demo_gifs_keep_english_in_english_fields_and_russian_in_russian_ones():
    # An English page reads the title and alt text aloud as English, and a
    # Russian page marks an English fallback lang="en": Russian words in the
    # English fields were read out with the wrong voice on both.
    def cyrillic(text):
        return re.search("[А-Яа-яЁё]", text) is not None

    for item in demo.LIBRARY:
        english = (item.title, item.alt_text, item.use_when, item.avoid_when)
        assert not any(map(cyrillic, english)), item.filename
        if item.alt_text_ru:  # else Russian pages fall back to the English
            assert cyrillic(item.alt_text_ru), item.filename
    assert sum(bool(item.alt_text_ru) for item in demo.LIBRARY) >= 18


def test_no_demo_gif_is_reviewed_by_the_login_that_uploaded_it():
    reviewers = {login.username for login in demo.LOGINS if login.role != "agent"}

    for item in demo.LIBRARY:
        assert item.uploaded_by in reviewers - {"lead"}
        if item.status != "pending":
            assert item.reviewed_by in reviewers - {item.uploaded_by}


@pytest.mark.django_db
def test_demo_gifs_arrive_filed_and_reviewed_as_the_table_says(few_pictures):
    load_demo()

    pending = Gif.objects.get(title="You rock!")
    assert pending.status == Gif.Status.PENDING
    assert pending.uploaded_by.username == "curator2"
    assert pending.alt_text.startswith("“You rock!” waves")
    assert set(pending.mood.names()) == {"Grateful", "Happy"}
    assert set(pending.situation.names()) == {"Thanks for your patience"}
    assert set(pending.appropriateness.names()) == {"Formal customer", "Playful"}
    assert pending.use_when.startswith("a customer went out of their way")
    retired = Gif.objects.get(title="Welcome aboard (old style)")
    assert retired.status == Gif.Status.RETIRED
    assert retired.reviewed_by.username == "lead"
    assert retired.reviewed_at is not None
    assert retired.avoid_when


@pytest.mark.django_db
def test_the_demo_logins_sign_in_with_the_printed_passwords_in_their_roles(
    few_pictures,
):
    output = load_demo()

    assert "http://127.0.0.1:8000/" in output
    roles = {}
    for login in demo.LOGINS:
        assert f"{login.username:<10} {login.password}" in output
        user = authenticate(username=login.username, password=login.password)
        assert user is not None
        roles[login.username] = Member.objects.get(pk=user.pk).role
    assert roles == {
        "agent": Member.Role.AGENT,
        "curator": Member.Role.CURATOR,
        "curator2": Member.Role.CURATOR,
        "lead": Member.Role.LEAD,
    }


def test_the_demo_passwords_pass_the_password_validators():
    for login in demo.LOGINS:
        validate_password(login.password)


@pytest.mark.django_db
def test_loading_the_demo_again_draws_nothing_and_still_prints_the_logins(
    few_pictures, media_root
):
    load_demo()
    files = stored_files(media_root)

    output = load_demo()

    assert Gif.objects.count() == len(few_pictures)
    assert stored_files(media_root) == files
    assert "already loaded" in output
    assert "Drawing" not in output
    assert "curator-demo-pass" in output


@pytest.mark.django_db
def test_loading_the_demo_again_puts_back_only_what_is_missing(few_pictures):
    load_demo()
    Gif.objects.filter(title="On it!").delete()

    output = load_demo()

    assert Gif.objects.filter(title="On it!").count() == 1
    assert Gif.objects.count() == len(few_pictures)
    assert "Drawing 1 GIF," in output


@pytest.mark.django_db
def test_reset_draws_the_demo_again_and_removes_the_old_files(
    few_pictures, media_root, django_capture_on_commit_callbacks
):
    load_demo()
    old_ids = set(Gif.objects.values_list("pk", flat=True))
    old_files = stored_files(media_root)

    with django_capture_on_commit_callbacks(execute=True):
        load_demo("--reset")

    assert Gif.objects.count() == len(few_pictures)
    assert not old_ids & set(Gif.objects.values_list("pk", flat=True))
    assert not set(old_files) & set(stored_files(media_root))


@pytest.mark.django_db
def test_reset_leaves_gifs_that_other_people_uploaded(
    few_pictures, upload_gif, django_capture_on_commit_callbacks
):
    theirs = upload_gif(title="Bob's own wave")
    load_demo()

    with django_capture_on_commit_callbacks(execute=True):
        load_demo("--reset")

    assert Gif.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_a_dry_run_changes_nothing_and_says_what_it_would_do(few_pictures, media_root):
    output = load_demo("--dry-run")

    assert not Gif.objects.exists()
    assert not Member.objects.filter(username="agent").exists()
    assert stored_files(media_root) == []
    assert f"Would draw {len(few_pictures)} GIFs" in output
    assert "agent-demo-pass" in output


@pytest.mark.django_db
def test_a_dry_run_reset_keeps_the_loaded_demo(few_pictures, media_root):
    load_demo()
    ids = set(Gif.objects.values_list("pk", flat=True))
    files = stored_files(media_root)

    output = load_demo("--reset", "--dry-run")

    assert set(Gif.objects.values_list("pk", flat=True)) == ids
    assert stored_files(media_root) == files
    assert f"Would delete the {len(few_pictures)} GIFs" in output


@pytest.mark.django_db
def test_the_demo_points_to_where_the_shelf_is_served(few_pictures):
    assert "Open http://127.0.0.1:8000/ and log in" in load_demo()
    assert "Open http://127.0.0.1:8123/ and log in" in load_demo(
        "--url", "http://127.0.0.1:8123/"
    )


@pytest.mark.django_db
def test_the_demo_asks_for_migrate_when_a_tag_it_needs_is_missing(few_pictures):
    MoodTag.objects.filter(name__iexact="On it").delete()

    with pytest.raises(CommandError, match="migrate"):
        load_demo()
    assert not Gif.objects.exists()


@pytest.mark.django_db
def test_the_demo_refuses_to_publish_its_passwords_on_a_production_shelf(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="GIFSHELF_DEBUG=1"):
        call_command("load_demo", stdout=io.StringIO())

    assert not Member.objects.filter(username="lead").exists()

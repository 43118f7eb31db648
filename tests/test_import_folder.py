"""import_folder: a folder of images onto the review queue, as uploads go."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from library.models import Gif, GifEvent
from tests import images
from tests.test_upload import results, upload

SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def run(folder, *args, **options):
    output = io.StringIO()
    call_command("import_folder", str(folder), *args, stdout=output, **options)
    return output.getvalue()


def run_refusing(folder, *args, refused, total):
    """run() when some files are refused: it reports them all, then fails
    (a non-zero exit status) saying how many."""
    output = io.StringIO()
    with pytest.raises(CommandError, match=f"^{refused} of {total} files? w"):
        call_command("import_folder", str(folder), *args, stdout=output)
    return output.getvalue()


def files_in(folder):
    return sorted(path for path in folder.rglob("*") if path.is_file())


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "to-import"
    root.mkdir()
    return root


def csv_sidecar(tmp_path, text):
    """A CSV sidecar holding `text`, as UTF-8; its path for --csv."""
    path = tmp_path / "sidecar.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def put(folder, name, data):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.django_db
def test_every_image_in_the_folder_waits_for_review_under_the_curator(
    folder, curator, media_root
):
    put(folder, "thumbs_up.gif", images.gif_bytes(seed=1))
    put(folder, "still.png", images.png_bytes())
    put(folder, "spin.webp", images.webp_bytes())
    put(folder, "photo.jpg", images.jpeg_bytes())
    put(folder, "more/deeper/bounce.png", images.apng_bytes())
    put(folder, ".DS_Store", b"\x00\x01")

    output = run(folder, "--by", "bob")

    gifs = Gif.objects.order_by("title")
    assert [gif.title for gif in gifs] == [
        "Bounce",
        "Photo",
        "Spin",
        "Still",
        "Thumbs up",
    ]
    assert {gif.status for gif in gifs} == {Gif.Status.PENDING}
    assert {gif.uploaded_by for gif in gifs} == {curator}
    assert GifEvent.objects.filter(action=GifEvent.Action.UPLOADED).count() == 5
    assert sorted(gif.format for gif in gifs) == ["apng", "gif", "jpeg", "png", "webp"]
    assert "Imported 5 images; they wait for review." in output
    assert "more/deeper/bounce.png: “Bounce”" in output
    assert "Refused" not in output
    assert len(files_in(media_root)) == sum(len(g.file_names()) for g in gifs)


@pytest.mark.django_db
def test_the_csv_sidecar_gives_titles_alt_text_and_tags(folder, curator, tmp_path):
    put(folder, "a.gif", images.gif_bytes(seed=1))
    put(folder, "b.gif", images.gif_bytes(seed=2))
    put(folder, "c.gif", images.gif_bytes(seed=3))
    sidecar = csv_sidecar(
        tmp_path,
        "\ufefffilename,title,alt_text,moods,situations\n"
        'a.gif,Big thanks,A cat bows,"thank you, happy",Greeting\n'
        "b.gif,,A dog waves,,\n",
    )

    output = run(folder, "--by", "bob", "--csv", sidecar)

    a = Gif.objects.get(title="Big thanks")
    assert a.alt_text == "A cat bows"
    assert sorted(tag.name for tag in a.mood.all()) == ["Happy", "Thank you"]
    assert [tag.name for tag in a.situation.all()] == ["Greeting"]
    assert Gif.objects.get(title="B").alt_text == "A dog waves"
    assert Gif.objects.filter(title="C").exists()  # not in the CSV: its name
    assert Gif.objects.search("thank").get() == a  # searchable by its tags
    assert "Imported 3 images" in output


@pytest.mark.django_db
def test_the_csv_sidecar_gives_the_russian_alt_text(folder, curator, tmp_path):
    put(folder, "a.gif", images.gif_bytes(seed=1))
    put(folder, "b.gif", images.gif_bytes(seed=2))
    sidecar = csv_sidecar(
        tmp_path,
        "filename;alt_text;alt_text_ru;moods\n"
        "a.gif;A cat bows;Кот кланяется;Благодарю\n"
        "b.gif;A dog waves;;\n",
    )

    run(folder, "--by", "bob", "--csv", sidecar)

    a = Gif.objects.get(title="A")
    assert (a.alt_text, a.alt_text_ru) == ("A cat bows", "Кот кланяется")
    assert [tag.name for tag in a.mood.all()] == ["Thank you"]
    assert Gif.objects.get(title="B").alt_text_ru == ""  # Russians get the English


@pytest.mark.django_db
@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_a_refused_russian_alt_text_says_it_is_that_column(
    folder, curator, tmp_path, media_root, dry_run
):
    put(folder, "a.gif", images.gif_bytes(seed=1))
    sidecar = csv_sidecar(tmp_path, f"filename,alt_text_ru\na.gif,{'я' * 501}\n")

    output = run_refusing(
        folder, "--by", "bob", "--csv", sidecar, *dry_run, refused=1, total=1
    )

    assert "a.gif: alt_text_ru: Ensure this value has at most 500 characters" in (
        output
    )
    assert not Gif.objects.exists()
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_csv_names_match_whatever_their_case_slashes_or_leading_dot(
    folder, curator, tmp_path
):
    put(folder, "cats/wave.gif", images.gif_bytes(seed=1))
    put(folder, "bow.gif", images.gif_bytes(seed=2))
    sidecar = csv_sidecar(
        tmp_path, "filename,title\n.\\Cats\\Wave.GIF,Waving cat\n./BOW.gif,Bow\n"
    )

    run(folder, "--by", "bob", "--csv", sidecar)

    assert sorted(Gif.objects.values_list("title", flat=True)) == [
        "Bow",
        "Waving cat",
    ]


@pytest.mark.django_db
def test_a_csv_row_naming_no_file_fails_the_run_after_importing_the_rest(
    folder, curator, tmp_path
):
    put(folder, "a.gif", images.gif_bytes(seed=1))
    sidecar = csv_sidecar(tmp_path, "filename,title\na.gif,Found\nghost.gif,Nowhere\n")
    output = io.StringIO()

    # A cron job must notice: that row's title and tags went to no file.
    with pytest.raises(CommandError, match="1 CSV row names no file in the folder"):
        call_command(
            "import_folder",
            str(folder),
            "--by",
            "bob",
            "--csv",
            sidecar,
            stdout=output,
        )

    assert list(Gif.objects.values_list("title", flat=True)) == ["Found"]
    assert "In the CSV but not in the folder: ghost.gif" in output.getvalue()


@pytest.mark.django_db
def test_a_refused_title_says_it_is_the_title_column(folder, curator, tmp_path):
    put(folder, "a.gif", images.gif_bytes(seed=1))
    sidecar = csv_sidecar(tmp_path, f"filename,title\na.gif,{'x' * 130}\n")

    output = run_refusing(folder, "--by", "bob", "--csv", sidecar, refused=1, total=1)

    assert "a.gif: title: Ensure this value has at most 120 characters" in output


@pytest.mark.django_db
def test_a_csv_row_with_an_unknown_tag_is_refused_as_the_upload_form_refuses_it(
    folder, curator, tmp_path, media_root
):
    put(folder, "a.gif", images.gif_bytes(seed=1))
    sidecar = csv_sidecar(tmp_path, "filename,moods\na.gif,Sleepy\n")

    output = run_refusing(folder, "--by", "bob", "--csv", sidecar, refused=1, total=1)

    assert not Gif.objects.exists()
    assert "a.gif: Not in the moods: Sleepy. Choose from: Angry," in output
    assert files_in(media_root) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "refusal"),
    [
        ("filename,moood", "does not know: moood"),
        # Both would fill the moods: one would silently lose to the other.
        ("filename,moods,mood", "more than one column for mood"),
    ],
)
def test_a_csv_with_a_misspelt_or_doubled_column_is_refused_before_importing(
    folder, curator, tmp_path, header, refusal
):
    put(folder, "a.gif", images.gif_bytes(seed=1))
    sidecar = csv_sidecar(tmp_path, f"{header}\na.gif,Happy,Confused\n")

    with pytest.raises(CommandError, match=refusal):
        run(folder, "--by", "bob", "--csv", sidecar)

    assert not Gif.objects.exists()


BAD_FILES = {
    "broken.gif": images.gif_bytes(seed=5)[:60],
    "drawing.svg": SVG,
    "notes.txt": b"just some words",
    "empty.gif": b"",
    "enormous.gif": images.gif_declaring_canvas(5000, 5000),
    "too-large.gif": images.gif_bytes(count=40, size=(200, 200), seed=6),
}


@pytest.mark.django_db
def test_each_refusal_says_what_the_upload_page_says_and_leaves_no_file(
    folder, curator, curator_client, media_root, settings
):
    settings.GIFSHELF_MAX_UPLOAD_BYTES = 10_000
    assert len(BAD_FILES["too-large.gif"]) > 10_000
    for name, data in BAD_FILES.items():
        put(folder, name, data)

    output = run_refusing(
        folder, "--by", "bob", refused=len(BAD_FILES), total=len(BAD_FILES)
    )

    assert not Gif.objects.exists()
    assert files_in(media_root) == []
    assert f"Refused {len(BAD_FILES)} files:" in output
    for name, data in BAD_FILES.items():
        page = results(upload(curator_client, (name, data)))[name]
        assert page["outcome"] == "refused"
        assert f"  {name}: {page['message']}\n" in output


@pytest.mark.django_db
def test_duplicates_are_refused_like_uploads_with_the_gif_already_there(
    folder, curator, upload_gif, media_root
):
    shelved = upload_gif(data=images.gif_bytes(seed=8), title="Already here")
    put(folder, "again.gif", images.gif_bytes(seed=8))
    put(folder, "first.gif", images.gif_bytes(seed=9))
    put(folder, "second.gif", images.gif_bytes(seed=9))
    stored = files_in(media_root)

    output = run_refusing(folder, "--by", "bob", refused=2, total=3)

    first = Gif.objects.get(title="First")
    assert Gif.objects.count() == 2
    assert (
        "again.gif: This exact file is already on the shelf as “Already here” "
        "(pending review)." in output
    )
    assert "second.gif: This exact file is already on the shelf as “First”" in output
    assert files_in(media_root) == sorted(
        stored + [media_root / name for name in first.file_names()]
    )
    assert shelved.pk != first.pk


@pytest.mark.django_db
def test_a_dry_run_checks_everything_and_stores_nothing(
    folder, curator, tmp_path, media_root
):
    put(folder, "good.gif", images.gif_bytes(seed=1))
    put(folder, "twin.gif", images.gif_bytes(seed=1))
    put(folder, "broken.gif", b"GIF89a broken")

    output = run_refusing(folder, "--by", "bob", "--dry-run", refused=2, total=3)

    assert not Gif.objects.exists() and files_in(media_root) == []
    assert "Would import 1 image for review." in output
    assert "twin.gif: The same file as good.gif, which comes first." in output
    assert "broken.gif: The file starts like a GIF but could not be read" in output


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "refusal"),
    [("alice", "only curators and team leads"), ("nobody", "no member nobody")],
)
def test_only_a_curator_or_lead_can_be_the_uploader(folder, agent, username, refusal):
    put(folder, "a.gif", images.gif_bytes(seed=1))

    with pytest.raises(CommandError, match=refusal):
        run(folder, "--by", username)

    assert not Gif.objects.exists()


@pytest.mark.django_db
def test_a_team_lead_can_import_too(folder, lead):
    put(folder, "a.gif", images.gif_bytes(seed=1))

    run(folder, "--by", "dana")

    assert Gif.objects.get().uploaded_by == lead


@pytest.mark.django_db
def test_the_progress_bar_shows_on_a_terminal(folder, curator):
    put(folder, "a.gif", images.gif_bytes(seed=1))
    terminal = FakeTerminal()

    run(folder, "--by", "bob", stderr=terminal)

    assert "Importing" in terminal.getvalue() and "file" in terminal.getvalue()


@pytest.mark.django_db
def test_a_csv_naming_files_twice_lists_them_all_before_importing_anything(
    folder, curator, tmp_path
):
    put(folder, "a.gif", images.gif_bytes(seed=1))
    put(folder, "b.gif", images.gif_bytes(seed=2))
    sidecar = csv_sidecar(
        tmp_path, "filename,title\na.gif,One\nb.gif,Two\nA.GIF,Three\nb.gif,Four\n"
    )

    with pytest.raises(CommandError) as refusal:
        run(folder, "--by", "bob", "--csv", sidecar)

    assert str(refusal.value) == (
        "The CSV names a file more than once: A.GIF (lines 2, 4); "
        "b.gif (lines 3, 5). Keep one row for each file; nothing was imported."
    )
    assert not Gif.objects.exists()


@pytest.mark.django_db
def test_a_csv_saved_with_semicolons_reads_like_one_with_commas(
    folder, curator, tmp_path
):
    # As a spreadsheet saves it where the decimal mark is a comma.
    put(folder, "a.gif", images.gif_bytes(seed=1))
    sidecar = csv_sidecar(
        tmp_path,
        "\ufefffilename;title;alt_text;mood;situation\n"
        "a.gif;Big thanks;A cat bows, twice;thank you, happy;Greeting\n",
    )

    run(folder, "--by", "bob", "--csv", sidecar)

    a = Gif.objects.get(title="Big thanks")
    assert a.alt_text == "A cat bows, twice"
    assert sorted(tag.name for tag in a.mood.all()) == ["Happy", "Thank you"]
    assert [tag.name for tag in a.situation.all()] == ["Greeting"]


@pytest.mark.django_db
def test_blank_rows_a_spreadsheet_leaves_in_the_csv_are_skipped(
    folder, curator, tmp_path
):
    put(folder, "a.gif", images.gif_bytes(seed=1))
    sidecar = csv_sidecar(
        tmp_path, "filename;title;moods\r\na.gif;Hello, there;happy\r\n;;\r\n;;\r\n"
    )

    run(folder, "--by", "bob", "--csv", sidecar)

    assert Gif.objects.get().title == "Hello, there"


@pytest.mark.django_db
def test_a_csv_row_without_a_file_name_is_refused_by_its_line(
    folder, curator, tmp_path
):
    put(folder, "a.gif", images.gif_bytes(seed=1))
    sidecar = csv_sidecar(tmp_path, "filename,title\na.gif,Hello\n,Lost title\n")

    with pytest.raises(CommandError, match="Line 3 of the CSV has no file name"):
        run(folder, "--by", "bob", "--csv", sidecar)

    assert not Gif.objects.exists()


@pytest.mark.django_db
def test_a_file_given_for_the_folder_is_refused_saying_what_to_give(folder, curator):
    image = put(folder, "a.gif", images.gif_bytes(seed=1))

    with pytest.raises(CommandError, match="is a file: give the folder"):
        run(image, "--by", "bob")

    assert not Gif.objects.exists()

"""Full-text search: what a query means, and the index each database keeps.

The search document lives on the Gif row (search_tags, search_title,
search_body), casefolded in Python so that every language compares without
case on both databases. SQLite indexes it with FTS5, PostgreSQL with a GIN
index on a tsvector; both are kept in step by the database itself (triggers,
an expression index) whenever the row changes.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.db import connection

WORD = re.compile(r"\w+")
# Words of a query that count: a search box never needs more, and past about
# a thousand SQLite refuses the query ("Expression tree is too large").
MAX_WORDS = 16
# A tag key separator no tokenizer keeps and no tag name contains.
KEY_SEPARATOR = "|"


def fold(text):
    """Fold for search: "Спасибо!" and "спасибо", "Café" and "cafe" match.

    Accents go too, so both databases agree whatever their tokenizer does,
    and an accent typed as a separate combining mark cannot split a word.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def words(text):
    """The folded words of `text`, one space apart: "Oh, hold on!" → "oh hold on"."""
    return " ".join(WORD.findall(fold(text)))


def rebuild_documents(apps):
    """Recompute every GIF's search document (for migrations: plain models)."""
    Gif = apps.get_model("library", "Gif")
    TagAlias = apps.get_model("library", "TagAlias")
    aliases = {}
    for name, target_key in TagAlias.objects.values_list("name", "target_key"):
        aliases.setdefault(target_key, []).append(name)
    through_models = [
        apps.get_model("library", name)
        for name in ("MoodTaggedGif", "SituationTaggedGif", "AppropriatenessTaggedGif")
    ]
    for gif in Gif.objects.all():
        names = [
            name
            for through in through_models
            for name in through.objects.filter(content_object=gif).values_list(
                "tag__name", flat=True
            )
        ]
        extra = [alias for name in names for alias in aliases.get(fold(name), [])]
        Gif.objects.filter(pk=gif.pk).update(
            search_tags=tag_keys([*names, *extra]),
            search_title=words(gif.title),
            search_body=fold(" ".join((gif.alt_text, gif.use_when, gif.avoid_when))),
        )


def tag_keys(names):
    """Tag names (and aliases) as one string in which each is a whole key."""
    keys = sorted({fold(name) for name in names if fold(name)})
    if not keys:
        return ""
    return KEY_SEPARATOR + KEY_SEPARATOR.join(keys) + KEY_SEPARATOR


@dataclass(frozen=True)
class ParsedQuery:
    include: tuple  # words every result must contain (as word prefixes)
    exclude: tuple  # words no result may contain
    phrase: str  # the positive part as typed, folded: matches a whole tag

    def __bool__(self):
        return bool(self.include or self.exclude)


def parse(query):
    """Split what an agent typed into words to find and `-words` to leave out."""
    include, exclude, positive = [], [], []
    # PostgreSQL refuses text holding NUL, which no word or tag contains.
    for chunk in (query or "").replace("\x00", " ").split():
        words = WORD.findall(fold(chunk))
        if chunk.startswith("-") and len(chunk) > 1:
            exclude.extend(words)
        else:
            include.extend(words)
            positive.append(chunk)
    return ParsedQuery(
        include=tuple(dict.fromkeys(include))[:MAX_WORDS],
        exclude=tuple(dict.fromkeys(exclude))[:MAX_WORDS],
        phrase=fold(" ".join(positive)),
    )


def fts5_match(words):
    """An FTS5 query: every word, each as a prefix."""
    return " AND ".join(f'"{word}"*' for word in words)


def tsquery(words):
    """A PostgreSQL tsquery (raw syntax): every word, each as a prefix."""
    return " & ".join(f"{word}:*" for word in words)


POSTGRES_DOCUMENT = (
    "to_tsvector('simple', coalesce(library_gif.search_tags, '') || ' ' || "
    "coalesce(library_gif.search_title, '') || ' ' || "
    "coalesce(library_gif.search_body, ''))"
)


def matching_ids_sql(words):
    """SQL selecting the ids of GIFs whose document holds every word."""
    if connection.vendor == "sqlite":
        return (
            "SELECT rowid FROM library_gif_fts WHERE library_gif_fts MATCH %s",
            [fts5_match(words)],
        )
    if connection.vendor == "postgresql":
        return (
            f"SELECT id FROM library_gif WHERE {POSTGRES_DOCUMENT} "
            "@@ to_tsquery('simple', %s)",
            [tsquery(words)],
        )
    raise NotImplementedError(f"No full-text search for {connection.vendor}.")


SQLITE_INDEX = [
    """CREATE VIRTUAL TABLE library_gif_fts USING fts5(
        search_tags, search_title, search_body,
        content='library_gif', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
    )""",
    """CREATE TRIGGER library_gif_fts_insert AFTER INSERT ON library_gif BEGIN
        INSERT INTO library_gif_fts(rowid, search_tags, search_title, search_body)
        VALUES (new.id, new.search_tags, new.search_title, new.search_body);
    END""",
    """CREATE TRIGGER library_gif_fts_delete AFTER DELETE ON library_gif BEGIN
        INSERT INTO library_gif_fts(
            library_gif_fts, rowid, search_tags, search_title, search_body
        ) VALUES ('delete', old.id, old.search_tags, old.search_title,
                  old.search_body);
    END""",
    """CREATE TRIGGER library_gif_fts_update
    AFTER UPDATE OF search_tags, search_title, search_body ON library_gif BEGIN
        INSERT INTO library_gif_fts(
            library_gif_fts, rowid, search_tags, search_title, search_body
        ) VALUES ('delete', old.id, old.search_tags, old.search_title,
                  old.search_body);
        INSERT INTO library_gif_fts(rowid, search_tags, search_title, search_body)
        VALUES (new.id, new.search_tags, new.search_title, new.search_body);
    END""",
    "INSERT INTO library_gif_fts(library_gif_fts) VALUES ('rebuild')",
]
SQLITE_INDEX_REMOVAL = [
    "DROP TRIGGER IF EXISTS library_gif_fts_update",
    "DROP TRIGGER IF EXISTS library_gif_fts_delete",
    "DROP TRIGGER IF EXISTS library_gif_fts_insert",
    "DROP TABLE IF EXISTS library_gif_fts",
]
POSTGRES_INDEX = [
    f"CREATE INDEX library_gif_search ON library_gif USING gin ({POSTGRES_DOCUMENT})"
]
POSTGRES_INDEX_REMOVAL = ["DROP INDEX IF EXISTS library_gif_search"]


def create_index(schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_INDEX, "postgresql": POSTGRES_INDEX}
    for statement in statements.get(vendor, []):
        schema_editor.execute(statement)


def drop_index(schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_INDEX_REMOVAL, "postgresql": POSTGRES_INDEX_REMOVAL}
    for statement in statements.get(vendor, []):
        schema_editor.execute(statement)

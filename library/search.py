"""Full-text search: what a query means, and the index each database keeps.

The search document lives on the Gif row (search_tags, search_title,
search_body), casefolded in Python so that every language compares without
case on both databases. SQLite indexes it with FTS5, PostgreSQL with a GIN
index on a tsvector; both are kept in step by the database itself (triggers,
an expression index) whenever the row changes.
"""

import bisect
import difflib
import re
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Count, F, Func, Q, Value, Window
from django.db.models.expressions import RawSQL

# Letters and digits: the runs SQLite's unicode61 tokenizer keeps as one token
# (it splits at "_", which \w would keep), so that a title word here is a
# token there.
WORD = re.compile(r"[^\W_]+")
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


# A GIF's search body: its alt text and notes, in both languages:
# an agent searches in theirs whichever the UI speaks. Not "avoid when": an
# agent typing "outage" or "billing" describes the conversation they are in,
# and a GIF whose note says to avoid it there must not be what they find.
BODY_FIELDS = ("alt_text", "alt_text_ru", "use_when", "use_when_ru")


def body(gif):
    """The folded search body of `gif` (fields it lacks, as in a migration
    before they were added, count as empty)."""
    return fold(" ".join(getattr(gif, field, "") for field in BODY_FIELDS))


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
    # Tags carry a Russian name from migration 0013 on; before, only one.
    named = ["tag__name"]
    if any(
        f.name == "name_ru"
        for f in through_models[0].tag.field.related_model._meta.fields
    ):
        named.append("tag__name_ru")
    # Migrations before 0014 know no facets.
    with_facets = any(field.name == "search_facets" for field in Gif._meta.get_fields())
    for gif in Gif.objects.all():
        tags = [
            (vocabulary, row[0], [name for name in row[1:] if name])
            for vocabulary, through in zip(VOCABULARIES, through_models, strict=True)
            for row in through.objects.filter(content_object=gif).values_list(
                "tag_id", *named
            )
        ]
        names = [
            name
            for vocabulary, _, tag_names in tags
            if vocabulary in WORD_VOCABULARIES
            for name in tag_names
        ]
        extra = [alias for name in names for alias in aliases.get(fold(name), [])]
        document = {
            "search_tags": tag_keys([*names, *extra]),
            "search_title": words(gif.title),
            "search_body": body(gif),
        }
        if with_facets:
            document["search_facets"] = facets(
                (vocabulary, pk) for vocabulary, pk, _ in tags
            )
        Gif.objects.filter(pk=gif.pk).update(**document)


VOCABULARIES = ("mood", "situation", "appropriateness")
# The vocabularies whose tag names a typed word finds. Appropriateness tags
# name the conversations a GIF is unsuitable for ("Outage or bug report"):
# found by those words, a GIF would come first exactly where it is ruled
# out. They stay in the facets, for filters and contexts.
WORD_VOCABULARIES = ("mood", "situation")


def facet(vocabulary, pk):
    """The index token of one tag: "m12" is mood 12. No typed word reaches
    it: words are looked for in the text columns only."""
    return f"{vocabulary[0]}{pk}"


def facets(tags):
    """The facet tokens of (vocabulary, tag pk) pairs, one space apart."""
    return " ".join(sorted({facet(vocabulary, pk) for vocabulary, pk in tags}))


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


def unsearchable(text):
    """Whether `text` is typed but holds nothing to search for: no letter or
    digit, only emoji or punctuation ("🙂", "!!!"). The picker and the API
    refuse such a query, so a tag alias made of it could never be used."""
    return bool((text or "").strip()) and not parse(text)


def corrected(query, known):
    """`query` with each word that begins no word in `known` (sorted) swapped
    for the known word closest in spelling: "thnaks" → "thanks". None when
    no word needed a change or none could be found.

    Only for a search that found nothing: a typo costs the agent the whole
    search otherwise, and they have seconds.
    """
    changed = False
    spelled = []
    for chunk in (query or "").split():
        word = " ".join(WORD.findall(fold(chunk)))
        if chunk.startswith("-") or not word or " " in word or begins_a(word, known):
            spelled.append(chunk)
            continue
        closest = closest_word(word, known)
        spelled.append(closest or chunk)
        changed = changed or bool(closest)
    return " ".join(spelled) if changed else None


# Function words, in the Snowball lists PostgreSQL ships for English and
# Russian, less a few a reaction is searched by ("хорошо"). Every usage note
# holds them, so a short word an agent types as meant ("thx", "wow") is one
# letter from one of them ("the", "now"), and "Did you mean “the”?" finds
# half the shelf. They are never offered; a search still finds them.
FUNCTION_WORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he
    him his himself she her hers herself it its itself they them their theirs
    themselves what which who whom this that these those am is are was were be
    been being have has had having do does did doing a an the and but if or
    because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under
    again further then once here there when where why how all any both each few
    more most other some such no nor not only own same so than too very s t can
    will just don should now

    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы
    по только ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг
    ли если уже или ни быть был него до вас нибудь опять уж вам ведь там потом
    себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам
    чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому
    этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были
    куда зачем всех никогда можно при наконец два об другой хоть после над
    больше тот через эти нас про всего них какая много разве три эту моя
    впрочем свою этой перед иногда чуть том нельзя такой им более всегда
    всю между
"""
STOP_WORDS = frozenset(fold(word) for word in FUNCTION_WORDS.split())

# From this length on a word may hold two typos. Shorter, two changes turn
# one real word into another ("refund" into "round"), and the agent, who
# typed what they meant, would be offered something unrelated.
TWO_TYPOS_FROM = 8


# Shorter than this, a word with a wrong letter keeps two of the three it
# had: as little to go on as a two-letter word, and most three-letter words
# agents type are meant ("yay" is not a typo of "way", nor "wow" of "bow").
WRONG_LETTER_FROM = 4


def closest_word(word, known):
    """The word of `known` one typo from `word` (two for a long word): a
    letter missing, extra, wrong, or two swapped; in a three-letter word,
    only missing, extra or swapped. Never a function word ("the", "что").
    None if there is none."""
    if len(word) < 3:
        return None  # two letters are a prefix of too much to guess
    allowed = 2 if len(word) >= TWO_TYPOS_FROM else 1
    near = [
        each
        for each in known
        if abs(len(each) - len(word)) <= allowed
        and each not in STOP_WORDS
        and (len(word) >= WRONG_LETTER_FROM or not a_wrong_letter(word, each))
    ]
    # difflib's quick filters pick the likely few; typos then decide.
    likely = difflib.get_close_matches(word, near, n=5, cutoff=0.5)
    typos = [(typos_between(word, each), each) for each in likely]
    best = min(typos, default=None, key=lambda pair: pair[0])
    return best[1] if best and best[0] <= allowed else None


def typos_between(typed, meant):
    """Letters missing, extra or wrong, and neighbours swapped, that turn
    `typed` into `meant` (the optimal string alignment distance)."""
    previous, current = None, list(range(len(meant) + 1))
    for i, letter in enumerate(typed, 1):
        before, previous, current = previous, current, [i] + [0] * len(meant)
        for j, other in enumerate(meant, 1):
            current[j] = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (letter != other),
            )
            if i > 1 and j > 1 and letter == meant[j - 2] and typed[i - 2] == other:
                current[j] = min(current[j], before[j - 2] + 1)
    return current[-1]


def a_wrong_letter(typed, meant):
    """Whether `meant` is `typed` with one letter changed."""
    pairs = zip(typed, meant, strict=False)
    return len(typed) == len(meant) and sum(a != b for a, b in pairs) == 1


def begins_a(word, known):
    """Whether `word` begins some word of `known` (sorted), as search matches."""
    at = bisect.bisect_left(known, word)
    return at < len(known) and known[at].startswith(word)


def known_words(documents):
    """The sorted words of search documents (title, body, tag keys)."""
    texts = {text for document in documents for text in document}
    tokens = set()
    for text in texts:
        tokens.update(text.replace(KEY_SEPARATOR, " ").split())
    # Most tokens are words already (documents are folded); splitting first
    # and looking for words only in the rest takes a third of the time.
    found = {token for token in tokens if token.isalnum()}
    for token in tokens - found:
        found.update(WORD.findall(token))
    return sorted(found)


def fts5_match(words):
    """An FTS5 query: every word, each as a prefix."""
    return " AND ".join(f'"{word}"*' for word in words)


def tsquery(words):
    """A PostgreSQL tsquery (raw syntax): every word, each as a prefix."""
    return " & ".join(f"{word}:*" for word in words)


DOCUMENT_TEMPLATE = (
    "to_tsvector('simple', coalesce({tags}, '') || ' ' || "
    "coalesce({title}, '') || ' ' || coalesce({body}, ''))"
)
POSTGRES_DOCUMENT = DOCUMENT_TEMPLATE.format(
    tags="library_gif.search_tags",
    title="library_gif.search_title",
    body="library_gif.search_body",
)


class PostgresMatch(Func):
    """The GIF's own document `@@` the words, written as the GIN index is.

    Filtering the row itself lets PostgreSQL go from the index straight to
    the rows; `id IN (SELECT id FROM library_gif WHERE …)` joined the table
    to itself, scanning every approved row to do it.
    """

    output_field = BooleanField()

    def __init__(self, words):
        super().__init__(
            F("search_tags"), F("search_title"), F("search_body"), Value(tsquery(words))
        )

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        tags, title, body, query = parts
        document = DOCUMENT_TEMPLATE.format(tags=tags, title=title, body=body)
        return f"{document} @@ to_tsquery('simple', {query})", params


def matching(words):
    """A filter for GIFs whose document holds every word (as a prefix)."""
    if connection.vendor == "postgresql":
        return PostgresMatch(words)
    sql, params = matching_ids_sql(words)
    return Q(pk__in=RawSQL(sql, params))


def matching_ids_sql(words):
    """SQL selecting the ids of GIFs, whatever their status, whose document
    holds every word. (The picker's pages come from SQLITE_INDEX instead.)"""
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


# --- The SQLite index ------------------------------------------------------
#
# An FTS5 table holding the documents of listed GIFs only (approved, no open
# agent flag), each with its facets: a token per tag ("m12" is mood 12) and
# "shelf", which every document holds. Its rowid is the GIF's place in the
# popularity order, most copied first and then newest (highest id), with the
# GIF's id in the low 32 bits. FTS5 hands over matches in rowid order, so the
# first page of a tier is read straight off the index, and a count never
# leaves it. Triggers keep it in step with every change of a GIF's document,
# status, copy count or open flags.

ID_MASK = (1 << 32) - 1
MOST_COPIES = (1 << 31) - 1
TEXT_COLUMNS = "{search_tags search_title search_body}"


def rank_key(copy_count, pk):
    """The index rowid of a GIF: ascending rowid is descending popularity."""
    return ((MOST_COPIES - copy_count) << 32) | (ID_MASK - pk)


def pk_of(key):
    return ID_MASK - (key & ID_MASK)


def _key(gif):
    return f"(({MOST_COPIES} - {gif}.copy_count) << 32) | ({ID_MASK} - {gif}.id)"


def _add_if_listed(pk):
    return f"""INSERT INTO library_gif_search(
            rowid, search_tags, search_title, search_body, facets)
        SELECT {_key("g")}, g.search_tags, g.search_title, g.search_body,
            'shelf ' || g.search_facets
        FROM library_gif g WHERE g.id = {pk} AND g.status = 'approved'
        AND NOT EXISTS (SELECT 1 FROM library_agentflag f
                        WHERE f.gif_id = g.id AND f.resolved_at IS NULL);"""


def _resync(pk):
    return f"""DELETE FROM library_gif_search WHERE rowid =
            (SELECT {_key("g")} FROM library_gif g WHERE g.id = {pk});
        {_add_if_listed(pk)}"""


SQLITE_INDEX = [
    """CREATE VIRTUAL TABLE library_gif_search USING fts5(
        search_tags, search_title, search_body, facets,
        tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4 5 6',
        detail=column
    )""",
    f"""CREATE TRIGGER library_gif_search_insert AFTER INSERT ON library_gif BEGIN
        {_add_if_listed("new.id")}
    END""",
    f"""CREATE TRIGGER library_gif_search_update AFTER UPDATE OF status,
        copy_count, search_tags, search_title, search_body, search_facets
        ON library_gif BEGIN
        DELETE FROM library_gif_search WHERE rowid = {_key("old")};
        {_add_if_listed("new.id")}
    END""",
    f"""CREATE TRIGGER library_gif_search_delete AFTER DELETE ON library_gif BEGIN
        DELETE FROM library_gif_search WHERE rowid = {_key("old")};
    END""",
    f"""CREATE TRIGGER library_gif_search_flag AFTER INSERT ON library_agentflag
    BEGIN
        {_resync("new.gif_id")}
    END""",
    f"""CREATE TRIGGER library_gif_search_flag_change
    AFTER UPDATE OF resolved_at, gif_id ON library_agentflag BEGIN
        {_resync("old.gif_id")}
        {_resync("new.gif_id")}
    END""",
    f"""CREATE TRIGGER library_gif_search_flag_gone AFTER DELETE ON library_agentflag
    BEGIN
        {_resync("old.gif_id")}
    END""",
    f"""INSERT INTO library_gif_search(
            rowid, search_tags, search_title, search_body, facets)
        SELECT {_key("g")}, g.search_tags, g.search_title, g.search_body,
            'shelf ' || g.search_facets
        FROM library_gif g WHERE g.status = 'approved'
        AND NOT EXISTS (SELECT 1 FROM library_agentflag f
                        WHERE f.gif_id = g.id AND f.resolved_at IS NULL)""",
]
SQLITE_INDEX_REMOVAL = [
    "DROP TRIGGER IF EXISTS library_gif_search_flag_gone",
    "DROP TRIGGER IF EXISTS library_gif_search_flag_change",
    "DROP TRIGGER IF EXISTS library_gif_search_flag",
    "DROP TRIGGER IF EXISTS library_gif_search_delete",
    "DROP TRIGGER IF EXISTS library_gif_search_update",
    "DROP TRIGGER IF EXISTS library_gif_search_insert",
    "DROP TABLE IF EXISTS library_gif_search",
]
POSTGRES_INDEX = [
    f"CREATE INDEX library_gif_search ON library_gif USING gin ({POSTGRES_DOCUMENT})"
]
POSTGRES_INDEX_REMOVAL = ["DROP INDEX IF EXISTS library_gif_search"]

# The first SQLite index (migration 0006), kept: every GIF whatever its
# status, rowid = id, no facets. GifQuerySet.search() reads it.
FIRST_SQLITE_INDEX = [
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
FIRST_SQLITE_INDEX_REMOVAL = [
    "DROP TRIGGER IF EXISTS library_gif_fts_update",
    "DROP TRIGGER IF EXISTS library_gif_fts_delete",
    "DROP TRIGGER IF EXISTS library_gif_fts_insert",
    "DROP TABLE IF EXISTS library_gif_fts",
]


# SQLite cannot change most columns in place: a migration that does (adding
# a column that is not null, say) copies library_gif to a new table, drops
# the old one and renames the new. The triggers on library_agentflag that
# name library_gif make that rename fail, and those on library_gif would go
# with the old table. Such a migration wraps its operations in
# without_triggers().


def without_triggers(*operations):
    """`operations` (of a migration) with the SQLite indexes' triggers
    dropped before them, and made again after them with the indexes
    refilled."""
    from django.db import migrations

    def drop(apps, schema_editor):
        drop_triggers(schema_editor.connection)

    def restore(apps, schema_editor):
        restore_lost_triggers(schema_editor.connection)

    return [
        migrations.RunPython(drop, restore),
        *operations,
        migrations.RunPython(restore, drop),
    ]


def drop_triggers(connection):
    """Drop the SQLite indexes' triggers; restore_lost_triggers() puts them
    back."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for statement in SQLITE_INDEX[1:-1] + FIRST_SQLITE_INDEX[1:-1]:
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger_name(statement)}")


def restore_lost_triggers(connection):
    """Put back the SQLite indexes' triggers that are missing, and refill the
    indexes they left stale; the names put back."""
    if connection.vendor != "sqlite":
        return []
    indexes = (
        ("library_gif_fts", FIRST_SQLITE_INDEX[1:-1], FIRST_SQLITE_INDEX[-1:]),
        ("library_gif_search", SQLITE_INDEX[1:-1], SQLITE_INDEX[-1:]),
    )
    restored = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master")
        present = set(cursor.fetchall())
        for table, triggers, fill in indexes:
            if ("table", table) not in present:
                continue  # (migrated back to before it was made)
            lost = [
                (name, statement)
                for statement in triggers
                if ("trigger", name := trigger_name(statement)) not in present
            ]
            if not lost:
                continue
            for name, statement in lost:
                cursor.execute(statement)
                restored.append(name)
            if table == "library_gif_search":
                cursor.execute(f"DELETE FROM {table}")
            for statement in fill:
                cursor.execute(statement)
    return restored


def trigger_name(statement):
    return statement.split()[2]


def create_first_index(schema_editor):
    """Migration 0006's index, as it was then."""
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": FIRST_SQLITE_INDEX, "postgresql": POSTGRES_INDEX}
    for statement in statements.get(vendor, []):
        schema_editor.execute(statement)


def drop_first_index(schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {
        "sqlite": FIRST_SQLITE_INDEX_REMOVAL,
        "postgresql": POSTGRES_INDEX_REMOVAL,
    }
    for statement in statements.get(vendor, []):
        schema_editor.execute(statement)


def add_popularity_index(schema_editor):
    """Migration 0014: beside the index of every GIF (which curators' and
    leads' searches read), the picker's index of listed GIFs by popularity.

    Adding a column remade library_gif and took the first index's triggers
    with it, so that index is made again too.
    """
    if schema_editor.connection.vendor == "sqlite":
        statements = FIRST_SQLITE_INDEX_REMOVAL + FIRST_SQLITE_INDEX + SQLITE_INDEX
        for statement in statements:
            schema_editor.execute(statement)


def remove_popularity_index(schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_INDEX_REMOVAL:
            schema_editor.execute(statement)


class IndexedResults:
    """What the picker shows for a parsed query, straight from the SQLite
    index: an exact count(), and slices (pages) of GIFs in ranked order.

    The same ranking as GifQuerySet.search(): a whole-tag match first, then
    a title match, then the rest, most copied and then newest first within
    each. Each tier is an FTS5 query whose matches come in popularity order,
    so a page reads at most as many rows of each tier as it needs.
    """

    def __init__(self, gifs, parsed, *, whole_tags, mood, situation, hides, first=24):
        self.gifs = gifs  # a GifQuerySet, whose cards_by_pk() loads a page
        self.first = first  # the size of the first page
        words = " AND ".join(f'"{word}"*' for word in parsed.include)
        positive = [f"{TEXT_COLUMNS} : ({words})"] if words else []
        positive += [f"facets : {facet(*tag)}" for tag in (mood, situation) if tag]
        negative = []
        if parsed.exclude:
            left_out = " OR ".join(f'"{word}"*' for word in parsed.exclude)
            negative.append(f"{TEXT_COLUMNS} : ({left_out})")
        if hides:
            hidden = " OR ".join(facet("appropriateness", pk) for pk in hides)
            negative.append(f"facets : ({hidden})")
        self.positive, self.negative = positive, negative
        tiers = []
        if parsed.phrase:
            whole = (
                "facets : (" + " OR ".join(sorted(whole_tags)) + ")"
                if whole_tags
                else None
            )
            title = f"search_title : ({words})" if words else None
            if whole:
                tiers.append(self.expression([whole], []))
            if title:
                tiers.append(self.expression([title], [whole] if whole else []))
            tiers.append(self.expression([], [part for part in (whole, title) if part]))
        else:
            tiers.append(self.expression([], []))
        self.tiers = tiers
        self._count = self._first = None

    def expression(self, more, fewer):
        """An FTS5 query: every positive part, none of the negative ones."""
        positive = self.positive + more or ["facets : shelf"]
        query = " AND ".join(f"({part})" for part in positive)
        negative = self.negative + fewer
        if negative:
            query += " NOT (" + " OR ".join(f"({part})" for part in negative) + ")"
        return query

    def count(self):
        """The exact number of matches. The same statement reads the first
        page's rows too: a paginator always asks for the count first."""
        if self._count is None:
            if self.positive:
                counting = COUNT
                params = [self.expression([], [])]
            elif self.negative:
                # FTS5 finds what holds a word, never what lacks one: every
                # listed GIF, less those holding what is left out.
                counting = f"SELECT -1, ({EVERY}) - ({MATCHES})"
                params = [" OR ".join(f"({part})" for part in self.negative)]
            else:
                counting, params = f"SELECT -1, ({EVERY})", []
            rows = self.read(self.first, counting, params)
            self._count = rows[0][1]
            self._first = rows[1:]
        return self._count

    def __len__(self):
        return self.count()

    def read(self, stop, prefix="", params=()):
        """(tier, key) of the first `stop` of each tier, tiers in order, in
        one statement, after the rows of `prefix` (a statement of its own)."""
        statements = [prefix] if prefix else []
        params = list(params)
        for number, tier in enumerate(self.tiers):
            statements.append(PAGE)
            params += [number, tier, stop]
        # SQLite runs the parts of a UNION ALL in order and stops at the
        # LIMIT: once the first tiers fill the page, the later ones (a
        # narrow tier would scan every match for its few rows) never run.
        params.append(stop + len(statements) - len(self.tiers))
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(statements) + " LIMIT %s", params)
            return sorted(cursor.fetchall())

    def __getitem__(self, window):
        if not isinstance(window, slice) or window.step is not None:
            raise TypeError("IndexedResults take slices only.")
        start, stop = window.start or 0, window.stop
        if stop is None:
            stop = self.count()
        if stop <= start:
            return []
        if self._first is not None and stop <= self.first:
            rows = self._first
        else:
            rows = self.read(stop)
        pks = [pk_of(key) for _, key in rows[start:stop]]
        found = self.gifs.cards_by_pk(pks)
        return [found[pk] for pk in pks if pk in found]


class CountedResults:
    """What the picker shows on PostgreSQL for a typed query: the count and
    the first page's ids in one statement (`count(*) OVER ()`), so the
    matches are read from the table once, where a count and then a page
    read them twice. Loading the page's GIFs is a statement of its own.
    """

    def __init__(self, ranked, gifs, first=24):
        self.ranked = ranked  # every match, in ranked order
        self.gifs = gifs  # a GifQuerySet, whose cards_by_pk() loads a page
        self.first = first
        self._count = self._first = None

    def count(self):
        if self._count is None:
            counted = self.ranked.annotate(total=Window(Count("*")))
            rows = list(counted.values_list("pk", "total")[: self.first])
            self._first = [pk for pk, _ in rows]
            self._count = rows[0][1] if rows else 0
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, window):
        if not isinstance(window, slice) or window.step is not None:
            raise TypeError("CountedResults take slices only.")
        start, stop = window.start or 0, window.stop
        if stop is None:
            stop = self.count()
        if stop <= start:
            return []
        if self._first is not None and stop <= self.first:
            pks = self._first[start:stop]
        else:
            pks = list(self.ranked.values_list("pk", flat=True)[start:stop])
        found = self.gifs.cards_by_pk(pks)
        return [found[pk] for pk in pks if pk in found]


MATCHES = "SELECT count(*) FROM library_gif_search WHERE library_gif_search MATCH %s"
COUNT = f"SELECT -1, ({MATCHES})"
EVERY = "SELECT count(*) FROM library_gif_search_docsize"
PAGE = (
    "SELECT * FROM (SELECT %s AS tier, rowid FROM library_gif_search "
    "WHERE library_gif_search MATCH %s ORDER BY rowid LIMIT %s)"
)

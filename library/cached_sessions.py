"""Sessions read from the shared cache (GIFSHELF_CACHE_URL), their rows kept
in the database as library.sessions keeps them: SESSION_ENGINE =
"library.cached_sessions"."""

from django.contrib.sessions.backends import cached_db

from library.sessions import MemberSessionStore


# Named as Django's stores are: a session's data is signed with a salt made
# of the store's class name.
class SessionStore(MemberSessionStore, cached_db.SessionStore):
    pass

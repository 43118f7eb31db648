"""The OpenAPI document served at /api/openapi.json.

Written by hand next to library/api.py; tests/test_openapi.py checks that it
lists every API route with its methods and that the GIF object it describes
has exactly the fields the API sends.
"""

from library.models import Gif

GIF_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
    "description": "The GIF's id.",
}


def nullable(kind, **extra):
    return {"type": [kind, "null"], **extra}


STRING_LIST = {"type": "array", "items": {"type": "string"}}

# What an edit takes for a tag field; null is a 400, not "no tags".
TAG_NAMES = {
    "oneOf": [STRING_LIST, {"type": "string"}],
    "description": "Tag names as a list or comma-separated; replaces that "
    "vocabulary's tags, and an empty list clears them. null is a 400.",
}

GIF = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "alt_text": {"type": "string"},
        "use_when": {"type": "string"},
        "avoid_when": {"type": "string"},
        "use_when_ru": {"type": "string"},
        "avoid_when_ru": {"type": "string"},
        "alt_text_ru": {
            "type": "string",
            "description": "The alt text in Russian; empty when none is written "
            "(Russian readers then get the English one).",
        },
        "status": {
            "type": "string",
            "enum": ["pending", "approved", "rejected", "retired"],
        },
        "format": {"type": "string", "enum": ["gif", "png", "apng", "webp", "jpeg"]},
        "width": {"type": "integer"},
        "height": {"type": "integer"},
        "frames": {"type": "integer"},
        "duration_ms": {
            "type": "integer",
            "description": "One loop as browsers play it; 0 for a single frame.",
        },
        "loops": {"type": "integer", "description": "Plays; 0 means forever."},
        "bytes": {"type": "integer"},
        "sha256": {"type": "string"},
        "mood": STRING_LIST,
        "situation": STRING_LIST,
        "appropriateness": {
            **STRING_LIST,
            "description": "Conversations the GIF is unsuitable for.",
        },
        "url": nullable("string", format="uri", description="Null until approved."),
        "still_url": nullable("string", format="uri"),
        "last_still_url": nullable("string", format="uri"),
        "poster_url": nullable("string", format="uri"),
        "preview_url": nullable("string", format="uri"),
        "page_url": {"type": "string", "format": "uri"},
        "uploaded_by": nullable("string"),
        "created_at": {"type": "string", "format": "date-time"},
        "flags": {
            **STRING_LIST,
            "description": "surprise_ending, contains_text, public_figure, "
            "flashing, low_quality, other.",
        },
        "flag_note": {"type": "string"},
        "flash_per_second": {"type": "integer"},
        "near_duplicates": {"type": "array", "items": {"type": "integer"}},
        "watched_to_end_by": nullable("string"),
        "watched_to_end_at": nullable("string", format="date-time"),
        "reviewed_by": nullable("string"),
        "reviewed_at": nullable("string", format="date-time"),
        "rejection_reason": {"type": "string"},
        "taken_down": {
            "type": "boolean",
            "description": "A team lead took it down: status is retired and "
            "every public link answers 410 Gone.",
        },
    },
}
GIF["required"] = sorted(GIF["properties"])

SEARCH_RESULT = {
    "type": "object",
    "properties": {
        **GIF["properties"],
        "guidance": {"type": "string"},
        "warnings": STRING_LIST,
    },
}
SEARCH_RESULT["required"] = sorted(SEARCH_RESULT["properties"])

SEARCH_PAGE = {
    "type": "object",
    "properties": {
        "count": {"type": "integer"},
        "page": {"type": "integer"},
        "pages": {"type": "integer"},
        "context_hides_every_gif": {
            "type": "boolean",
            "description": "The chosen context sends no GIF at all: no results.",
        },
        "did_you_mean": nullable(
            "string",
            description=(
                "When q finds nothing: q with its misspelt words put right, "
                "if that finds something with the same choices; else null."
            ),
        ),
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
    },
    "required": [
        "context_hides_every_gif",
        "count",
        "did_you_mean",
        "page",
        "pages",
        "results",
    ],
}

# Every error's `code`, untranslated and stable, with its status; docs/api.md
# lists the same.
ERROR_CODES = {
    "invalid": "400: a parameter, the body or a field breaks a rule; the "
    "sentence says which.",
    "image_refused": "400: the file is not an image the shelf takes (format, "
    "pixels, frames, length, damage).",
    "duplicate": "400: this exact file is already GIF duplicate_of; use that "
    "one (or reopen it, if rejected), or upload a different file.",
    "missing_reason": "400: a reason is required.",
    "unauthorized": "401: not logged in, and no token sent.",
    "wrong_scheme": "401: the Authorization header is not "
    "`Bearer <token>` (Token, Basic, or the token alone).",
    "token_invalid": "401: the token is not one the shelf made.",
    "token_expired": "401: the token expired; the sentence says when.",
    "token_revoked": "401: the token was revoked; the sentence says when.",
    "bad_request": "400: the request could not be read at all (too many "
    "fields or files, or a host the server does not answer to).",
    "forbidden": "403: the role does not allow it.",
    "csrf_failed": "403: a session's write without the CSRF token.",
    "not_found": "404: no such GIF (or not visible to you), or no such address.",
    "method_not_allowed": "405: wrong method; the Allow header lists the right ones.",
    "status_changed": "409: the GIF's state does not allow it (someone else "
    "acted first).",
    "own_upload": "409: you uploaded it; another curator approves it.",
    "not_started": "409: the review was never started (POST review/start/).",
    "not_watched": "409: less than one loop since the review started.",
    "missing_alt_text": "409: it has no alt text.",
    "missing_tags": "409: it has neither a mood nor a situation tag.",
    "flashing_not_acknowledged": "409: it flashes and acknowledge_flashing "
    "was not true.",
    "public_figure": "409: flagged public_figure: reject it instead.",
    "already_flagged": "409: you already have an open flag on it.",
    "too_large": "413: the file or the request is over the upload limit, or "
    "a JSON or form body is over 2,621,440 bytes.",
    "server_error": "500: the shelf failed; what was sent may not have been saved.",
}

ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "string",
            "description": "A sentence a person can act on, in their language.",
        },
        "code": {
            "type": "string",
            "enum": list(ERROR_CODES),
            "description": "Untranslated and stable, for scripts. "
            + " ".join(f"{code}: {why}" for code, why in ERROR_CODES.items()),
        },
        "duplicate_of": {"type": "integer"},
    },
    "required": ["error", "code"],
}

COPY = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "gif": {"type": "integer"},
        "format": {"type": "string"},
        "context": nullable("string"),
        "at": {"type": "string", "format": "date-time"},
        "ruled_out": {
            **nullable("string"),
            "description": "Why the context's rules say not to send this GIF "
            "(the copy is recorded all the same), or null.",
        },
    },
    "required": ["id", "gif", "format", "context", "at", "ruled_out"],
}

FLAG = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "gif": {"type": "integer"},
        "reason": {"type": "string"},
        "note": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
    },
    "required": ["id", "gif", "reason", "note", "created_at"],
}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(schema, description):
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def errors(*statuses):
    reasons = {
        400: "The request or the file breaks a rule.",
        401: "Not logged in, and no valid token; for an expired or revoked "
        "token, `error` says which, and when.",
        403: "The role does not allow it (or the CSRF token is missing).",
        404: "No such GIF, or not visible to you.",
        409: "The review state does not allow it; `code` says why.",
        413: "The file or the request is over the upload limit.",
    }
    return {
        str(status): json_body(ref("Error"), reasons[status]) for status in statuses
    }


def review_body(*fields):
    properties = {
        "acknowledge_flashing": {"type": "boolean"},
        "flags": STRING_LIST,
        "note": {"type": "string"},
        "reason": {"type": "string"},
    }
    schema = {"type": "object", "properties": {k: properties[k] for k in fields}}
    return {
        "content": {
            "application/json": {"schema": schema},
            "application/x-www-form-urlencoded": {"schema": schema},
        }
    }


def reason_body():
    schema = {
        "type": "object",
        "required": ["reason"],
        "properties": {
            "reason": {
                "type": "string",
                "maxLength": 500,
                "description": "Why; it goes in the GIF's history.",
            }
        },
    }
    return {
        "required": True,
        "content": {
            "application/json": {"schema": schema},
            "application/x-www-form-urlencoded": {"schema": schema},
        },
    }


def document(server_url):
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "gifshelf",
            "version": "1",
            "description": "A support team's shared shelf of vetted reaction GIFs. "
            'Errors are always {"error": "<sentence>", "code": "<code>"}.',
        },
        "servers": [{"url": server_url}],
        "security": [{"session": []}, {"token": []}],
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token from the preferences page.",
                },
            },
            "schemas": {
                "Gif": GIF,
                "Result": SEARCH_RESULT,
                "SearchPage": SEARCH_PAGE,
                "Copy": COPY,
                "Flag": FLAG,
                "Error": ERROR,
            },
        },
        "paths": {
            "/api/gifs/": {
                "get": {
                    "summary": "Search approved, unflagged GIFs, best first",
                    "parameters": [
                        query_parameter(
                            "q",
                            "Words (prefixes); -word leaves out. A q with no "
                            "letter or digit (only emoji or punctuation) is a 400.",
                        ),
                        query_parameter(
                            "mood",
                            "A mood tag name; one only (another value as well "
                            "is a 400).",
                        ),
                        query_parameter(
                            "situation",
                            "A situation tag name; one only (another value as "
                            "well is a 400).",
                        ),
                        query_parameter(
                            "context",
                            "A conversation context's slug; one only (another "
                            "value as well is a 400).",
                        ),
                        query_parameter(
                            "page",
                            "Page number, from 1 to 2**53 - 1 (a 400 outside).",
                            "integer",
                        ),
                    ],
                    "responses": {
                        "200": json_body(ref("SearchPage"), "24 results a page."),
                        **errors(400, 401, 403),
                    },
                },
                "post": {
                    "summary": "Upload one image (curators and team leads)",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["file"],
                                    "properties": {
                                        "file": {"type": "string", "format": "binary"},
                                        "title": {"type": "string"},
                                        "alt_text": {"type": "string"},
                                        "mood": {
                                            "type": "string",
                                            "description": "Comma-separated names.",
                                        },
                                        "situation": {
                                            "type": "string",
                                            "description": "Comma-separated names.",
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": json_body(ref("Gif"), "The new, pending GIF."),
                        **errors(400, 401, 403, 413),
                    },
                },
            },
            "/api/gifs/{id}/": {
                "parameters": [GIF_ID],
                "get": {
                    "summary": "One GIF",
                    "responses": {
                        "200": json_body(ref("Gif"), "The GIF."),
                        **errors(401, 403, 404),
                    },
                },
                "patch": {
                    "summary": "Edit words and tags (appropriateness: team leads)",
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        **{
                                            name: GIF["properties"][name]
                                            for name in Gif.TEXT_FIELDS
                                        },
                                        **{name: TAG_NAMES for name in Gif.TAG_FIELDS},
                                    },
                                    "additionalProperties": False,
                                }
                            }
                        }
                    },
                    "responses": {
                        "200": json_body(ref("Gif"), "The edited GIF."),
                        **errors(400, 401, 403, 404),
                    },
                },
            },
            "/api/gifs/{id}/review/start/": action(
                "Start this reviewer's watch clock (again=1: start it over, "
                "as after the page was hidden)",
                {
                    "type": "object",
                    "properties": {
                        "started_at": {"type": "string", "format": "date-time"},
                        "watch_ms": {"type": "integer"},
                        "watched": {"type": "boolean"},
                    },
                    "required": ["started_at", "watch_ms", "watched"],
                },
                errors(401, 403, 404),
            ),
            "/api/gifs/{id}/review/open/": action(
                "The review page opened without playing the GIF: void an "
                "unfinished watch, start no clock",
                {
                    "type": "object",
                    "properties": {
                        "watch_ms": {"type": "integer"},
                        "watched": {"type": "boolean"},
                    },
                    "required": ["watch_ms", "watched"],
                },
                errors(401, 403, 404),
            ),
            "/api/gifs/{id}/review/watched/": action(
                "The review page saw one whole loop while in view",
                {
                    "type": "object",
                    "properties": {
                        "played_to_end_at": {"type": "string", "format": "date-time"}
                    },
                    "required": ["played_to_end_at"],
                },
                errors(401, 403, 404, 409),
            ),
            "/api/gifs/{id}/review/filmstrip/": action(
                "Reduced motion: the reviewer stepped to the last frame",
                {
                    "type": "object",
                    "properties": {
                        "stepped_to_end_at": {"type": "string", "format": "date-time"}
                    },
                    "required": ["stepped_to_end_at"],
                },
                errors(401, 403, 404, 409),
            ),
            "/api/gifs/{id}/approve/": action(
                "Approve (watched to its end, described, tagged)",
                ref("Gif"),
                errors(400, 401, 403, 404, 409),
                review_body("acknowledge_flashing", "flags", "note"),
            ),
            "/api/gifs/{id}/reject/": action(
                "Reject with a reason",
                ref("Gif"),
                errors(400, 401, 403, 404, 409),
                review_body("reason", "flags", "note"),
            ),
            "/api/gifs/{id}/flag/": action(
                "An agent flags an approved GIF: it leaves search until reviewed",
                ref("Flag"),
                errors(400, 401, 403, 404, 409),
                {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["reason"],
                                "properties": {
                                    "reason": {
                                        "type": "string",
                                        "enum": [
                                            "customer_offended",
                                            "broken",
                                            "other",
                                        ],
                                    },
                                    "note": {
                                        "type": "string",
                                        "maxLength": 500,
                                        "description": "Required with other.",
                                    },
                                },
                            }
                        }
                    }
                },
                status="201",
            ),
            "/api/gifs/{id}/retire/": action(
                "Retire (team leads; curators on flagged GIFs): out of search, "
                "public link kept",
                ref("Gif"),
                errors(400, 401, 403, 404, 409),
                reason_body(),
            ),
            "/api/gifs/{id}/takedown/": action(
                "Take down (team leads): retired, and public links answer 410",
                ref("Gif"),
                errors(400, 401, 403, 404, 409),
                reason_body(),
            ),
            "/api/gifs/{id}/restore/": action(
                "Back on the shelf: a retired or taken-down GIF (team leads), "
                "or a flagged one (curators too)",
                ref("Gif"),
                errors(400, 401, 403, 404, 409),
                reason_body(),
            ),
            "/api/gifs/{id}/reopen/": action(
                "Back to the review queue: a rejected GIF (curators and team leads)",
                ref("Gif"),
                errors(400, 401, 403, 404, 409),
                reason_body(),
            ),
            "/api/gifs/{id}/copies/": action(
                "Record a copy into a chat",
                ref("Copy"),
                errors(400, 401, 403, 404),
                {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["format"],
                                "properties": {
                                    "format": {
                                        "type": "string",
                                        "enum": ["link", "rich", "markdown", "drag"],
                                    },
                                    "context": {
                                        "type": "string",
                                        "description": "A context's slug.",
                                    },
                                },
                            }
                        }
                    }
                },
                status="201",
            ),
        },
    }


def query_parameter(name, description, kind="string"):
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {"type": kind},
        "description": description,
    }


def action(summary, answer, refusals, body=None, status="200"):
    operation = {
        "summary": summary,
        "responses": {status: json_body(answer, "Done."), **refusals},
    }
    if body:
        operation["requestBody"] = body
    return {"parameters": [GIF_ID], "post": operation}

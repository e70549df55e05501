"""Telling an outage of a service we depend on from a bug of ours.

When PostgreSQL (the server refuses connections, is shutting down or has no
connection slot left), Redis (cache, login and API rate limits) or S3
(attachments, issued documents) cannot be reached, the request could not be done now but will be
later: the honest answer is 503 "try again in a little while", not a 500
that reads as "this is broken". Nothing was half-done by then: services run
in a transaction, so the resident's saved draft stays as it was.

The mapping is by exception class, not by caller, so that whatever code
touches the cache or the storage (today's login form, a login library
tomorrow) is covered without knowing about it.
"""

from __future__ import annotations

import botocore.exceptions
import psycopg
import redis.exceptions

# Seconds a client is asked to wait (Retry-After) before trying again.
RETRY_AFTER_SECONDS = 30

_OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    # Redis: refused, reset, timed out, still loading its data.
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    # S3 through botocore: endpoint unreachable, connect/read time-outs,
    # connection closed mid-answer.
    botocore.exceptions.ConnectionError,
    botocore.exceptions.HTTPClientError,
)
# Not Python's own ConnectionError: the SMTP client raises it too, after the
# application it was telling about has been saved, and "nothing was done,
# try again" would then be untrue.


# PostgreSQL's SQLSTATEs of an unreachable or unwilling server: class 08
# (connection exceptions), administrator or crash shutdown, "starting up",
# out of connection slots or memory. Not 40001/40P01 (serialization failure,
# deadlock): a conflict between two requests, not a server that is down.
_DATABASE_OUTAGE_STATES = ("57P01", "57P02", "57P03", "53300", "53200")


def _is_database_outage(exc: BaseException) -> bool:
    if not isinstance(exc, psycopg.OperationalError):
        return False
    state = exc.sqlstate
    # No SQLSTATE: the connection itself failed (refused, reset, timed out).
    return state is None or state.startswith("08") or state in _DATABASE_OUTAGE_STATES


def is_outage(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what it was raised from) is a dependency outage."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, _OUTAGE_ERRORS) or _is_database_outage(exc):
            return True
        # S3 answering "503 Slow Down" or "500 Internal Error": up, not serving.
        if isinstance(exc, botocore.exceptions.ClientError):
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if isinstance(status, int) and status >= 500:
                return True
        # Only an explicit `raise ... from`: an error met while handling an
        # outage may well be a bug of ours.
        exc = exc.__cause__
    return False

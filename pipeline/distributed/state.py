"""What the workers of a distributed run share, in Redis, never in one process.

- **The broker URL**, from ``--broker``, ``$PIPELINE_BROKER`` or
  ``pipeline.toml`` (``distributed.broker``), in that order. Its password
  is never printed: :func:`mask_url` is what every message shows, and
  :class:`Redactor` takes the password (raw and percent-encoded) out of
  any text that still holds it (the worker puts one on its log streams).
- **The per-document lease** (:class:`Lease`): ``SET key token NX PX ttl``
  taken before a document runs, renewed while it runs (a compare-and-expire
  script) and released with a compare-and-delete script, so that one
  document never runs twice at once, and a lease that expired and was
  taken by another worker is never renewed or released by the first.
  It replaces the workspace lock for distributed runs.
- **The global draft cache** (:class:`DraftCache`, :class:`CachingEngine`):
  ``SHA-256(engine signature, source)`` → the draft, checked before
  decoding and filled after, so a sentence is decoded once per archive,
  not once per document. The source is the text the engine receives: the
  segmenter's normalised sentence, with termbase terms masked (the cache
  sits inside term protection, so a termbase change never serves a stale
  term). Entries are set with ``NX``: the first draft of a sentence stays.
- **The record of each run** (:class:`RunBook`): every document's state
  (queued, waiting, running, done, failed, cancelled), the one-line error
  of a failed one, a short result for the submitter's summary, the
  segments decoded, and a cancellation flag; ``pipeline jobs`` reads it.
  The submitter records a document as queued *before* it sends its task
  (a worker may take it at once) and notes the one being sent
  (``sending``) until the broker has it: a submitter killed in between
  leaves that note, and ``pipeline jobs`` shows the run as abandoned
  (never submitted) once it is older than :data:`UNSENT_SECONDS`.

Keys live under ``pipeline:``; a workspace is named by the SHA-256 of its
resolved path (the shared mount has the same path on every machine).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, unquote_plus, urlsplit

from ..engines.base import Draft, Engine, Signature
from ..errors import PipelineError

#: The environment variable that names the broker.
BROKER_ENV = "PIPELINE_BROKER"
#: Run records are kept this long after their last change.
RUN_TTL_SECONDS = 7 * 24 * 3600
#: Document states in a run, in the order ``pipeline jobs`` shows them.
STATES = ("queued", "waiting", "running", "done", "failed", "cancelled")
#: A document recorded as queued whose task was still not sent this long
#: after: its submitter died in between (``pipeline jobs`` says so).
UNSENT_SECONDS = 60.0


class BrokerError(PipelineError):
    """No broker configured, or it cannot be reached; the URL is masked."""


# --- The broker URL and its password ---------------------------------------------


def broker_url(option: str | None, configured: str = "") -> str:
    """The broker URL: ``--broker``, else ``$PIPELINE_BROKER``, else
    ``distributed.broker`` of ``pipeline.toml`` (``configured``)."""
    url = option or os.environ.get(BROKER_ENV) or configured
    if not url:
        raise BrokerError(
            f"no broker: give --broker URL, set {BROKER_ENV} or distributed.broker in pipeline.toml "
            "(e.g. redis://:PASSWORD@10.0.0.5:6379/0)"
        )
    scheme = urlsplit(url).scheme
    if scheme not in ("redis", "rediss", "redis+socket", "unix"):
        raise BrokerError(f"broker {mask_url(url)}: only Redis brokers are supported (redis://, rediss://, unix://)")
    userinfo = _userinfo(url)
    if userinfo is not None and _parsed_userinfo(url) != userinfo:
        # A '/', '?' or '#' in the password ends the URL's user part early: the
        # rest would be read as a host, a path or a query, and shown in messages.
        raise BrokerError(
            f"broker {mask_url(url)}: the password holds a character that must be percent-encoded "
            "in a URL ('/' as %2F, '?' as %3F, '#' as %23)"
        )
    return url


def _userinfo(url: str) -> str | None:
    """What stands between ``scheme://`` and the *last* ``@`` of ``url``:
    the user part, read so that a password with a character a URL would
    take as the end of it (``/``, ``?``, ``#``) is still all of it (None:
    no ``@``). A socket path holding an ``@`` is masked too: only a
    message loses by it."""
    _, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return None
    return rest.rpartition("@")[0]


def _parsed_userinfo(url: str) -> str | None:
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return None
    return netloc.rpartition("@")[0] if "@" in netloc else None


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (what every message
    shows). The user part is found by :func:`_userinfo`, not by a URL
    parser, so that a password a parser would split is masked all the
    same; a user part without ``:`` (``redis://PASSWORD@host``, a common
    slip) is masked whole."""
    url = _QUERY_PASSWORD.sub(r"\1***", url)  # redis://host/0?password=... (redis-py reads it)
    userinfo = _userinfo(url)
    if userinfo is None:
        return url
    scheme, _, rest = url.partition("://")
    user, colon, _ = userinfo.partition(":")
    shown = f"{user}:***" if colon else "***"
    return f"{scheme}://{shown}@{rest[len(userinfo) + 1 :]}"


_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&#]*", re.IGNORECASE)


def url_secrets(url: str) -> list[str]:
    """The password of ``url`` in every spelling a message could hold it."""
    userinfo = _userinfo(url)
    passwords = [m.group(0).partition("=")[2] for m in _QUERY_PASSWORD.finditer(url)]
    if userinfo is not None and ":" in userinfo:
        passwords.append(userinfo.partition(":")[2])
    spellings = {s for p in passwords if p for s in (p, unquote(p), unquote_plus(p), quote(unquote(p), safe=""))}
    return sorted((s for s in spellings if s), key=len, reverse=True)


class Redactor:
    """Takes the broker's password out of text, whatever printed it."""

    def __init__(self, url: str):
        self.secrets = url_secrets(url)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


class RedactingStream:
    """A text stream that writes through :class:`Redactor` (the worker puts
    one over stdout and stderr, so that no library's log line can print
    the password)."""

    def __init__(self, stream, redact: Redactor):
        self._stream = stream
        self._redact = redact

    def write(self, text):
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        return self._stream.write(self._redact(text))

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._stream, name)


# A Unix socket is ``unix://[:PASSWORD@]/PATH[?db=N]`` to redis-py and
# ``redis+socket://[:PASSWORD@]/PATH[?virtual_host=N]`` to kombu, which has
# no ``unix`` transport: the two functions below turn one into the other.


def _respell(url: str, scheme: str, db: str, new_scheme: str, new_db: str) -> str:
    if not url.startswith(scheme):
        return url
    rest, sep, query = url[len(scheme) :].partition("?")
    return new_scheme + rest + sep + re.sub(rf"(^|&){db}=", rf"\g<1>{new_db}=", query)


def redis_url(url: str) -> str:
    """The broker URL in redis-py's spelling (a socket: ``unix://``)."""
    return _respell(url, "redis+socket://", "virtual_host", "unix://", "db")


def kombu_url(url: str) -> str:
    """The broker URL in kombu's spelling (a socket: ``redis+socket://``)."""
    return _respell(url, "unix://", "db", "redis+socket://", "virtual_host")


def connect(url: str, timeout: float = 5.0):
    """A redis-py client for ``url``, checked with a PING; a broker that
    cannot be reached or refuses us is one line, with the URL masked."""
    import redis

    try:
        client = redis.Redis.from_url(
            redis_url(url),
            socket_connect_timeout=timeout,
            socket_timeout=max(timeout, 10.0),
            health_check_interval=30,
            retry_on_timeout=True,
        )
        client.ping()
    except (redis.RedisError, ValueError, OSError) as exc:
        raise BrokerError(f"cannot reach the broker at {mask_url(url)}: {Redactor(url)(_one_line(exc))}") from None
    return client


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def workspace_id(root: Path) -> str:
    """The name of a workspace in Redis keys: the same on every machine that
    mounts it at the same path."""
    return hashlib.sha256(os.path.realpath(root).encode()).hexdigest()[:16]


# --- The per-document lease ----------------------------------------------------------

# KEYS[1] the lease, ARGV[1] our token, ARGV[2] milliseconds: extend it only if it is still ours.
_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
)
# Delete it only if it is still ours.
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


class Lease:
    """One document's lease: at most one holder at a time, for ``ttl``
    seconds unless renewed. ``lost`` is set when a renewal finds the lease
    gone or someone else's (it expired: the holder was paused too long)."""

    def __init__(self, client, key: str, ttl: float):
        self.client = client
        self.key = key
        self.ttl_ms = max(1, int(ttl * 1000))
        self.token = uuid.uuid4().hex
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def acquire(self) -> bool:
        return bool(self.client.set(self.key, self.token, nx=True, px=self.ttl_ms))

    def renew(self) -> bool:
        ours = bool(self.client.eval(_RENEW, 1, self.key, self.token, self.ttl_ms))
        if not ours:
            self.lost.set()
        return ours

    def release(self) -> bool:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        return bool(self.client.eval(_RELEASE, 1, self.key, self.token))

    def holder(self) -> str | None:
        value = self.client.get(self.key)
        return value.decode() if value is not None else None

    def keep_renewed(self) -> None:
        """Renew the lease every third of its time to live, in a thread,
        until :meth:`release`. A renewal that cannot reach Redis is tried
        again at the next tick; one that finds the lease lost stops."""

        def loop() -> None:
            while not self._stop.wait(self.ttl_ms / 3000):
                try:
                    if not self.renew():
                        return
                except Exception:  # Redis away for a moment: try again at the next tick
                    continue

        self._renewer = threading.Thread(target=loop, name=f"lease {self.key}", daemon=True)
        self._renewer.start()


# --- The global draft cache ---------------------------------------------------------------


class DraftCache:
    """Drafts by (engine signature, source), shared by every worker."""

    PREFIX = "pipeline:draft:"

    def __init__(self, client):
        self.client = client

    @staticmethod
    def key(signature: Signature | str, source: str) -> str:
        digest = hashlib.sha256(f"{signature}\x00{source}".encode()).hexdigest()
        return DraftCache.PREFIX + digest

    def lookup(self, signature: Signature, sources: Sequence[str]) -> dict[int, Draft]:
        """The cached drafts of ``sources``, by index."""
        if not sources:
            return {}
        values = self.client.mget([self.key(signature, s) for s in sources])
        found = {}
        for i, value in enumerate(values):
            if value is not None:
                data = json.loads(value)
                found[i] = Draft(data["text"], signature, tuple(data.get("notes", ())))
        return found

    def store(self, signature: Signature, items: Sequence[tuple[str, Draft]]) -> None:
        """Remember drafts; an entry already there (another worker's draft
        of the same sentence) is kept."""
        if not items:
            return
        pipe = self.client.pipeline(transaction=False)
        for source, draft in items:
            value = json.dumps({"text": draft.text, "notes": list(draft.notes)}, ensure_ascii=False)
            pipe.set(self.key(signature, source), value, nx=True)
        pipe.execute()


@dataclass
class CacheCounts:
    """What a :class:`CachingEngine` did: segments answered by the cache, and decoded."""

    hits: int = 0
    decoded: int = 0


class CachingEngine(Engine):
    """``inner`` behind the global draft cache: segments whose draft the
    cache holds are answered at once, the others decoded by ``inner`` and
    stored. Drafts that come back empty are not stored."""

    def __init__(self, inner: Engine, cache: DraftCache, counts: CacheCounts | None = None):
        self.inner = inner
        self.cache = cache
        self.counts = counts if counts is not None else CacheCounts()

    def signature(self) -> Signature:
        return self.inner.signature()

    def protect_placeholders(self, pattern) -> bool:
        return self.inner.protect_placeholders(pattern)

    def follow_termbase(self, termbase) -> bool:
        # An engine that follows the termbase itself counts it in its signature: the cache key.
        return self.inner.follow_termbase(termbase)

    def translate_batches(self, segments: Sequence[str]) -> Iterator[tuple[list[int], list[Draft]]]:
        signature = self.inner.signature()
        found = self.cache.lookup(signature, segments)
        if found:
            self.counts.hits += len(found)
            indices = sorted(found)
            yield indices, [found[i] for i in indices]
        missing = [i for i in range(len(segments)) if i not in found]
        if not missing:
            return
        for indices, drafts in self.inner.translate_batches([segments[i] for i in missing]):
            self.counts.decoded += len(indices)
            originals = [missing[i] for i in indices]
            self.cache.store(
                signature, [(segments[o], d) for o, d in zip(originals, drafts, strict=True) if d.text.strip()]
            )
            yield originals, drafts


# --- The record of each run ------------------------------------------------------------------


class RunBook:
    """One run's record in Redis: its documents' states, errors and results."""

    def __init__(self, client, run_id: str):
        self.client = client
        self.run_id = run_id
        base = f"pipeline:run:{run_id}"
        self.meta_key = base
        self.state_key = base + ":state"
        self.error_key = base + ":error"
        self.result_key = base + ":result"
        self.where_key = base + ":where"
        self._keys = (self.meta_key, self.state_key, self.error_key, self.result_key, self.where_key)

    @staticmethod
    def runs_key(ws_id: str) -> str:
        return f"pipeline:ws:{ws_id}:runs"

    @classmethod
    def create(cls, client, ws_root: Path, documents: Sequence[str]) -> RunBook:
        run_id = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:8]
        book = cls(client, run_id)
        pipe = client.pipeline()
        pipe.hset(
            book.meta_key,
            mapping={"workspace": str(ws_root), "total": len(documents), "created": time.time(), "segments": 0},
        )
        if documents:
            pipe.hset(book.state_key, mapping={doc: "queued" for doc in documents})
        pipe.zadd(cls.runs_key(workspace_id(ws_root)), {run_id: time.time()})
        for key in book._keys:
            pipe.expire(key, RUN_TTL_SECONDS)
        pipe.execute()
        return book

    @classmethod
    def recent(cls, client, ws_root: Path, limit: int = 10) -> list[RunBook]:
        ids = client.zrevrange(cls.runs_key(workspace_id(ws_root)), 0, limit - 1)
        return [cls(client, i.decode()) for i in ids]

    def exists(self) -> bool:
        return self.client.hexists(self.meta_key, "created")

    def sending(self, doc: str) -> None:
        """``doc`` is queued, and its task about to be sent (:meth:`sent` once it is)."""
        pipe = self.client.pipeline()
        pipe.hset(self.state_key, doc, "queued")
        pipe.hincrby(self.meta_key, "total", 1)
        pipe.hset(self.meta_key, mapping={"sending": doc, "sending_since": time.time()})
        self._keep(pipe)
        pipe.execute()

    def sent(self, doc: str) -> None:
        """The broker has ``doc``'s task."""
        self.client.hdel(self.meta_key, "sending", "sending_since")

    def unsent(self, meta: dict[str, str], states: dict[str, str], now: float | None = None) -> str | None:
        """The document whose task was never sent, if the submitter died
        between recording it and sending it (:data:`UNSENT_SECONDS` ago or
        more, and no worker has taken it since); ``meta`` and ``states`` as
        :meth:`meta` and :meth:`states` read them."""
        doc = meta.get("sending")
        if doc is None or states.get(doc) != "queued":
            return None
        since = float(meta.get("sending_since", 0))
        return doc if (time.time() if now is None else now) - since >= UNSENT_SECONDS else None

    def set_state(self, doc: str, state: str, where: str | None = None) -> None:
        """``doc`` is in ``state`` now; ``where``: the worker running it (``host:pid``)."""
        pipe = self.client.pipeline()
        pipe.hset(self.state_key, doc, state)
        if where is not None:
            pipe.hset(self.where_key, doc, where)
        self._keep(pipe)
        pipe.execute()

    def _keep(self, pipe) -> None:
        """Keep the run's keys RUN_TTL_SECONDS after this change (queued in ``pipe``)."""
        for key in self._keys:
            pipe.expire(key, RUN_TTL_SECONDS)

    def where(self) -> dict[str, str]:
        """The worker (``host:pid``) that last started each document."""
        return {k.decode(): v.decode() for k, v in self.client.hgetall(self.where_key).items()}

    def fail(self, doc: str, message: str) -> None:
        pipe = self.client.pipeline()
        pipe.hset(self.error_key, doc, message)
        pipe.hset(self.state_key, doc, "failed")
        self._keep(pipe)
        pipe.execute()

    def finish(self, doc: str, result: dict) -> None:
        pipe = self.client.pipeline()
        pipe.hset(self.result_key, doc, json.dumps(result, ensure_ascii=False))
        pipe.hdel(self.error_key, doc)
        pipe.hset(self.state_key, doc, "done")
        self._keep(pipe)
        pipe.execute()

    def add_segments(self, n: int) -> None:
        pipe = self.client.pipeline()
        pipe.hincrby(self.meta_key, "segments", n)
        pipe.expire(self.meta_key, RUN_TTL_SECONDS)
        pipe.execute()

    def add_counts(self, hits: int, decoded: int) -> None:
        pipe = self.client.pipeline()
        pipe.hincrby(self.meta_key, "cache_hits", hits)
        pipe.hincrby(self.meta_key, "decoded", decoded)
        pipe.expire(self.meta_key, RUN_TTL_SECONDS)
        pipe.execute()

    def cancel(self) -> None:
        self.client.hset(self.meta_key, "cancelled", 1)

    def cancelled(self) -> bool:
        return self.client.hget(self.meta_key, "cancelled") is not None

    def meta(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.client.hgetall(self.meta_key).items()}

    def states(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.client.hgetall(self.state_key).items()}

    def errors(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.client.hgetall(self.error_key).items()}

    def results(self) -> dict[str, dict]:
        return {k.decode(): json.loads(v) for k, v in self.client.hgetall(self.result_key).items()}

    def counts(self, states: dict[str, str] | None = None) -> dict[str, int]:
        """How many documents are in each state (``states``: :meth:`states`, read once)."""
        counts = dict.fromkeys(STATES, 0)
        for state in (self.states() if states is None else states).values():
            counts[state] = counts.get(state, 0) + 1
        return counts

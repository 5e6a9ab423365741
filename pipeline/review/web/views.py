"""The pages and the review API, as a Flask :class:`~flask.Blueprint`.

Every view is built from :func:`pipeline.review.queue.items` and every
decision goes through a :class:`~pipeline.review.session.ReviewSession`,
saved to the PO file before the browser hears back; a write whose tag is
stale is answered 409 with the entry as now on disk; one the roles refuse
(:class:`~pipeline.review.roles.RoleRefused`) 403 with its one line; one
that error-level checks stop (:class:`~pipeline.review.session.GateRefused`)
422 with the findings, and the page sends it again with an ``override``
reason. A decision may carry the person's ``reason`` (the page asks for one
with an edit); ``comment`` and ``uncomment`` add and remove a person's
comment on the entry (``comment`` in the body), under the same rules.
Request bodies are read through :mod:`.security`; errors are JSON
under ``/api/``, a page elsewhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from flask import Blueprint, Response, abort, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ...build import build
from ...catalog import State
from ...catalog.states import is_reviewed
from ...checks import CHECKS, Severity
from ...editions import html as html_edition
from ...errors import PipelineError
from ...status import document_status
from ...terms import Termbase, load_termbase
from ..history import read_history
from ..queue import PENDING, ReviewItem, findings_for, items
from ..roles import RoleRefused, roles_for
from ..session import GateRefused, ReviewConflict, ReviewSession
from .diffs import char_diff
from .security import MAX_BODY_BYTES, comment_text, json_body, override_reason, reason, text_field, translation_text
from .state import PAGE_ID, review_state

bp = Blueprint("review", __name__)

STATE_LABELS = {
    State.UNTRANSLATED: "untranslated",
    State.MACHINE_DRAFT: "machine draft",
    State.FUZZY: "fuzzy",
    State.TRANSLATED: "translated",
    State.APPROVED: "approved",
    State.EDITED_OUTSIDE_REVIEW: "edited outside review",
}
#: The order states are counted and drawn in: done first, then what needs work.
STATE_ORDER = (
    State.APPROVED,
    State.TRANSLATED,
    State.EDITED_OUTSIDE_REVIEW,
    State.MACHINE_DRAFT,
    State.FUZZY,
    State.UNTRANSLATED,
)
#: The states in which a person stands behind the translation, as the page counts "reviewed".
DONE = tuple(state.value for state in STATE_ORDER if is_reviewed(state))


# --- JSON views of the review model --------------------------------------------


def item_json(item: ReviewItem) -> dict:
    """What the page needs of a :class:`ReviewItem` (all of it, as plain data)."""
    return {
        "index": item.index,
        "msgid": item.msgid,
        "target": item.target,
        "state": item.state.value,
        "stateLabel": STATE_LABELS[item.state],
        "tag": item.tag,
        "types": list(item.types),
        "location": item.location,
        "previousSource": item.previous_source,
        "sourceDiff": char_diff(item.previous_source, item.msgid) if item.previous_source else None,
        "origin": item.origin,
        "suggestions": [
            {"percent": s.percent, "origin": s.origin, "text": s.text, "numbersDiffer": s.numbers_differ}
            for s in item.suggestions
        ],
        "glossary": [{"zh": t.zh, "en": t.en, "type": t.type, "note": t.note} for t in item.glossary],
        "findings": findings_json(item.findings),
        "comments": list(item.comments),
    }


def findings_json(findings) -> list[dict]:
    titles = {check.code: check.title for check in CHECKS}
    return [
        {"code": f.code, "severity": f.severity.value, "message": f.message, "title": titles.get(f.code, f.code)}
        for f in findings
    ]


def _state_counts(review_items: list[ReviewItem]) -> dict[str, int]:
    counts = Counter(item.state for item in review_items)
    return {state.value: counts.get(state, 0) for state in STATE_ORDER}


def _reviewed(counts: dict[str, int]) -> int:
    """How many of ``counts`` a person stands behind (translated or approved)."""
    return sum(counts[value] for value in DONE)


def _progress_json(review_items: list[ReviewItem]) -> dict:
    counts = _state_counts(review_items)
    return {
        "reviewed": _reviewed(counts),
        "approved": counts[State.APPROVED.value],
        "total": len(review_items),
        "counts": counts,
    }


def _severity_counts(review_items: list[ReviewItem]) -> dict[str, int]:
    counts = Counter(f.severity for item in review_items for f in item.findings)
    return {severity.value: counts.get(severity, 0) for severity in Severity}


def _bar(counts: dict[str, int], total: int) -> list[dict]:
    """Segments of a stacked progress bar, in percent of ``total``."""
    parts, x = [], 0.0
    for state in STATE_ORDER:
        n = counts.get(state.value, 0)
        width = 100.0 * n / total if total else 0.0
        parts.append(
            {"state": state.value, "label": STATE_LABELS[state], "count": n, "x": round(x, 3), "width": round(width, 3)}
        )
        x += width
    return parts


# --- Helpers of the views -------------------------------------------------------


def _known_document(doc: str) -> str:
    # Only a document of the workspace, by exact name: no path ever comes from the URL.
    if doc not in review_state().ws.documents():
        abort(404, description=f"no document named {doc!r} in this workspace")
    return doc


def _termbase() -> Termbase:
    # Read per request: the glossary may be edited while the server runs.
    return load_termbase(review_state().ws.glossary, inside=review_state().ws.root)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error_response(status: int, message: str):
    if _wants_json():
        return jsonify(error=message), status
    return render_template("error.html", status=status, message=message), status


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException):
    if exc.code == 413:
        return _error_response(413, f"the request is larger than {MAX_BODY_BYTES // 1024} KiB; nothing was saved")
    return _error_response(exc.code or 500, exc.description or exc.name)


@bp.app_errorhandler(PipelineError)
def pipeline_error(exc: PipelineError):
    return _error_response(400 if _wants_json() else 500, str(exc))


@bp.app_context_processor
def page_globals():
    if not g.get("authorized"):  # an error page for a refused request gives nothing away
        return {"csrf_token": "", "reviewer": "", "state_labels": STATE_LABELS}
    review = review_state()
    return {"csrf_token": review.guard.csrf_token, "reviewer": review.reviewer, "state_labels": STATE_LABELS}


# --- Pages ------------------------------------------------------------------------


@bp.get("/")
def dashboard():
    review = review_state()
    terms = _termbase()
    rows = []
    for doc in review.ws.documents():
        try:
            status = document_status(review.ws, doc)
            review_items = items(ReviewSession(review.ws, doc, review.reviewer), terms)
        except PipelineError as exc:  # one broken catalog must not hide the others
            rows.append({"doc": doc, "error": str(exc)})
            continue
        counts = _state_counts(review_items)
        rows.append(
            {
                "doc": doc,
                "status": status,
                "counts": counts,
                "reviewed": _reviewed(counts),
                "bar": _bar(counts, status.segments),
                "findings": _severity_counts(review_items),
                "flagged": sum(1 for item in review_items if item.findings),
            }
        )
    totals = Counter()
    for row in rows:
        for key, value in row.get("counts", {}).items():
            totals[key] += value
        for key, value in row.get("findings", {}).items():
            totals["findings-" + key] += value
    total_segments = sum(row["status"].segments for row in rows if "status" in row)
    totals["reviewed"] = _reviewed(totals)
    return render_template(
        "dashboard.html",
        rows=rows,
        workspace=str(review.ws.root),
        totals=totals,
        total_segments=total_segments,
        total_bar=_bar(totals, total_segments),
        states=[(s.value, STATE_LABELS[s]) for s in STATE_ORDER],
    )


@bp.get("/favicon.ico")
def favicon():
    return "", 204  # the edition page asks for one; our pages carry an empty data: icon


@bp.get("/doc/<doc>")
def document(doc: str):
    review = review_state()
    doc = _known_document(doc)
    session = ReviewSession(review.ws, doc, review.reviewer)
    review_items = items(session, _termbase())
    fired = Counter(f.code for item in review_items for f in item.findings)
    state_filter = request.args.get("state", "all")
    check_filter = request.args.get("check", "any")
    progress = _progress_json(review_items)
    return render_template(
        "document.html",
        doc=doc,
        title=next((item.msgid for item in review_items if "title" in item.types), None),
        page=review.sessions.new_page(),
        items=review_items,
        items_data=[item_json(item) for item in review_items],
        progress=progress,
        bar=_bar(progress["counts"], progress["total"]),
        states=[(s.value, STATE_LABELS[s]) for s in STATE_ORDER],
        checks=[(check.code, check.title, fired.get(check.code, 0)) for check in CHECKS],
        state_filter=state_filter,
        check_filter=check_filter,
        pending=sorted(s.value for s in PENDING),
        done=DONE,
        approver=roles_for(review.ws).is_approver(review.reviewer),
    )


@bp.get("/doc/<doc>/bilingual")
def bilingual(doc: str):
    review = review_state()
    doc = _known_document(doc)
    with review.build_lock:  # one build at a time into the shared directory
        result = build(review.ws, doc, review.lifecycle.editions_dir())
    page = next(p for p in result.paths if p.name.endswith(".bilingual.html"))
    response = Response(page.read_bytes(), mimetype="text/html")
    response.headers["Content-Security-Policy"] = html_edition.CONTENT_SECURITY_POLICY
    return response


# --- The review API ----------------------------------------------------------------


def _decide(doc: str, act: Callable[[ReviewSession, dict], str | None]):
    """Run one decision through the page's session; answer with the entry as now saved."""
    review = review_state()
    doc = _known_document(doc)
    data = json_body()
    page = text_field(data, "page")
    if not PAGE_ID.fullmatch(page):  # an id this server handed out, not a key of any size
        abort(400, description="'page' is not a page id of this server: reload the page")
    session, lock = review.sessions.get(doc, page)
    terms = _termbase()
    with review.lifecycle.saving(), lock:
        session.reload()
        try:
            msgid = act(session, data)
        except GateRefused as gate:  # the page asks for a reason, then sends the decision again with it
            return jsonify(
                error=str(gate), gate=True, msgid=data.get("msgid"), findings=findings_json(gate.findings)
            ), 422
        except RoleRefused as refused:  # one line: who may not do what, and why
            return jsonify(error=str(refused), refused=True, msgid=data.get("msgid")), 403
        except ReviewConflict as conflict:
            review_items = items(session, terms)  # the session now holds the catalog on disk
            current = next((i for i in review_items if i.msgid == conflict.msgid), None)
            return jsonify(
                error=str(conflict),
                msgid=conflict.msgid,
                current=item_json(current) if current else None,
                progress=_progress_json(review_items),
            ), 409
        review_items = items(session, terms)
    item = next((i for i in review_items if i.msgid == msgid), None)
    return jsonify(msgid=msgid, item=item_json(item) if item else None, progress=_progress_json(review_items))


#: The decisions on one entry, by the name that ends their URL: each is the
#: session's call given the entry's ``msgid``, the ``tag`` the page last saw
#: of it and the request's body (a translation, a reason, an override reason, a comment).
DECISIONS: dict[str, Callable[[ReviewSession, str, str, dict], object]] = {
    "accept": lambda session, msgid, tag, data: session.accept(
        msgid, translation_text(data, msgid), expected=tag, override=override_reason(data), reason=reason(data)
    ),
    "approve": lambda session, msgid, tag, data: session.approve(
        msgid, expected=tag, override=override_reason(data), reason=reason(data)
    ),
    "unapprove": lambda session, msgid, tag, data: session.unapprove(msgid, expected=tag, reason=reason(data)),
    "reject": lambda session, msgid, tag, data: session.reject(msgid, expected=tag, reason=reason(data)),
    "comment": lambda session, msgid, tag, data: session.comment(msgid, comment_text(data), expected=tag),
    "uncomment": lambda session, msgid, tag, data: session.uncomment(
        msgid, comment_text(data), expected=tag, reason=reason(data)
    ),
}


def decide(doc: str, action: str):
    """``POST /api/doc/<doc>/<action>``, one of :data:`DECISIONS`: the endpoint is the action's name."""
    call = DECISIONS[action]

    def act(session: ReviewSession, data: dict) -> str:
        msgid, tag = text_field(data, "msgid"), text_field(data, "tag")
        call(session, msgid, tag, data)
        return msgid

    return _decide(doc, act)


for _action in DECISIONS:
    bp.add_url_rule(f"/api/doc/<doc>/{_action}", _action, decide, methods=["POST"], defaults={"action": _action})


@bp.post("/api/doc/<doc>/undo")
def undo(doc: str):
    def act(session: ReviewSession, data: dict) -> str | None:
        decision = session.undo()
        return decision.msgid if decision else None

    return _decide(doc, act)


#: The fields of a history record the page shows.
HISTORY_FIELDS = (
    "time",
    "who",
    "action",
    "state_before",
    "state_after",
    "text_before",
    "text_after",
    "draft_signature",
    "reason",
    "overrides",
    "override_reason",
    "comment",
    "source_before",
    "recovered",
)


@bp.get("/api/doc/<doc>/history")
def entry_history(doc: str):
    """One entry's decisions, oldest first; the machine draft it had last and
    a character diff from it to the text now (nothing is saved)."""
    review = review_state()
    doc = _known_document(doc)
    msgid = request.args.get("msgid", "")
    if not msgid:
        abort(400, description="'msgid' must be a non-empty string")
    session = ReviewSession(review.ws, doc, review.reviewer)
    message = session.catalog.get(msgid)
    if message is None:
        abort(404, description="the entry is no longer in the catalog (re-extracted?)")
    records = [r for r in read_history(review.ws, doc) if r.msgctxt is None and r.msgid == msgid]
    current = message.string or ""
    draft = _last_draft(records)
    return jsonify(
        msgid=msgid,
        current=current,
        records=[{name: getattr(r, name) for name in HISTORY_FIELDS} for r in records],
        draft=draft,
        draftDiff=char_diff(draft["text"], current) if draft and current else None,
    )


def _last_draft(records) -> dict | None:
    """The machine (or memory) draft the entry carried last, by its history:
    the last ``draft`` record, else the text before the first decision
    taken on a machine draft. None once a reject dropped it."""
    draft = None
    for record in records:
        if record.action == "draft":
            draft = {"text": record.text_after, "signature": record.draft_signature, "time": record.time}
        elif record.action == "reject":
            draft = None
        elif draft is None and record.state_before == State.MACHINE_DRAFT.value and record.text_before:
            draft = {"text": record.text_before, "signature": record.draft_signature, "time": record.time}
    return draft


@bp.post("/api/doc/<doc>/check")
def check(doc: str):
    """The checks that fire on a text being typed (nothing is saved)."""
    review = review_state()
    doc = _known_document(doc)
    data = json_body()
    msgid = text_field(data, "msgid")
    text = translation_text(data, msgid) or ""
    session = ReviewSession(review.ws, doc, review.reviewer)
    message = session.catalog.get(msgid)
    if message is None:
        abort(404, description="the entry is no longer in the catalog (re-extracted?)")
    findings = findings_for(doc, message, text, _termbase())
    return jsonify(msgid=msgid, findings=findings_json(findings))

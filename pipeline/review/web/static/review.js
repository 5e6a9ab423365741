/* pipeline review: the document page.
 *
 * The page is rendered by the server (every text escaped by Jinja); this
 * script adds the keyboard, the side panel, live checks and the decisions.
 * It never builds HTML from strings: text goes into the page through
 * textContent, so nothing in a source document or a translation can run.
 *
 * Decisions go to the server one at a time, in the order they were made,
 * each with the tag of the version the row shows; the server refuses a
 * stale tag (HTTP 409) and the row then shows what is saved now.
 *
 * An edit shows a field for the reason for the change, sent with its
 * accept; a row's comments (a note, a query to the desk) are shown under
 * it, added with "Comment" (c) and removed with their own button; a comment
 * that was not saved (refused, a conflict) comes back in its field.
 */
(function () {
  "use strict";

  var body = document.body;
  var csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  var urls = {
    accept: body.dataset.acceptUrl,
    reject: body.dataset.rejectUrl,
    undo: body.dataset.undoUrl,
    check: body.dataset.checkUrl,
    approve: body.dataset.approveUrl,
    unapprove: body.dataset.unapproveUrl,
    history: body.dataset.historyUrl,
    comment: body.dataset.commentUrl,
    uncomment: body.dataset.uncommentUrl
  };
  var pageId = body.dataset.page;
  var pendingStates = body.dataset.pending.split(" ");
  var doneStates = body.dataset.done.split(" "); // a person stands behind the text: translated, approved
  var isApprover = body.dataset.approver === "yes";
  var STATE_CLASSES = ["untranslated", "machine-draft", "fuzzy", "translated", "approved", "edited-outside-review"].map(
    function (state) { return "state-" + state; });
  var CHECK_DELAY_MS = 300;
  var autoSizing = !(window.CSS && CSS.supports && CSS.supports("field-sizing", "content"));

  /** Every entry as last saved, by msgid. */
  var items = new Map();
  JSON.parse(document.getElementById("review-items").textContent).forEach(function (item) {
    items.set(item.msgid, item);
  });
  var rows = Array.prototype.slice.call(document.querySelectorAll(".seg"));
  var rowByMsgid = new Map(rows.map(function (row) { return [row.dataset.msgid, row]; }));
  var current = null;
  var inFlight = 0;

  // --- small helpers ---------------------------------------------------------

  /** An element with attributes and children; strings become text nodes. */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  /** A diff from the server, ``[[op, text], ...]``, as <del>/<ins>/<span> text nodes. */
  function diffNodes(runs) {
    return (runs || []).map(function (run) {
      return el(run[0] === "delete" ? "del" : run[0] === "insert" ? "ins" : "span", { text: run[1] });
    });
  }

  function editor(row) { return row.querySelector(".en-text"); }
  function itemOf(row) { return items.get(row.dataset.msgid); }
  function isDirty(row) { return editor(row).value !== itemOf(row).target; }
  function isDone(row) { return doneStates.indexOf(row.dataset.state) >= 0; }
  function isTyping(target) { return !!(target && target.closest && target.closest("textarea, input, select, [contenteditable]")); }

  function autosize(textarea) {
    if (!autoSizing) return;
    textarea.style.height = "auto";
    textarea.style.height = textarea.scrollHeight + 2 + "px";
  }

  var toastTimer = null;
  function toast(message, isError) {
    var box = document.getElementById("toast");
    box.textContent = message;
    box.classList.toggle("error", !!isError);
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { box.hidden = true; }, isError ? 6000 : 2200);
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
      body: JSON.stringify(payload),
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (response) {
      return response.json().catch(function () { return { error: response.statusText }; }).then(function (data) {
        return { status: response.status, data: data || {} };
      });
    });
  }

  // Decisions are sent one after another, so the server records them (and
  // undo takes them back) in the order the reviewer made them.
  var writes = Promise.resolve();
  function enqueue(task) {
    var run = writes.then(task, task);
    writes = run.catch(function () {});
    return run;
  }

  // --- rows --------------------------------------------------------------------

  function setFindings(row, findings) {
    row.querySelector(".findings").replaceChildren.apply(
      row.querySelector(".findings"),
      findings.map(function (f) {
        return el("li", { class: "finding sev-" + f.severity, title: f.title }, el("span", { class: "code", text: f.code }), " " + f.message);
      })
    );
    var codes = [];
    findings.forEach(function (f) { if (codes.indexOf(f.code) < 0) codes.push(f.code); });
    row.dataset.checks = codes.join(" ");
    row.findings = findings;
    if (row === current) renderPanel();
  }

  function updateDirty(row) {
    var dirty = isDirty(row);
    if (row.confirmedText !== undefined && row.confirmedText !== editor(row).value) {
      row.confirmedText = undefined;
      row.querySelector(".confirm-note").hidden = true;
    }
    row.classList.toggle("edited", dirty);
    row.querySelector(".unsaved").hidden = !dirty;
    row.querySelector(".edit-reason-field").hidden = !dirty; // a reason goes with a change of the text
  }

  function editReason(row) { return row.querySelector(".edit-reason"); }

  /** The comments people wrote on the entry, each with a button that removes it. */
  function renderComments(row, item) {
    var box = row.querySelector(".comments");
    var list = box.querySelector(".comment-list");
    var comments = item.comments || [];
    list.replaceChildren.apply(list, comments.map(function (text) {
      return el("li", { class: "comment" },
        el("span", { class: "comment-text", text: text }), " ",
        el("button", { type: "button", class: "button small act-uncomment", "aria-label": "Remove the comment: " + text,
          onclick: function () { uncomment(row, text); } }, "Remove"));
    }));
    box.hidden = comments.length === 0;
  }

  /** Show ``item`` (as saved) in ``row``; ``keepText`` keeps what the reviewer typed. */
  function renderRow(row, item, keepText) {
    items.set(item.msgid, item);
    row.dataset.tag = item.tag;
    row.dataset.state = item.state;
    STATE_CLASSES.forEach(function (c) { row.classList.remove(c); });
    row.classList.add("state-" + item.state);
    row.querySelector(".badge").textContent = item.stateLabel;
    var was = row.querySelector(".was");
    was.hidden = !item.previousSource;
    var wasText = was.querySelector(".was-text");
    wasText.replaceChildren.apply(wasText, diffNodes(item.sourceDiff));
    clearNotes(row);
    if (row.historyOpen) loadHistory(row);
    clearTimeout(row.checkTimer);
    row.checkSeq = (row.checkSeq || 0) + 1; // a check still on its way is for an older text
    if (!keepText) { editor(row).value = item.target; editReason(row).value = ""; }
    renderComments(row, item);
    row.confirmedText = undefined;
    row.querySelector(".confirm-note").hidden = true;
    updateDirty(row);
    autosize(editor(row));
    if (isDirty(row)) scheduleCheck(row);
    else setFindings(row, item.findings);
    if (row === current) renderPanel();
  }

  function setSaving(row, delta) {
    row.savingCount = (row.savingCount || 0) + delta;
    inFlight += delta;
    row.querySelector(".saving").hidden = row.savingCount <= 0;
    row.classList.toggle("pending-save", row.savingCount > 0);
  }

  function clearConflict(row) {
    var box = row.querySelector(".conflict");
    box.hidden = true;
    box.replaceChildren();
    row.classList.remove("has-conflict");
  }

  function showConflict(row, data) {
    var saved = data.current;
    var box = row.querySelector(".conflict");
    var children = [el("strong", { text: "Changed elsewhere since this page showed it. Nothing was saved." })];
    if (saved) {
      children.push(
        el("div", { text: "Saved now (" + saved.stateLabel + "):" }),
        el("div", { class: "disk-text", lang: "en", text: saved.target || "(untranslated)" }),
        el("div", { class: "actions" },
          el("button", { type: "button", class: "button small", onclick: function () { useSaved(row, saved); } }, "Use the saved version"),
          el("button", { type: "button", class: "button small", onclick: function () { keepMine(row, saved); } }, "Keep my text"))
      );
    } else {
      children.push(el("div", { text: "The entry is no longer in the catalog (re-extracted?). Reload the page." }));
    }
    box.replaceChildren.apply(box, children);
    box.hidden = false;
    row.classList.add("has-conflict");
    toast("Segment " + itemOf(row).index + " was changed elsewhere: nothing was overwritten", true);
  }

  function useSaved(row, saved) {
    clearConflict(row);
    renderRow(row, saved, false);
    setCurrent(row, { focusEditor: false });
  }

  function keepMine(row, saved) {
    // Rebase the edit on the saved version; accepting it stays the reviewer's explicit act.
    clearConflict(row);
    renderRow(row, saved, true);
    setCurrent(row, { focusEditor: true });
    toast("Your text is kept in the editor: Ctrl+Enter accepts it over the saved version");
  }

  // --- gates and refusals --------------------------------------------------------

  function clearNotes(row) {
    var gate = row.querySelector(".gate");
    gate.hidden = true;
    gate.replaceChildren();
    var refusal = row.querySelector(".refusal");
    refusal.hidden = true;
    refusal.textContent = "";
  }

  /** The server refused the decision: say why, in its one line. */
  function showRefusal(row, message) {
    var refusal = row.querySelector(".refusal");
    refusal.textContent = message;
    refusal.hidden = false;
    toast(message, true);
  }

  var VERBS = { accepted: "accept", approved: "approve" };

  /** Error-level checks stopped the decision (``verb``: "accepted", "approved"): ask for a reason, then ``retry(reason)``. */
  function showGate(row, data, verb, retry) {
    var gate = row.querySelector(".gate");
    var codes = (data.findings || []).map(function (f) { return f.code; });
    var inputId = "gate-reason-" + itemOf(row).index;
    var input = el("input", { type: "text", id: inputId, class: "gate-reason", maxlength: "500", autocomplete: "off",
      placeholder: "e.g. the source's figure is wrong; checked with the desk" });
    function submit() {
      var reason = input.value.trim();
      if (!reason) { input.focus(); toast("Give a reason to override the checks, or cancel", true); return; }
      clearNotes(row);
      retry(reason);
    }
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { ev.preventDefault(); ev.stopPropagation(); submit(); }
      if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); clearNotes(row); editor(row).focus(); }
    });
    gate.replaceChildren(
      el("strong", { text: "Not " + verb + ": error-level checks fired (" + codes.join(", ") + ")." }),
      el.apply(null, ["ul", { class: "findings" }].concat((data.findings || []).map(function (f) {
        return el("li", { class: "finding sev-" + f.severity }, el("span", { class: "code", text: f.code }), " " + f.message);
      }))),
      el("label", { for: inputId, text: "Reason to override (saved with the entry and in its history)" }),
      input,
      el("div", { class: "actions" },
        el("button", { type: "button", class: "button small primary", onclick: submit }, "Override and " + VERBS[verb]),
        el("button", { type: "button", class: "button small", onclick: function () { clearNotes(row); } }, "Cancel"))
    );
    gate.hidden = false;
    input.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  // --- progress -----------------------------------------------------------------

  function updateProgress(progress) {
    if (!progress) return;
    document.getElementById("progress-text").replaceChildren(
      el("strong", { text: progress.reviewed + "/" + progress.total }), " reviewed",
      progress.approved ? " · " + progress.approved + " approved" : ""
    );
    var x = 0;
    document.querySelectorAll("#progress-bar rect").forEach(function (rect) {
      var width = progress.total ? (100 * (progress.counts[rect.dataset.state] || 0)) / progress.total : 0;
      rect.setAttribute("x", x.toFixed(3));
      rect.setAttribute("width", width.toFixed(3));
      x += width;
    });
    document.querySelectorAll("#filter-state option[data-label]").forEach(function (option) {
      option.textContent = option.dataset.label + " (" + (progress.counts[option.value] || 0) + ")";
    });
  }

  // --- decisions -------------------------------------------------------------------

  /** ``onGate(data)`` is called when error-level checks stop the decision;
   * ``keepText``: a decision that is not about the text (a comment) keeps an unsaved edit.
   * Resolves to whether the decision was saved. */
  function sendDecision(row, url, makePayload, done, onGate, keepText) {
    var textAtDecision = editor(row).value; // typed after it, it is kept
    setSaving(row, +1);
    return enqueue(function () {
      var payload = makePayload(); // the tag as of now: an earlier decision may have changed it
      return post(url, payload).then(function (result) {
        if (result.status === 200) {
          var item = result.data.item;
          if (item) {
            clearConflict(row);
            renderRow(row, item, keepText || editor(row).value !== textAtDecision);
          }
          updateProgress(result.data.progress);
          if (done) toast(done);
          return true;
        } else if (result.status === 409) {
          updateProgress(result.data.progress);
          showConflict(row, result.data);
        } else if (result.status === 422 && result.data.gate && onGate) {
          onGate(result.data);
        } else if (result.status === 403 && result.data.refused) {
          showRefusal(row, result.data.error);
        } else {
          toast((result.data && result.data.error) || "Not saved (HTTP " + result.status + ")", true);
        }
        return false;
      }, function () {
        toast("Not saved: the review server cannot be reached", true);
        return false;
      }).then(function (saved) { setSaving(row, -1); return saved; });
    });
  }

  function accept(row, override) {
    var item = itemOf(row);
    var text = editor(row).value;
    var edited = isDirty(row);
    if (!edited && !item.target) {
      toast("Nothing to accept: type the English, or reject the segment", true);
      return false;
    }
    if (edited && !text.trim()) {
      toast("An empty translation cannot be accepted; reject the segment instead", true);
      return false;
    }
    clearNotes(row);
    sendDecision(row, urls.accept, function () {
      var payload = { page: pageId, msgid: row.dataset.msgid, tag: row.dataset.tag };
      if (edited) payload.text = text;
      var reason = editReason(row).value.trim();
      if (edited && reason) payload.reason = reason;
      if (override) payload.override = override;
      return payload;
    }, null, function (data) {
      showGate(row, data, "accepted", function (reason) {
        if (editor(row).value !== text) { toast("The text changed since: accept it again", true); return; }
        if (accept(row, reason)) advanceFrom(row, false);
      });
    });
    return true;
  }

  function approve(row, override) {
    if (!isApprover) { showRefusal(row, "Only an approver (review.approvers in pipeline.toml) may approve."); return; }
    if (isDirty(row)) { showRefusal(row, "Accept or drop your edit first: an approval signs off the saved text."); return; }
    if (row.dataset.state !== "translated") {
      showRefusal(row, "Only a translated segment can be approved; this one is " + itemOf(row).stateLabel + ".");
      return;
    }
    clearNotes(row);
    sendDecision(row, urls.approve, function () {
      var payload = { page: pageId, msgid: row.dataset.msgid, tag: row.dataset.tag };
      if (override) payload.override = override;
      return payload;
    }, "Approved: segment " + itemOf(row).index, function (data) {
      showGate(row, data, "approved", function (reason) { approve(row, reason); });
    });
  }

  function unapprove(row) {
    clearNotes(row);
    sendDecision(row, urls.unapprove, function () {
      return { page: pageId, msgid: row.dataset.msgid, tag: row.dataset.tag };
    }, "Approval taken back: segment " + itemOf(row).index + " is translated");
  }

  // --- comments ---------------------------------------------------------------------

  function closeCommentForm(row) {
    var form = row.querySelector(".comment-form");
    form.hidden = true;
    form.replaceChildren();
    row.querySelector(".act-comment").setAttribute("aria-expanded", "false");
  }

  /** A one-line field under the row for a new comment; Enter saves it, Esc cancels.
   * ``text``: what the field holds (a comment that was not saved, given back to be corrected). */
  function openCommentForm(row, text) {
    var form = row.querySelector(".comment-form");
    if (!form.hidden) { form.querySelector("input").focus(); return; }
    var inputId = "comment-input-" + itemOf(row).index;
    var input = el("input", { type: "text", id: inputId, class: "comment-input", maxlength: "500", autocomplete: "off",
      placeholder: "e.g. dropped a garbled fragment of the source; please check" });
    if (text) input.value = text;
    function submit() {
      var text = input.value.trim();
      if (!text) { input.focus(); toast("Type the comment, or cancel", true); return; }
      closeCommentForm(row);
      sendDecision(row, urls.comment, function () {
        return { page: pageId, msgid: row.dataset.msgid, tag: row.dataset.tag, comment: text };
      }, "Comment added to segment " + itemOf(row).index, null, true).then(function (saved) {
        if (!saved && row.querySelector(".comment-form").hidden) openCommentForm(row, text); // never lost: corrected, or sent again
      });
    }
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { ev.preventDefault(); ev.stopPropagation(); submit(); }
      if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); closeCommentForm(row); row.focus({ preventScroll: true }); }
    });
    form.replaceChildren(
      el("label", { for: inputId, text: "Comment (saved in the PO file and the history; the text and state stay as they are)" }),
      input,
      el("div", { class: "actions" },
        el("button", { type: "button", class: "button small primary", onclick: submit }, "Add comment"),
        el("button", { type: "button", class: "button small", onclick: function () { closeCommentForm(row); } }, "Cancel")));
    form.hidden = false;
    row.querySelector(".act-comment").setAttribute("aria-expanded", "true");
    input.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function uncomment(row, text) {
    sendDecision(row, urls.uncomment, function () {
      return { page: pageId, msgid: row.dataset.msgid, tag: row.dataset.tag, comment: text };
    }, "Comment removed from segment " + itemOf(row).index, null, true);
  }

  // --- history ---------------------------------------------------------------------

  var ACTION_WORDS = { draft: "drafted", accept: "accepted", edit: "edited", approve: "approved", unapprove: "unapproved",
    reject: "rejected", "import": "imported", undo: "undid", "source-changed": "source changed (re-extracted)",
    comment: "commented", uncomment: "removed a comment" };

  function toggleHistory(row) {
    row.historyOpen = !row.historyOpen;
    var box = row.querySelector(".history");
    row.querySelector(".act-history").setAttribute("aria-expanded", String(row.historyOpen));
    if (!row.historyOpen) { box.hidden = true; box.replaceChildren(); return; }
    box.replaceChildren(el("p", { class: "muted small", text: "Loading the history…" }));
    box.hidden = false;
    loadHistory(row);
  }

  function loadHistory(row) {
    var box = row.querySelector(".history");
    var seq = (row.historySeq || 0) + 1;
    row.historySeq = seq;
    fetch(urls.history + "?msgid=" + encodeURIComponent(row.dataset.msgid), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (result) {
        if (seq !== row.historySeq || !row.historyOpen) return;
        if (result.status !== 200) { box.replaceChildren(el("p", { class: "refusal", text: result.data.error || "No history" })); return; }
        renderHistory(box, result.data);
      }, function () {
        if (seq === row.historySeq) box.replaceChildren(el("p", { class: "refusal", text: "The review server cannot be reached" }));
      });
  }

  function renderHistory(box, data) {
    var parts = [el("h3", { text: "History" })];
    if (data.draft) {
      parts.push(el("p", { class: "h-label", text: "Machine draft → text now" + (data.draft.signature ? " (" + data.draft.signature + ")" : "") }));
      parts.push(el.apply(null, ["p", { class: "diff", lang: "en" }].concat(diffNodes(data.draftDiff || [["equal", data.draft.text]]))));
    }
    if (!data.records.length) {
      parts.push(el("p", { class: "none", text: "No decision recorded yet." }));
    } else {
      parts.push(el.apply(null, ["ol", { class: "h-list" }].concat(data.records.map(function (r) {
        return el("li", {},
          el("div", { class: "h-head" },
            el("time", { text: r.time }), " ",
            el("strong", { text: r.who }), " " + (ACTION_WORDS[r.action] || r.action) + " ",
            el("span", { class: "muted", text: r.state_before + " → " + r.state_after }),
            r.recovered ? el("span", { class: "muted", text: " (recovered)" }) : null),
          r.source_before ? el("div", { class: "h-source" }, "source before: ", el("span", { lang: "zh-Hans", text: r.source_before })) : null,
          r.text_after !== r.text_before ? el("div", { class: "h-text", lang: "en", text: r.text_after || "(empty)" }) : null,
          r.comment ? el("div", { class: "h-comment", text: "comment: " + r.comment }) : null,
          r.overrides && r.overrides.length ? el("div", { class: "h-override", text: "overrode " + r.overrides.join(", ") +
            (r.override_reason ? ": " + r.override_reason : "") }) : null,
          r.reason ? el("div", { class: "h-reason", text: "reason: " + r.reason }) : null);
      }))));
    }
    box.replaceChildren.apply(box, parts);
  }

  function reject(row) {
    sendDecision(row, urls.reject, function () {
      return { page: pageId, msgid: row.dataset.msgid, tag: row.dataset.tag };
    }, "Rejected: segment " + itemOf(row).index + " is untranslated again");
  }

  function undo() {
    enqueue(function () {
      return post(urls.undo, { page: pageId }).then(function (result) {
        var row = result.data && result.data.msgid ? rowByMsgid.get(result.data.msgid) : null;
        if (result.status === 200) {
          if (!row) { toast("Nothing to undo on this page"); return; }
          clearConflict(row);
          renderRow(row, result.data.item, false);
          updateProgress(result.data.progress);
          if (row.hidden) row.hidden = false;
          setCurrent(row, { focusEditor: false });
          toast("Undone: segment " + itemOf(row).index);
        } else if (result.status === 409 && row) {
          updateProgress(result.data.progress);
          showConflict(row, result.data);
        } else {
          toast((result.data && result.data.error) || "Undo failed (HTTP " + result.status + ")", true);
        }
      }, function () { toast("Undo failed: the review server cannot be reached", true); });
    });
  }

  // --- live checks -------------------------------------------------------------------

  function scheduleCheck(row) {
    clearTimeout(row.checkTimer);
    row.checkTimer = setTimeout(function () { runCheck(row); }, CHECK_DELAY_MS);
  }

  /** Check the editor's text now; resolves to its findings (null when it was not checked). */
  function runCheck(row) {
    clearTimeout(row.checkTimer);
    var seq = (row.checkSeq || 0) + 1;
    row.checkSeq = seq;
    return post(urls.check, { msgid: row.dataset.msgid, text: editor(row).value }).then(function (result) {
      if (seq !== row.checkSeq || result.status !== 200) return null; // a newer text is being checked
      setFindings(row, result.data.findings);
      return result.data.findings;
    }, function () { return null; /* offline: the last findings stay shown */ });
  }

  // As the terminal asks "accept with these findings?", an edit on which
  // checks fire is accepted by a second Ctrl+Enter, never by the first.
  function acceptAndNext(row, typing) {
    if (!isDirty(row) || row.confirmedText === editor(row).value) {
      if (accept(row)) advanceFrom(row, typing);
      return;
    }
    var text = editor(row).value;
    runCheck(row).then(function (findings) {
      if (editor(row).value !== text) return; // typed on meanwhile: that is a new edit
      if (findings && findings.length) {
        row.confirmedText = text;
        var note = row.querySelector(".confirm-note");
        note.textContent = findings.length + (findings.length === 1 ? " check fired" : " checks fired") +
          " on your edit. Ctrl+Enter again accepts it anyway.";
        note.hidden = false;
        row.scrollIntoView({ block: "nearest" });
        return;
      }
      if (accept(row) && current === row) advanceFrom(row, typing);
    });
  }

  // --- navigation -------------------------------------------------------------------------

  function visibleRows() { return rows.filter(function (row) { return !row.hidden; }); }

  function setCurrent(row, options) {
    options = options || {};
    if (!row) return;
    if (current && current !== row) {
      current.classList.remove("current");
      current.removeAttribute("aria-current");
    }
    current = row;
    row.classList.add("current");
    row.setAttribute("aria-current", "true");
    if (options.focusEditor) {
      var textarea = editor(row);
      textarea.focus({ preventScroll: true });
      textarea.setSelectionRange(textarea.value.length, textarea.value.length);
    } else if (!row.contains(document.activeElement)) {
      row.focus({ preventScroll: true });
    }
    if (options.scroll !== false) row.scrollIntoView({ block: "nearest" });
    renderPanel();
  }

  function move(delta, focusEditor) {
    var list = visibleRows();
    if (!list.length) return;
    var i = list.indexOf(current);
    if (i < 0) i = delta > 0 ? -1 : list.length;
    setCurrent(list[Math.min(list.length - 1, Math.max(0, i + delta))], { focusEditor: focusEditor });
  }

  /** The next visible segment after ``row`` that is not reviewed, as Poedit's "Done and Next". */
  function nextToReview(row) {
    var list = visibleRows();
    var i = list.indexOf(row);
    for (var k = i + 1; k < list.length; k++) {
      if (!isDone(list[k])) return list[k];
    }
    return null;
  }

  function advanceFrom(row, focusEditor) {
    var next = nextToReview(row);
    if (next) setCurrent(next, { focusEditor: focusEditor });
    else toast("No segment left to review below this one");
  }

  // --- filters ---------------------------------------------------------------------------

  var stateFilter = document.getElementById("filter-state");
  var checkFilter = document.getElementById("filter-check");

  function matchesFilters(row) {
    var wantedState = stateFilter.value;
    var wantedCheck = checkFilter.value;
    var state = row.dataset.state;
    var checks = row.dataset.checks ? row.dataset.checks.split(" ") : [];
    var stateOk = wantedState === "all" || (wantedState === "pending" ? pendingStates.indexOf(state) >= 0 : state === wantedState);
    var checkOk = wantedCheck === "any" || (wantedCheck === "flagged" ? checks.length > 0 : checks.indexOf(wantedCheck) >= 0);
    return stateOk && checkOk;
  }

  // Rows are filtered when a filter changes, not when a decision changes a
  // row's state: an accepted row stays in view instead of jumping away.
  function applyFilters(updateAddress) {
    var shown = 0;
    rows.forEach(function (row) {
      row.hidden = !matchesFilters(row);
      if (!row.hidden) shown++;
    });
    document.getElementById("no-match").hidden = shown > 0;
    document.getElementById("filter-count").textContent = shown === rows.length ? "" : shown + " of " + rows.length + " segments shown";
    if (updateAddress) {
      var params = new URLSearchParams(location.search);
      if (stateFilter.value === "all") params.delete("state"); else params.set("state", stateFilter.value);
      if (checkFilter.value === "any") params.delete("check"); else params.set("check", checkFilter.value);
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
    }
    if (!current || current.hidden) {
      var list = visibleRows();
      var first = list.filter(function (row) { return !isDone(row); })[0] || list[0];
      setCurrent(first, { scroll: first !== list[0] }); // the first segment is in view: keep the page's head too
    }
  }

  // --- the side panel ------------------------------------------------------------------------

  function renderPanel() {
    var panel = document.getElementById("panel-body");
    if (!current) {
      panel.replaceChildren(el("p", { class: "muted", text: "Select a segment." }));
      return;
    }
    var item = itemOf(current);
    var findings = current.findings || item.findings;
    var dirty = isDirty(current);
    var parts = [];

    parts.push(el("div", { class: "p-title" },
      el("h2", { text: "Segment " + item.index + " of " + rows.length }),
      el("span", { class: "badge state-" + item.state + "-text", text: item.stateLabel })));
    parts.push(el("p", { class: "p-source", lang: "zh-Hans", text: item.msgid }));
    parts.push(el("div", { class: "p-meta" },
      el("div", { text: (item.types.join(", ") || "?") + " · " + item.location }),
      item.origin ? el("div", { text: item.origin }) : null));
    if (item.previousSource) {
      parts.push(el("h3", { text: "Source when it was translated → now" }));
      parts.push(el.apply(null, ["p", { class: "p-source diff", lang: "zh-Hans" }].concat(diffNodes(item.sourceDiff))));
    }

    parts.push(el("h3", {}, "Checks", el("span", { class: "small", text: dirty ? "on your edit" : "" })));
    if (findings.length) {
      parts.push(el.apply(null, ["ul", { class: "findings" }].concat(findings.map(function (f) {
        return el("li", { class: "finding sev-" + f.severity, title: f.title }, el("span", { class: "code", text: f.code }), " " + f.message);
      }))));
    } else {
      parts.push(el("p", { class: "none", text: item.target || dirty ? "No check fired." : "Checks run once there is a translation." }));
    }

    parts.push(el("h3", { text: "Translation memory" }));
    if (item.suggestions.length) {
      parts.push(el.apply(null, ["ol", { class: "suggestions" }].concat(item.suggestions.map(function (s, i) {
        return el("li", { class: "suggestion" + (s.numbersDiffer ? " differs" : "") },
          el("div", { class: "s-head" },
            el("span", { class: "pct" + (s.percent >= 90 ? " high" : ""), text: s.percent + "%" }),
            el("span", { text: s.origin }),
            s.numbersDiffer ? el("span", { class: "numbers-differ", title: "The numbers of this match differ from the source: check every figure", text: "numbers differ" }) : null,
            el("button", { type: "button", class: "button small", title: i < 9 ? "Alt+" + (i + 1) : null, onclick: function () { useSuggestion(i); } }, "Use")),
          el("div", { lang: "en", text: s.text }));
      }))));
    } else {
      parts.push(el("p", { class: "none", text: "No suggestions." }));
    }

    parts.push(el("h3", { text: "Glossary" }));
    if (item.glossary.length) {
      parts.push(el.apply(null, ["ul", { class: "terms" }].concat(item.glossary.map(function (t) {
        return el("li", { class: "term" },
          el("span", {}, el("span", { class: "zh", lang: "zh-Hans", text: t.zh }), el("span", { class: "eq", text: " = " })),
          el("span", { class: "en", lang: "en", text: t.en }),
          el("span", { class: "t-note", text: t.type + (t.note ? " · " + t.note : "") }));
      }))));
    } else {
      parts.push(el("p", { class: "none", text: "No glossary term in this segment." }));
    }
    panel.replaceChildren.apply(panel, parts);
  }

  function useSuggestion(i) {
    if (!current) return;
    var suggestion = itemOf(current).suggestions[i];
    if (!suggestion) return;
    var textarea = editor(current);
    textarea.value = suggestion.text;
    updateDirty(current);
    autosize(textarea);
    scheduleCheck(current);
    setCurrent(current, { focusEditor: true, scroll: false });
    if (suggestion.numbersDiffer) toast("The numbers of this suggestion differ from the source: check every figure", true);
  }

  // --- keyboard and pointer -------------------------------------------------------------------

  document.addEventListener("keydown", function (ev) {
    var help = document.getElementById("help");
    if (help.open) return; // the dialog handles Esc itself
    var typing = isTyping(ev.target);
    if (ev.target === stateFilter || ev.target === checkFilter) return;

    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      if (current) acceptAndNext(current, typing);
      return;
    }
    if (ev.altKey && !ev.ctrlKey && !ev.metaKey) {
      // ev.code, not ev.key: Alt+letter types a special character on some layouts.
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        move(ev.key === "ArrowDown" ? 1 : -1, typing);
        return;
      }
      if (ev.code === "KeyR") { ev.preventDefault(); if (current) { reject(current); advanceFrom(current, typing); } return; }
      if (ev.code === "KeyZ") { ev.preventDefault(); undo(); return; }
      var digit = /^Digit([1-9])$/.exec(ev.code);
      if (digit) { ev.preventDefault(); useSuggestion(Number(digit[1]) - 1); return; }
    }
    if (ev.key === "Escape") {
      if (typing && current && current.contains(ev.target)) {
        ev.preventDefault();
        current.focus({ preventScroll: true });
      } else if (current && isDirty(current)) {
        renderRow(current, itemOf(current), false);
        toast("Edit dropped");
      }
      return;
    }
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.target.closest && ev.target.closest("a, button, summary, input")) return; // Enter activates those
    switch (ev.key) {
      case "j": move(1, false); break;
      case "k": move(-1, false); break;
      case "a": if (current) acceptAndNext(current, false); break;
      case "r": if (current) { reject(current); advanceFrom(current, false); } break;
      case "u": undo(); break;
      case "p": if (current) approve(current); break;
      case "h": if (current) toggleHistory(current); break;
      case "c": ev.preventDefault(); if (current) openCommentForm(current); break;
      case "Enter": case "e": ev.preventDefault(); if (current) setCurrent(current, { focusEditor: true, scroll: false }); break;
      case "?": ev.preventDefault(); help.showModal(); break;
      default: return;
    }
  });

  rows.forEach(function (row) {
    var textarea = editor(row);
    textarea.readOnly = false; // read-only as served: without this script nothing could be saved
    autosize(textarea);
    row.findings = itemOf(row).findings;
    row.addEventListener("mousedown", function () { if (current !== row) setCurrent(row, { scroll: false }); });
    textarea.addEventListener("focus", function () { if (current !== row) setCurrent(row, { scroll: false }); });
    row.addEventListener("focusin", function () { if (current !== row) setCurrent(row, { scroll: false }); });
    row.querySelector(".act-accept").addEventListener("click", function () { acceptAndNext(row, false); });
    row.querySelector(".act-reject").addEventListener("click", function () { reject(row); advanceFrom(row, false); });
    row.querySelector(".act-history").addEventListener("click", function () { toggleHistory(row); });
    row.querySelector(".act-comment").addEventListener("click", function () { openCommentForm(row); });
    renderComments(row, itemOf(row));
    var approveButton = row.querySelector(".act-approve");
    if (approveButton) approveButton.addEventListener("click", function () { approve(row); });
    var unapproveButton = row.querySelector(".act-unapprove");
    if (unapproveButton) unapproveButton.addEventListener("click", function () { unapprove(row); });
    textarea.addEventListener("input", function () {
      updateDirty(row);
      autosize(textarea);
      scheduleCheck(row);
      if (row === current) renderPanel();
    });
  });

  stateFilter.addEventListener("change", function () { applyFilters(true); });
  checkFilter.addEventListener("change", function () { applyFilters(true); });
  document.getElementById("help-button").addEventListener("click", function () { document.getElementById("help").showModal(); });

  window.addEventListener("beforeunload", function (ev) {
    if (inFlight > 0 || rows.some(isDirty)) {
      ev.preventDefault();
      ev.returnValue = "";
    }
  });

  // Start where the review stopped: the first segment not reviewed yet.
  applyFilters(false);
  body.classList.add("ready");
})();

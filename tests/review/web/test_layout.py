"""The review app at 1,280, 1,024 and 390 px, in headless Chromium: no
horizontal scrolling, every control reachable, landmarks and one ``<h1>`` per
page, a visible focus ring, and with JavaScript off a notice and read-only
editors.
"""

from __future__ import annotations

import pytest

from tests.review.conftest import Watched

from .conftest import WIDTHS

#: Every control on the page that is rendered, with why it would be unreachable (or null).
UNREACHABLE = """
() => {
  const selector = 'a[href], button, select, textarea, input, summary, [tabindex]:not([tabindex="-1"])';
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.getClientRects().length || el.closest('dialog:not([open]), [hidden]')) continue;
    el.focus({preventScroll: true});  // as a keyboard user reaches it (a skip link shows on focus)
    el.scrollIntoView({block: 'center', inline: 'nearest'});
    const r = el.getBoundingClientRect();
    const label = (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30);
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + label + '"';
    if (r.width < 1 || r.height < 1) { out.push(name + ': no size'); continue; }
    if (r.left < -0.5 || r.right > innerWidth + 0.5) {
      out.push(name + ': x ' + Math.round(r.left) + '..' + Math.round(r.right) + ' outside 0..' + innerWidth);
      continue;
    }
    const x = Math.min(Math.max(r.left + Math.min(r.width / 2, 8), 0), innerWidth - 1);
    const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
    const hit = document.elementFromPoint(x, y);
    // Covered means something else is on top: the control, its content or its own container is fine.
    if (!hit || !(el === hit || el.contains(hit) || hit.contains(el))) {
      out.push(name + ': covered by ' + (hit ? hit.tagName.toLowerCase() + '.' + hit.className : 'nothing'));
    }
  }
  window.scrollTo(0, 0);
  return out;
}
"""

#: Landmarks and headings of the page.
STRUCTURE = """
() => ({
  main: document.querySelectorAll('main').length,
  header: document.querySelectorAll('body > header, header[role=banner]').length,
  nav: document.querySelectorAll('nav').length,
  h1: Array.from(document.querySelectorAll('h1')).map(h => h.textContent.trim()),
  lang: document.documentElement.lang,
})
"""

#: The focus ring of the focused element: width, style and contrast with what is behind it.
FOCUS_RING = """
() => {
  const el = document.activeElement;
  const parse = c => {
    const m = c.match(/[\\d.]+/g).map(Number);
    return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1};
  };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                     return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  let bg = null;
  for (let node = el.parentElement; node; node = node.parentElement) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c.a > 0.5) { bg = c; break; }
  }
  bg = bg || {r: 255, g: 255, b: 255, a: 1};
  const s = getComputedStyle(el);
  const ring = parse(s.outlineColor);
  const l1 = lum(ring), l2 = lum(bg);
  return {tag: el.tagName.toLowerCase(), id: el.id, className: String(el.className), style: s.outlineStyle,
          width: parseFloat(s.outlineWidth), contrast: (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05)};
}
"""


def _pages(live):
    base, ws, doc, ids = live
    return {
        "dashboard": (f"{base}/", False),
        "document": (f"{base}/doc/{doc}", True),
        "error": (f"{base}/doc/no-such-document", False),
    }


def _open(context, url, scripted):
    tab = Watched(context)
    tab.open(url, ready=scripted)
    return tab


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_width_and_every_control_is_reachable(live, open_context, width):
    context = open_context(width)
    for name, (url, scripted) in _pages(live).items():
        tab = _open(context, url, scripted)
        page = tab.page
        assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("innerWidth"), (
            f"{name} at {width}px scrolls sideways"
        )
        assert page.evaluate(UNREACHABLE) == [], f"{name} at {width}px"
        assert tab.errors == [] and [m for m in tab.console if "404" not in m] == [], (tab.errors, tab.console)
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_landmarks_and_one_h1_per_page(live, open_context, width):
    base, ws, doc, ids = live
    context = open_context(width)
    for name, (url, scripted) in _pages(live).items():
        tab = _open(context, url, scripted)
        structure = tab.page.evaluate(STRUCTURE)
        assert structure["main"] == 1 and structure["header"] == 1 and structure["nav"] >= 1, (name, structure)
        assert len(structure["h1"]) == 1 and structure["h1"][0], (name, structure)
        assert structure["lang"] == "en"
        tab.page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_focus_ring_is_visible_on_every_control(live, open_context, width):
    """Tab through the first controls of each page: each shows an outline of 2 px or
    more whose colour has a contrast of 3:1 or more with what is behind it."""
    context = open_context(width)
    for name, (url, scripted) in _pages(live).items():
        tab = _open(context, url, scripted)
        page = tab.page
        seen = set()
        page.evaluate("document.querySelector('.skip-link').focus()")  # from the top of the page
        for step in range(14):
            if step:
                page.keyboard.press("Tab")
            ring = page.evaluate(FOCUS_RING)
            if ring["tag"] == "body":
                break
            seen.add(ring["tag"])
            where = f"{name} at {width}px, {ring}"
            assert ring["style"] not in ("none", "hidden") and ring["width"] >= 2, where
            assert ring["contrast"] >= 3, where
        assert "a" in seen, (name, seen)
        page.close()


def test_the_document_editors_have_a_focus_ring_too(live, open_context):
    base, ws, doc, ids = live
    context = open_context(1280)
    tab = _open(context, f"{base}/doc/{doc}", True)
    page = tab.page
    page.locator("#seg-3 .en-text").focus()
    ring = page.evaluate(FOCUS_RING)
    assert ring["tag"] == "textarea" and ring["width"] >= 2 and ring["contrast"] >= 3, ring
    page.locator("#filter-state").focus()
    ring = page.evaluate(FOCUS_RING)
    assert ring["tag"] == "select" and ring["width"] >= 2 and ring["contrast"] >= 3, ring


@pytest.mark.parametrize("width", WIDTHS)
def test_without_javascript_a_notice_and_read_only_editors(live, open_context, width):
    from playwright.sync_api import expect

    base, ws, doc, ids = live
    context = open_context(width, javascript=False)
    page = context.new_page()
    page.goto(f"{base}/doc/{doc}")
    notice = page.locator(".noscript-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("JavaScript")
    editors = page.locator("textarea.en-text")
    assert editors.count() == len(ids)
    assert page.evaluate("Array.from(document.querySelectorAll('textarea.en-text')).every(t => t.readOnly)")
    editors.first.click()
    page.keyboard.type("typed without a script")
    expect(editors.first).to_have_value("Draft 0.")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The same page with JavaScript: no notice, editable.
    scripted = Watched(open_context(width)).open(f"{base}/doc/{doc}")
    expect(scripted.locator(".noscript-notice")).to_have_count(0)
    assert scripted.evaluate("Array.from(document.querySelectorAll('textarea.en-text')).every(t => !t.readOnly)")


@pytest.mark.parametrize("width", (1280, 390))
def test_the_bilingual_edition_is_headed_by_the_title_and_shows_focus(live, open_context, width):
    base, ws, doc, ids = live
    page = open_context(width).new_page()
    page.goto(f"{base}/doc/{doc}/bilingual")
    headings = page.locator("h1").all_text_contents()
    assert headings == ["Draft 0."], headings  # the title's English (here its draft), not the document id
    assert page.locator("header .original").text_content() == ids[0]
    assert doc in page.locator("header .meta").text_content()
    page.keyboard.press("Tab")
    ring = page.evaluate(FOCUS_RING)
    assert ring["className"].startswith("seg") and ring["width"] >= 2 and ring["contrast"] >= 3, ring
    assert page.evaluate("document.documentElement.scrollWidth") <= width

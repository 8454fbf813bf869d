"""The web app driven in headless Chromium against a real server with the demo loaded.

Each test signs in through the form like a person would, uses the keyboard or the mouse,
and leaves a screenshot in the artefacts folder. The ``page`` fixture fails any test
whose page sends a request beyond the test server or raises a JavaScript error.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import httpx
import pytest

from .conftest import HOSTILE_NOTE_ID, WebServer, login, shoot

pytestmark = pytest.mark.slow


def test_first_page_is_a_labelled_login_form_that_rejects_bad_passwords(
        page: Any, web_server: WebServer) -> None:
    response = page.goto("/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    username = page.get_by_label("User name")
    password = page.get_by_label("Password")
    assert username.is_visible() and password.is_visible()
    assert page.evaluate("document.activeElement.name") == "username"
    # Keyboard only: type, Tab to the password, Enter to submit.
    page.keyboard.type(web_server.credentials("lead")[0])
    page.keyboard.press("Tab")
    page.keyboard.type("not-the-password")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "wrong" in alert.inner_text()
    shoot(page, "01-login-refused")
    password.fill(web_server.credentials("lead")[1])
    password.press("Enter")
    page.get_by_role("navigation", name="Main").wait_for()
    assert page.get_by_role("link", name="Portfolio matrix").is_visible()
    assert page.get_by_role("link", name="Assessments").count() == 0


def test_the_session_survives_a_reload_and_ends_with_sign_out(
        page: Any, web_server: WebServer) -> None:
    login(page, web_server, "lead")
    page.goto("/#/accounts")
    page.reload()
    page.get_by_role("heading", name="Accounts", exact=True).wait_for()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("User name").wait_for()
    page.goto("/#/accounts")
    page.get_by_label("User name").wait_for()
    assert page.get_by_role("navigation", name="Main").count() == 0


def test_no_request_leaves_loopback_across_every_view(page: Any, web_server: WebServer,
                                                     watch: Any) -> None:
    login(page, web_server, "lead")
    for view, heading in [("chat", "Assistant"), ("accounts", "Accounts"),
                          ("matrix", "Portfolio matrix"), ("documents", "Documents"),
                          ("interview", "Executive interview")]:
        page.goto(f"/#/{view}")
        page.get_by_role("heading", name=heading, exact=True).wait_for()
    page.wait_for_load_state("networkidle")
    assert len(watch.requests) > 15
    assert all(url.startswith(web_server.base_url) for url in watch.requests), watch.requests
    assert not watch.outside


def test_language_switch_translates_the_interface(page: Any, web_server: WebServer) -> None:
    login(page, web_server, "lead")
    page.goto("/#/accounts")
    page.get_by_role("heading", name="Accounts", exact=True).wait_for()
    page.get_by_role("button", name="Français").click()
    page.get_by_role("heading", name="Comptes", exact=True).wait_for()
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert page.get_by_role("link", name="Matrice du portefeuille").is_visible()
    assert page.get_by_role("button", name="Français").get_attribute("aria-pressed") == "true"
    shoot(page, "02-accounts-fr")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Accounts", exact=True).wait_for()


def test_each_role_sees_only_its_pages(page: Any, web_server: WebServer) -> None:
    expected = {
        "kam": ["Assistant", "Accounts", "Portfolio matrix", "Documents"],
        "hr": ["Assistant", "Assessments"],
        "executive": ["Assistant", "Accounts", "Portfolio matrix", "Documents",
                      "Executive interview"],
    }
    for role, links in expected.items():
        login(page, web_server, role)
        nav = page.get_by_role("navigation", name="Main")
        assert nav.get_by_role("link").all_inner_texts() == links, role
        page.get_by_role("button", name="Sign out").click()
        page.get_by_label("User name").wait_for()


def test_accounts_list_filters_and_opens_an_account(page: Any, web_server: WebServer) -> None:
    login(page, web_server, "lead")
    page.goto("/#/accounts")
    table = page.get_by_role("table", name="Accounts by revenue")
    table.wait_for()
    assert "363" in page.get_by_text(re.compile(r"Rows 1–25 of")).inner_text()
    kpis = page.locator(".kpis .kpi")
    assert kpis.count() >= 6
    page.get_by_label("Tier").select_option("gold")
    page.get_by_text(re.compile(r"Rows 1–\d+ of 18$")).wait_for()
    tiers = table.locator("tbody tr td:nth-child(4)").all_inner_texts()
    assert tiers and set(tiers) == {"Gold"}
    shoot(page, "03-accounts")
    table.get_by_role("link", name=web_server.account_name).click()
    heading = page.get_by_role("heading", name=f"Details of {web_server.account_name}")
    heading.wait_for()
    assert page.evaluate("document.activeElement.textContent").startswith("Details of")
    assert page.get_by_role("img", name=re.compile("attractiveness|strength|:")).count() >= 1
    shoot(page, "04-account-detail")


def test_matrix_draws_every_account_with_tooltips_keyboard_and_a_table(
        page: Any, web_server: WebServer) -> None:
    login(page, web_server, "lead")
    page.goto("/#/matrix")
    figure = page.get_by_role("group", name="Portfolio matrix of 363 accounts")
    figure.wait_for()
    bubbles = page.locator("svg.matrix g.bubble")
    assert bubbles.count() == 363
    for label in ("Customer attractiveness →", "Our relative strength →", "Strategic", "Star",
                  "Status", "Streamline"):
        assert page.locator("svg.matrix text", has_text=label).count() >= 1, label
    # Bubble area follows the potential: the biggest potential has the biggest radius.
    radii = page.evaluate("""() => [...document.querySelectorAll('svg.matrix g.bubble')].map(g => {
        const label = g.getAttribute('aria-label');
        return [label, parseFloat(g.querySelector('circle').getAttribute('r'))];
    })""")
    assert len({r for _label, r in radii}) > 20
    tooltip = page.locator("svg.matrix g.tooltip")
    assert tooltip.get_attribute("visibility") == "hidden"
    top = page.locator(f'svg.matrix g.bubble[data-account="{web_server.account}"]')
    top.hover()
    assert tooltip.get_attribute("visibility") == "visible"
    assert web_server.account_name in tooltip.text_content()
    shoot(page, "05-matrix-tooltip")
    # Keyboard: one tab stop, arrows move the focus from bubble to bubble.
    top.focus()
    first = page.evaluate("document.activeElement.dataset.account")
    page.keyboard.press("ArrowLeft")
    second = page.evaluate("document.activeElement.dataset.account")
    assert first != second
    assert page.locator('svg.matrix g.bubble[tabindex="0"]').count() == 1
    focused_name = page.evaluate("document.activeElement.getAttribute('aria-label')").split(":")[0]
    assert focused_name in tooltip.text_content()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=re.compile("^Details of")).wait_for()
    page.go_back()
    page.get_by_text("Show the same data as a table").click()
    rows = page.get_by_role("table", name="Portfolio matrix of 363 accounts").locator("tbody tr")
    assert rows.count() == 363
    shoot(page, "06-matrix-table")


def test_draft_read_cite_and_download_a_ceb(page: Any, web_server: WebServer) -> None:
    login(page, web_server, "lead")
    page.goto("/#/documents")
    page.get_by_label("Kind of document").select_option("ceb")
    page.get_by_label("Account", exact=True).fill(web_server.account)
    page.get_by_label("Language of the document").select_option("en")
    page.get_by_role("button", name="Draft", exact=True).click()
    title = page.get_by_role("heading",
                             name=f"Customer Executive Brief — {web_server.account_name}")
    title.wait_for(timeout=60_000)
    article = page.locator("article.document")
    assert "Every statement checked against its sources" in article.inner_text()
    assert page.locator("article.document h3").count() >= 8
    shoot(page, "07-ceb")
    # A citation opens the cited passage or fact in a dialog; Escape closes it.
    page.locator("article.document .statement .cite").first.click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert dialog.locator(".source-text").inner_text().strip()
    shoot(page, "08-citation")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    # The DOCX link downloads a real Word file.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download as Word (DOCX)").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    with zipfile.ZipFile(io.BytesIO(download.path().read_bytes())) as docx:
        body = docx.read("word/document.xml").decode()
    assert web_server.account_name in body
    # Revise one section: a new version, the section marked, the versions comparable.
    section = page.locator("section.doc-section").filter(has_text="Talking points")
    section.get_by_role("button", name="Revise this section").click()
    section.get_by_label("How should this section change?").fill(
        "Open with the satisfaction figure and keep it short.")
    section.get_by_role("button", name="Revise", exact=True).click()
    # The document's own header (the version picker lists "Version 2 · ..." too).
    page.locator("p.muted").filter(has_text=re.compile(r"^Version 2 ·")).wait_for(
        timeout=60_000)
    revised = page.locator("section.doc-section.revised")
    assert revised.count() >= 1
    assert "Revised in this version" in revised.first.inner_text()
    page.get_by_label("Versions").wait_for()
    assert page.get_by_label("Versions").locator("option").count() == 2
    page.get_by_role("button", name="Compare with version").click()
    page.locator(".diff, .versions .muted").first.wait_for()
    shoot(page, "08b-ceb-revised")


def test_a_hostile_note_renders_as_text_and_never_runs(page: Any, web_server: WebServer) -> None:
    login(page, web_server, "lead")
    page.goto("/#/documents")
    page.get_by_label("Account", exact=True).fill(web_server.account)
    page.get_by_label("Language of the document").select_option("en")
    page.get_by_role("button", name="Draft", exact=True).click()
    article = page.locator("article.document")
    article.wait_for(timeout=60_000)
    source = page.locator(f'.doc-sources button[data-source-id="note:{HOSTILE_NOTE_ID}"]')
    assert source.count() == 1, "the planted note should be among the CEB's sources"
    source.click()
    dialog = page.get_by_role("dialog")
    dialog.locator(".source-text").wait_for()
    shown = dialog.inner_text()
    assert "<script>window.__kambotXss='script'</script>" in shown, shown
    assert "Written by a person or imported from a file" in shown
    shoot(page, "09-hostile-note")
    page.keyboard.press("Escape")
    # The document quotes the note: the markup is shown as the characters it is made of.
    quoted = article.locator(".statement", has_text="they want one automation platform")
    assert quoted.count() == 1
    assert "<img src=x onerror=" in quoted.inner_text()
    assert page.evaluate("typeof window.__kambotXss") == "undefined"
    assert page.locator("main img, dialog img, main script, dialog script").count() == 0


def test_sse_parser_handles_split_chunks_and_crlf(page: Any, web_server: WebServer) -> None:
    page.goto("/")
    events = page.evaluate("""async () => {
        const {SseParser} = await import('/static/js/api.js');
        const parser = new SseParser();
        const chunks = ['event: tok', 'en\\r', '\\ndata: {"text": "Bon"}\\r\\n\\r', '\\n',
                        ': comment\\n\\nevent: token\\ndata: {"text": "jour"}\\n\\n',
                        'event: citation\\ndata: {"id": "en/x#y",\\ndata:  "label": "X"}\\n\\n',
                        'data: plain\\n\\nevent: done\\ndata: {"citations": []}'];
        const out = [];
        for (const chunk of chunks) out.push(...parser.feed(chunk));
        out.push(...parser.end());
        return out;
    }""")
    assert events == [
        {"event": "token", "data": {"text": "Bon"}},
        {"event": "token", "data": {"text": "jour"}},
        {"event": "citation", "data": {"id": "en/x#y", "label": "X"}},
        {"event": "message", "data": "plain"},
        {"event": "done", "data": {"citations": []}},
    ]


CV = """Alex Morgan
Key Account Manager - Industrial automation

EXPERIENCE
Key Account Manager, Dorvane Automation (2016 - present)
* Led a cross-functional account team of 8 people across sales, engineering and service.
* Built and ran three-year account plans for 5 strategic accounts, reviewed quarterly.
* Grew revenue with the largest account from EUR 4M to EUR 11M in four years.
* Challenged a customer's maintenance strategy with a total-cost analysis presented to the COO.
* Mapped the buying centre and developed champions in each plant.
* Negotiated a multi-year framework agreement covering 14 sites.
* Anticipated the shift to predictive maintenance and shaped a joint innovation roadmap.

Sales Engineer, Dorvane Automation (2011 - 2016)
* Technical support to the sales team.

EDUCATION
MSc Industrial Engineering
"""


def test_hr_assesses_a_cv_sees_the_evidence_and_confirms(page: Any,
                                                          web_server: WebServer) -> None:
    login(page, web_server, "hr")
    page.goto("/#/assessments")
    page.get_by_label("Candidate reference").fill("HR-WEB-001")
    page.get_by_label("Or paste the CV text").fill(CV)
    page.get_by_role("button", name="Assess", exact=True).click()
    heading = page.get_by_role("heading", name=re.compile("HR-WEB-001"))
    heading.wait_for(timeout=60_000)
    assert "Proposal awaiting review" in heading.inner_text()
    marks = page.locator(".cv-text mark.ev")
    assert marks.count() >= 2
    # Every highlight is a stretch of the CV as pasted.
    for text in marks.all_inner_texts():
        assert text.strip() and text in CV
    cv_text = page.locator(".cv-text").inner_text()
    assert "Dorvane Automation" in cv_text
    # Focus one trait: its quotes stay highlighted, the button says it is pressed.
    button = page.locator("button[data-trait]").first
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    shoot(page, "10-assessment")
    # An override without a reason is refused in the page.
    page.get_by_role("button", name="Override", exact=True).click()
    page.get_by_role("alert").filter(has_text="written reason").wait_for()
    page.get_by_role("button", name="Confirm the proposal").click()
    page.get_by_role("heading", name=re.compile("HR-WEB-001.*Confirmed")).wait_for()
    assert "Decision: Confirmed by demo-hr" in page.locator(".assessment").inner_text()
    shoot(page, "11-assessment-confirmed")
    listing = page.get_by_role("region", name="Assessments").or_(page.locator(".doc-list"))
    assert "HR-WEB-001" in listing.first.inner_text()


def test_assessments_are_not_offered_to_other_roles(web_server: WebServer) -> None:
    with httpx.Client(base_url=web_server.base_url) as client:
        username, password = web_server.credentials("lead")
        login_response = client.post("/auth/login", json={"username": username,
                                                          "password": password})
        assert login_response.status_code == 200
        assert client.get("/assessments").status_code == 403


def test_an_executive_runs_an_interview_to_the_end_and_reads_the_synthesis(
        page: Any, web_server: WebServer) -> None:
    login(page, web_server, "executive")
    page.goto("/#/interview")
    page.get_by_label("Language of the interview").select_option("en")
    page.get_by_role("button", name="Start an interview").click()
    question = page.locator("#question")
    question.wait_for()
    assert page.evaluate("document.activeElement.id") == "question"
    meters = page.locator(".coverage meter")
    assert meters.count() >= 5
    assert {m.get_attribute("value") for m in meters.all()} == {"0"}
    first_question = question.inner_text()
    page.get_by_label("Your answer").fill(
        "We must win the battle for the food industry and refocus on our twenty largest "
        "customers, with dedicated teams and executive sponsors for each of them.")
    page.get_by_role("button", name="Send answer").click()
    page.wait_for_function(
        "q => document.querySelector('#question').textContent !== q", arg=first_question)
    assert float(meters.first.get_attribute("value") or 0) > 0
    shoot(page, "12-interview")
    # Pause and resume keep the pending question.
    pending = question.inner_text()
    page.get_by_role("button", name="Pause").click()
    page.get_by_text("The interview is paused").wait_for()
    page.get_by_role("button", name="Resume").click()
    page.get_by_label("Your answer").wait_for()
    assert question.inner_text() == pending
    for _ in range(60):
        if page.get_by_text("The interview is complete").count():
            break
        before = question.inner_text()
        page.get_by_label("Your answer").fill("skip")
        page.get_by_role("button", name="Send answer").click()
        page.wait_for_function(
            "q => { const n = document.querySelector('#question');"
            " return !n || n.textContent !== q || document.body.innerText.includes('complete'); }",
            arg=before)
    page.get_by_text("The interview is complete").wait_for()
    page.get_by_role("button", name="Show the synthesis").click()
    synthesis = page.get_by_role("heading", name="Synthesis of the interviews")
    synthesis.wait_for()
    text = page.locator(".synthesis").inner_text()
    assert "Completed interviews: 1" in text
    assert "Coverage of the themes" in text
    assert page.locator(".synthesis meter").count() == meters.count()
    shoot(page, "13-interview-synthesis")


def test_chat_streams_an_answer_whose_citations_open_their_source(
        page: Any, web_server: WebServer) -> None:
    login(page, web_server, "lead")
    page.goto("/#/chat")
    box = page.get_by_label("Your message")
    box.wait_for()
    box.fill("How many key accounts should a programme select, and on what criteria?")
    with page.expect_response(lambda r: r.url.endswith("/messages")) as info:
        box.press("Enter")
    response = info.value
    assert response.headers["content-type"].startswith("text/event-stream")
    answer = page.locator(".message.from-assistant").last
    page.wait_for_function(
        "() => { const m = [...document.querySelectorAll('.message.from-assistant')].pop();"
        " return m && !m.hasAttribute('aria-busy'); }", timeout=90_000)
    body = response.text()
    # Streamed: many token events, then the end with its citations.
    assert body.count("event: token") > 3 and "event: done" in body
    text = answer.locator(".content").inner_text()
    assert len(text) > 80
    chips = answer.locator(".citations .cite")
    assert chips.count() >= 1
    assert page.locator(".message.from-user").last.inner_text().endswith(
        "How many key accounts should a programme select, and on what criteria?")
    shoot(page, "14-chat")
    # An inline [n] marker (or the chip) opens the passage through GET /sources.
    marker = answer.locator(".content .cite")
    target = marker.first if marker.count() else chips.first
    with page.expect_response(lambda r: "/sources?id=" in r.url) as source_info:
        target.click()
    assert source_info.value.status == 200
    dialog = page.get_by_role("dialog")
    dialog.locator(".source-text").wait_for()
    assert len(dialog.locator(".source-text").inner_text()) > 40
    assert "Methodology passage" in dialog.inner_text()
    shoot(page, "15-chat-citation")
    page.keyboard.press("Escape")
    # The conversation is kept: after a reload it is listed and opens with its citations.
    page.reload()
    session = page.locator(".sessions button").first
    session.wait_for()
    session.click()
    page.locator(".message.from-assistant .citations .cite").first.wait_for()
    assert page.locator(".message.from-user").count() == 1


def test_a_deep_link_opens_a_cited_note_as_text(page: Any, web_server: WebServer) -> None:
    with httpx.Client(base_url=web_server.base_url) as client:
        username, password = web_server.credentials("kam")
        client.post("/auth/login", json={"username": username, "password": password})
        scope = {a["ref"] for a in client.get("/auth/me").json()["accounts"]}
    assert web_server.account not in scope, "test set-up: the KAM must not see that account"
    login(page, web_server, "lead")
    with page.expect_response(lambda r: "/sources?id=" in r.url) as info:
        page.goto(f"/#/source/note:{HOSTILE_NOTE_ID}")
    assert info.value.status == 200
    dialog = page.get_by_role("dialog")
    dialog.locator(".source-text").wait_for()
    text = dialog.locator(".source-text").inner_text()
    assert "<script>window.__kambotXss='script'</script>" in text
    assert "Written by a person or imported from a file" in dialog.inner_text()
    assert dialog.locator("img, script").count() == 0
    assert page.evaluate("typeof window.__kambotXss") == "undefined"
    # Another scope's note is not there: a KAM of other accounts gets "not found".
    page.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Sign out").click()
    login(page, web_server, "kam")
    page.goto(f"/#/source/note:{HOSTILE_NOTE_ID}")
    page.get_by_role("dialog").get_by_text("does not exist or is outside your scope").wait_for()

"""The dashboard in a real browser (headless Chromium) against a real `costplane serve`:
every page loads with no console error and fetches nothing from elsewhere, its numbers
are the API's, a click-through ends in an acknowledgement the API sees, and a tenant's
token reaches its own tenant's pages only."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

import httpx
from fastapi.routing import APIRoute
from playwright.sync_api import BrowserContext, Page

from costplane.service import Project
from costplane.settings import Settings
from costplane.surfaces.web.forms import FormKey
from costplane.surfaces.web.pages import dashboard
from costplane.surfaces.web.session import Sessions
from tests.conftest import DEMO_PERIOD
from tests.web.browser import screenshots_dir
from tests.web.conftest import Served, Watched, sign_in, watched


def amounts(page: Page, rows: str, key: str, cell: int = 0) -> dict[str, Decimal]:
    """The exact amount (`data-amount`) of the `cell`-th money cell of each row, by the
    row's `data-<key>`."""
    found = page.eval_on_selector_all(
        rows,
        f"""rows => rows.map(r => [r.dataset.{key},
            r.querySelectorAll('[data-amount]')[{cell}].dataset.amount])""",
    )
    return {name: Decimal(value) for name, value in found}


def status_of(page: Page, url: str) -> int:
    """The HTTP status of the page the browser lands on at `url`."""
    answer = page.goto(url)
    assert answer is not None, url
    return answer.status


def shown(page: Page, selector: str) -> str:
    return page.inner_text(selector).strip()


def api_findings(served: Served, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = served.api("/findings", limit=500, **params)["items"]
    return items


def signed_in(served: Served, role: str | None) -> httpx.Client:
    """A client holding `role`'s session cookie (none for None), following no redirect."""
    cookies = {} if role is None else {"costplane_token": served.tokens[role]}
    return httpx.Client(base_url=served.url, cookies=cookies, timeout=30)


def check_clean(seen: Watched, served: Served) -> None:
    assert seen.errors == []
    elsewhere = [url for url in seen.requests if not url.startswith(served.url)]
    assert elsewhere == []  # every asset from the server: works with no internet


def test_every_page_loads_with_no_console_error_and_is_saved_as_a_screenshot(
    served: Served, context: BrowserContext
) -> None:
    folder = screenshots_dir()
    login = watched(context)
    assert status_of(login.page, f"{served.url}/login") == 200
    login.page.screenshot(path=str(folder / "login.png"), full_page=True)
    seen = sign_in(context, served, "admin")
    finding = api_findings(served)[0]["id"]
    pages = {
        "overview": "/",
        "tenants": "/tenants",
        "tenant": f"/tenants/{served.tenant}",
        "findings": "/findings",
        "finding": f"/findings/{finding}",
        "reconciliation": "/reconciliation",
    }
    for name, path in pages.items():
        assert status_of(seen.page, served.url + path) == 200, name
        assert seen.page.locator("main h1").count() == 1, name
        seen.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    check_clean(login, served)
    check_clean(seen, served)
    saved = {p.stem for p in folder.glob("*.png")}
    assert saved >= {"login", *pages}


def test_the_overview_and_the_reconciliation_show_the_apis_numbers(
    served: Served, context: BrowserContext
) -> None:
    reconciled = served.api("/reconcile", period=DEMO_PERIOD)
    seen = sign_in(context, served, "finance")
    seen.page.goto(f"{served.url}/")
    total = reconciled["total"]
    went = amounts(seen.page, "#went tr[data-part]", "part")
    assert went == {
        "tenants": Decimal(total["allocated"]),
        "shared": Decimal(total["shared"]),
        "idle": Decimal(total["idle"]),
        "unallocated": Decimal(total["unallocated"]),
        "difference": Decimal(total["difference"]),
    }
    assert Decimal(seen.page.get_attribute("#difference", "data-amount") or "") == Decimal(
        total["difference"]
    )
    lines = served.api("/cost/showback", period=DEMO_PERIOD, by="tenant,domain")["lines"]
    domains: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        domains[line["cost_domain"] or "(none)"] += Decimal(line["total"])
    assert amounts(seen.page, "#domains tbody tr", "domain") == domains

    seen.page.goto(f"{served.url}/reconciliation")
    for column, cell in (("billed", 0), ("allocated", 1), ("unallocated", 4), ("difference", 5)):
        by_day = amounts(seen.page, "#days tbody tr", "day", cell)
        assert by_day == {d["date"]: Decimal(d[column]) for d in reconciled["days"]}, column
    check_clean(seen, served)


def test_the_tenants_page_shows_the_apis_cost_fee_margin_and_findings_sorted_and_searched(
    served: Served, context: BrowserContext
) -> None:
    showback = served.api("/cost/showback", period=DEMO_PERIOD)["lines"]
    cost = {line["tenant"]: Decimal(line["total"]) for line in showback if line["tenant"]}
    margins = {t["tenant"]: t for t in served.api("/margin", period=DEMO_PERIOD)["tenants"]}
    counts: dict[str, int] = defaultdict(int)
    for finding in api_findings(served):
        counts[finding["tenant"]] += 1
    seen = sign_in(context, served, "finance")
    seen.page.goto(f"{served.url}/tenants?sort=cost&order=asc")
    rows = "#tenants tbody tr"
    assert amounts(seen.page, rows, "tenant", 0) == cost
    fees = amounts(seen.page, rows, "tenant", 1)
    assert fees == {name: Decimal(m["fee"]) for name, m in margins.items()}
    assert amounts(seen.page, rows, "tenant", 2) == {
        name: Decimal(m["margin"]) for name, m in margins.items()
    }
    listed = seen.page.eval_on_selector_all(rows, "rs => rs.map(r => r.dataset.tenant)")
    assert listed == sorted(cost, key=lambda name: (cost[name], name))
    shown_counts = seen.page.eval_on_selector_all(
        rows, "rs => rs.map(r => [r.dataset.tenant, +r.querySelector('[data-count]').textContent])"
    )
    assert {name: n for name, n in shown_counts if n} == dict(counts)

    needle = served.tenant[:5]
    seen.page.fill("#q", needle)
    seen.page.click("form.filters button[type=submit]")
    seen.page.wait_for_load_state()
    searched = seen.page.eval_on_selector_all(rows, "rs => rs.map(r => r.dataset.tenant)")
    assert searched == sorted((n for n in cost if needle in n), key=lambda n: (cost[n], n))
    check_clean(seen, served)


def test_the_tenants_page_is_paged_and_each_page_keeps_the_sort_and_search(
    served: Served,
) -> None:
    showback = served.api("/cost/showback", period=DEMO_PERIOD)["lines"]
    cost = {line["tenant"]: Decimal(line["total"]) for line in showback if line["tenant"]}
    expected = sorted(cost, key=lambda name: (cost[name], name))
    assert len(expected) == 40
    listed: list[str] = []
    headings: list[str] = []
    url: str | None = "/tenants?sort=cost&order=asc&limit=15"
    with signed_in(served, "finance") as client:
        while url is not None:
            answer = client.get(url.replace("&amp;", "&"))
            assert answer.status_code == 200, url
            listed += re.findall(r'<tr data-tenant="([^"]+)"', answer.text)
            headings += re.findall(r'<p id="listed">(Tenants [^.]+\.)', answer.text)
            following = re.search(r'<a rel="next" href="([^"]+)"', answer.text)
            url = following.group(1) if following else None
            if listed[15:]:  # the second page and after go back
                assert '<a rel="prev"' in answer.text
        assert listed == expected  # every tenant once, in order, over three pages
        assert headings == [
            "Tenants 1–15 of 40.",
            "Tenants 16–30 of 40.",
            "Tenants 31–40 of 40.",
        ]
        beyond = client.get("/tenants?sort=cost&order=asc&limit=15&offset=999")
        assert re.findall(r'<tr data-tenant="([^"]+)"', beyond.text) == expected[30:]
        for junk in ("limit=-3", "limit=ten", "offset=%C2%B2", "limit=99999999999999"):
            answer = client.get(f"/tenants?sort=cost&order=asc&{junk}")
            assert answer.status_code == 200, junk  # a page, not a 422 document
            assert len(re.findall(r"<tr data-tenant=", answer.text)) == 40, junk


def test_roles_without_margin_rights_see_no_fee_or_margin_and_no_decision_forms(
    served: Served, context: BrowserContext
) -> None:
    seen = sign_in(context, served, "viewer")
    seen.page.goto(f"{served.url}/tenants?sort=margin")
    headers = seen.page.eval_on_selector_all("#tenants th", "hs => hs.map(h => h.textContent)")
    assert not [h for h in headers if "fee" in h or "margin" in h]
    seen.page.goto(f"{served.url}/tenants/{served.tenant}")
    assert seen.page.locator("#margin").count() == 0
    seen.page.goto(f"{served.url}/findings/{api_findings(served)[0]['id']}")
    assert seen.page.locator("#acknowledge, #suppress").count() == 0
    check_clean(seen, served)  # before the refusal, which Chromium reports as a console error
    assert status_of(seen.page, f"{served.url}/reconciliation") == 403  # may not read the bill


def test_overview_to_a_tenant_to_a_finding_acknowledged_then_suppressed(
    served: Served, context: BrowserContext
) -> None:
    seen = sign_in(context, served, "engineer")
    page = seen.page
    page.goto(f"{served.url}/")
    page.click(f"#top-tenants a[href^='/tenants/{served.tenant}?']")
    page.wait_for_load_state()
    assert page.url.startswith(f"{served.url}/tenants/{served.tenant}")
    showback = served.api(
        "/cost/showback", period=DEMO_PERIOD, tenant=served.tenant, by="tenant,environment,domain"
    )
    expected = {
        f"{line['environment'] or '—'}/{line['cost_domain'] or '—'}": Decimal(line["total"])
        for line in showback["lines"]
    }
    assert amounts(page, "#costs tbody tr", "line") == expected
    shown_total = page.get_attribute("#costs tfoot [data-amount]", "data-amount")
    assert Decimal(shown_total or "") == Decimal(showback["total"]["total"])
    open_ones = [f for f in api_findings(served, tenant=served.tenant) if f["status"] == "open"]
    target = open_ones[0]
    listed = page.eval_on_selector_all(
        "#findings tbody tr", "rs => rs.map(r => +r.dataset.finding)"
    )
    assert listed == [f["id"] for f in api_findings(served, tenant=served.tenant)]
    page.click(f"#findings a[href='/findings/{target['id']}']")
    page.wait_for_load_state()
    assert shown(page, "#status") == "open"
    page.click("#acknowledge")
    page.wait_for_load_state()
    assert shown(page, "#status") == "acknowledged"
    after = served.api(f"/findings/{target['id']}")
    assert after["status"] == "acknowledged"
    assert after["acknowledged_by"] == "engineer-web"  # the token's subject
    assert "engineer-web" in shown(page, "#acknowledged")
    page.fill("#reason", "tenant migrates next month")
    page.click("#suppress")
    page.wait_for_load_state()
    assert shown(page, "#status") == "suppressed"
    after = served.api(f"/findings/{target['id']}")
    assert (after["status"], after["suppressed_by"]) == ("suppressed", "engineer-web")
    decisions = [
        (e["action"], e["name"])
        for e in served.api("/audit", limit=500)["items"]
        if e["actor"] == "engineer-web"
    ]
    assert sorted(decisions) == [
        ("acknowledge", str(target["id"])),
        ("suppress", str(target["id"])),
    ]
    page.goto(f"{served.url}/tenants/{served.tenant}")  # kept before: the decision shows
    still = page.eval_on_selector_all("#findings tbody tr", "rs => rs.map(r => +r.dataset.finding)")
    assert target["id"] not in still
    assert still == [f["id"] for f in api_findings(served, tenant=served.tenant)]
    check_clean(seen, served)


def test_a_tenant_token_reaches_its_own_tenant_only(
    served: Served, context: BrowserContext
) -> None:
    catalog = served.api("/tenants", limit=500)["items"]
    others = [t for t in catalog if t["id"] != served.tenant]
    seen = sign_in(context, served, "tenant")
    page = seen.page
    assert page.url == f"{served.url}/tenants/{served.tenant}"  # `/` takes it there
    own = page.content()
    for other in others:
        assert other["id"] not in own
        assert other["name"] not in own
    check_clean(seen, served)  # before the refusals, which Chromium reports as console errors
    for path in (f"/tenants/{others[0]['id']}", "/tenants/no-such-tenant", "/tenants"):
        assert status_of(page, served.url + path) == 403, path
        html = page.content()
        assert not [o["id"] for o in others if o["id"] in html or o["name"] in html], path
    assert status_of(page, f"{served.url}/reconciliation") == 403
    someone_elses = [f for f in api_findings(served, all="true") if f["tenant"] != served.tenant]
    assert status_of(page, f"{served.url}/findings/{someone_elses[0]['id']}") == 404
    page.goto(f"{served.url}/findings?tenant={others[0]['id']}")  # the filter cannot widen it
    listed = page.eval_on_selector_all(
        "#findings tbody tr", "rs => rs.map(r => +r.dataset.finding)"
    )
    assert listed == [f["id"] for f in api_findings(served, tenant=served.tenant)]


def test_the_session_cookie_is_httponly_and_strict_and_forms_need_their_token(
    served: Served, context: BrowserContext
) -> None:
    sign_in(context, served, "admin")
    cookie = next(c for c in context.cookies() if c["name"] == "costplane_token")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    target = api_findings(served, status="open")[-1]
    with signed_in(served, "admin") as client:
        forged = client.post(
            f"/findings/{target['id']}/suppress",
            data={"csrf": "not-the-form-token", "until": "2027-01-31", "reason": "forged"},
        )
    assert forged.status_code == 403
    assert served.api(f"/findings/{target['id']}")["status"] == "open"
    bad = watched(context)
    bad.page.goto(f"{served.url}/login")
    bad.page.fill("#token", "cp_not-a-token")
    bad.page.click("form.login button[type=submit]")
    bad.page.wait_for_load_state()
    assert bad.page.locator("#refused").count() == 1


BAD_PERIODS = ("/?period=2026-13", "/tenants?period=banana", "/reconciliation?period=1900-01")


def test_bad_input_is_a_page_that_says_so_never_a_server_error(served: Served) -> None:
    with signed_in(served, "admin") as client:
        for path in (*BAD_PERIODS, f"/tenants/{served.tenant}?period=2026-13"):
            answer = client.get(path)
            assert answer.status_code == 400, path
            assert "--period" in answer.text, path
        assert client.get("/findings/987654321").status_code == 404
        for reference in ("not-a-number", "9" * 400, "%00", "١٢"):  # Arabic-Indic digits
            answer = client.get(f"/findings/{reference}")
            assert answer.status_code == 404, reference
            assert answer.headers["content-type"].startswith("text/html"), reference
            assert "no such finding" in answer.text, reference
        hostile = client.get("/tenants/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        assert hostile.status_code == 404
        assert "<script>" not in hostile.text
        assert client.get("/tenants?sort=evil&order=sideways&q=%27%22%3C").status_code == 200
        policy = client.get("/").headers["content-security-policy"]
        assert "default-src 'none'" in policy  # no script, nothing from elsewhere
        assert "script-src" not in policy


def test_a_browser_asking_for_no_page_gets_a_page_and_programs_a_problem(
    served: Served,
) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}  # as Chromium asks
    with signed_in(served, "admin") as client:
        missing = client.get("/no-such-page", headers=browser)
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("text/html")
        assert "<h1>404</h1>" in missing.text
        assert "default-src 'none'" in missing.headers["content-security-policy"]
        wrong = client.delete("/tenants", headers=browser)
        assert (wrong.status_code, wrong.headers["allow"]) == (405, "GET")
        assert wrong.headers["content-type"].startswith("text/html")
        programs = (("/no-such-page", "*/*"), ("/api/v1/no-such-route", browser["Accept"]))
        for path, accept in programs:
            problem = client.get(path, headers={"Accept": accept})
            assert problem.status_code == 404, path
            assert problem.headers["content-type"] == "application/problem+json", path


def test_without_a_valid_session_every_page_goes_to_the_login(served: Served) -> None:
    with signed_in(served, None) as client:
        for token in (None, "cp_unknown-or-revoked"):
            if token is not None:
                client.cookies.set("costplane_token", token)
            for path in ("/", "/tenants", f"/tenants/{served.tenant}", "/findings"):
                answer = client.get(path)
                assert answer.status_code == 303, path
                assert answer.headers["location"] == "/login", path


def test_every_page_route_keeps_a_tenant_token_to_its_own_tenant(served: Served) -> None:
    """Every GET route of the dashboard (and any page added later), each path
    parameter filled with another tenant's id or another tenant's finding: the answer names
    no other tenant, and is the page, a refusal, or a redirect to its own page."""
    others = [t for t in served.api("/tenants", limit=500)["items"] if t["id"] != served.tenant]
    foreign = next(f for f in api_findings(served, all="true") if f["tenant"] != served.tenant)
    router = dashboard(Project(Settings(home=served.home)), Sessions(lambda _: None, FormKey()))
    paths = sorted(
        {
            route.path
            for route in router.routes
            if isinstance(route, APIRoute) and "GET" in route.methods
        }
    )
    assert {"/", "/tenants", "/tenants/{tenant}", "/findings/{finding_id}"} <= set(paths)
    with signed_in(served, "tenant") as client:
        for path in paths:
            filled = re.sub(r"\{finding_id\}", str(foreign["id"]), path)
            filled = re.sub(r"\{[^}]+\}", others[0]["id"], filled)
            for query in ("", f"?tenant={others[0]['id']}"):
                answer = client.get(filled + query)
                assert answer.status_code in (200, 303, 403, 404), filled
                if answer.status_code == 303:
                    assert answer.headers["location"] == f"/tenants/{served.tenant}", filled
                leaked = [
                    o["id"] for o in others if o["id"] in answer.text or o["name"] in answer.text
                ]
                assert leaked == [], filled + query


def rows_of(html: str, table: str) -> list[list[str]]:
    """The cells of `table`'s body rows, as text."""
    body = re.search(rf'<table id="{table}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body is not None, table
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def test_the_tenant_pages_entitlements_and_dr_are_the_apis_asked_again_or_not(
    served: Served,
) -> None:
    """The page reads the DR evidence once and keeps both per data version: what it shows,
    first or asked again, is what the API's own entitlements and DR reports say."""
    entitled = served.api("/entitlements", period=DEMO_PERIOD, tenant=served.tenant)
    dr = served.api("/dr", period=DEMO_PERIOD, tenant=served.tenant)
    expected_items = [
        [env["environment"], item["entitlement"], str(item["entitled"]), str(item["used"])]
        for t in entitled["tenants"]
        for env in t["environments"]
        for item in env["items"]
    ]
    expected_dr = [
        [r["requirement"], str(r["status"])] for t in dr["tenants"] for r in t["requirements"]
    ]
    assert expected_items  # the demo's tenant has a contract
    assert expected_dr
    with signed_in(served, "tenant") as client:
        for _ in range(2):
            html = client.get(f"/tenants/{served.tenant}?period={DEMO_PERIOD}").text
            items = [
                [env, name, entitled_, used]
                for env, name, entitled_, used, *_ in rows_of(html, "entitlements")
            ]
            assert items == expected_items  # None (nothing observed) shows as None in both
            assert [[row[0], row[4]] for row in rows_of(html, "dr")] == expected_dr

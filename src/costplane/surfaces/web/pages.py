"""The dashboard's pages: each reads the service operations the CLI and the API call and
renders their results as HTML; none computes a cost of its own.

Who sees what (docs/dashboard.md): every signed-in role sees every page, but fees and
margins only where the role may read margins, and the acknowledge and suppress forms only
where it may decide on findings. A tenant token sees its own tenant's page and findings:
`/` takes it there, and the overview, the tenants list and the reconciliation (the whole
bill, every tenant) answer 403, as does another tenant's page, whether or not that
tenant exists (a 404 would tell it which names are customers).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.resources import files
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException

from costplane.allocation import Margins
from costplane.errors import InputError
from costplane.governance import Status, StoredFinding
from costplane.service import (
    ACTIVE,
    ClassReportRequest,
    FindingsQuery,
    Project,
    Reconciliation,
    Report,
    ReportRequest,
    Suppression,
    TenantDaysRequest,
    acknowledge_finding,
    dr_report,
    entitlements_report,
    kept_finding,
    kept_findings,
    latest_month,
    margin_report,
    reconcile_report,
    showback_report,
    suppress_finding,
    tenant_days,
    to_document,
)
from costplane.surfaces.web import charts
from costplane.surfaces.web.figures import amount, moment, money_cell, percent
from costplane.surfaces.web.month import (
    ONE_TENANT,
    TenantPages,
    capability,
    key,
    tenant_pages,
)
from costplane.surfaces.web.session import (
    COOKIE,
    PageRefusedError,
    Session,
    Sessions,
    SignInNeededError,
)
from costplane.surfaces.web.viewer import Viewer

if TYPE_CHECKING:  # the server imports these pages: its cache is only named here
    from costplane.surfaces.server.report_cache import Reads, ReportCache

ZERO = Decimal(0)
Value = TypeVar("Value")

TEMPLATES = Environment(
    loader=PackageLoader("costplane.surfaces.web", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.filters["amount"] = amount
TEMPLATES.filters["percent"] = percent
TEMPLATES.filters["moment"] = moment
TEMPLATES.globals["money"] = money_cell

STYLE = files("costplane.surfaces.web").joinpath("static/dashboard.css").read_text("utf-8")

HEADERS = {
    # Nothing but this server: no script at all, styles and images from here (the favicon
    # is an empty data: URL), forms posted here only, never framed by another page.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # a page of money behind a login: no shared cache keeps it
}
"""The headers of every page."""

TOP_TENANTS = 10
"""The costliest tenants the overview lists, each a link to its page."""

TENANT_SORTS = ("tenant", "cost", "fee", "margin", "findings", "waste")
TENANTS_PAGE = 200
"""Tenants listed a page (`limit`, up to 1,000): at 5,000 tenants the whole list was a
2 MB page taking 0.2 s to render."""


@contextmanager
def read_as_page() -> Iterator[None]:
    """What an operation refuses (a bad period, a month not allocated) as a 400 page."""
    try:
        yield
    except InputError as exc:
        raise PageRefusedError(400, str(exc)) from exc


@dataclass
class TenantRow:
    tenant: str
    cost: Decimal = ZERO
    fee: Decimal | None = None
    margin: Decimal | None = None
    margin_percent: Decimal | None = None
    findings: int = 0
    waste: Decimal = ZERO
    extra: dict[str, Any] = field(default_factory=dict)


def dashboard(
    project: Project, sessions: Sessions, reports: ReportCache | None = None
) -> APIRouter:
    """The pages, to include in the server's app at `/` (with `page_errors` installed);
    `reports` is the server's cache of reports per data version, if it keeps one."""
    router = APIRouter(include_in_schema=False)

    def page(request: Request, template: str, session: Session | None, **values: Any) -> Response:
        html = TEMPLATES.get_template(template).render(
            request=request,
            viewer=session.viewer if session else None,
            form_token=session.form_token if session else "",
            **values,
        )
        return HTMLResponse(html, headers=HEADERS)

    def every_tenant(session: Session) -> None:
        """The pages of every tenant are not a tenant's."""
        if session.viewer.tenant is not None:
            raise PageRefusedError(403, "a tenant token sees its own tenant's pages only")

    def month(period: str | None) -> str:
        if period:
            return period
        with read_as_page():
            found = kept(("latest-month",), lambda: latest_month(project))
        if found is None:
            raise PageRefusedError(
                400, "nothing is allocated yet: run `costplane allocate` (or `costplane demo`)"
            )
        return found

    def kept(
        key: tuple[object, ...], compute: Callable[[], Value], reads: Reads = "warehouse"
    ) -> Value:
        """A value every viewer's page reads alike (a month's report, the open findings),
        kept per data version like the API's documents (report_cache.py): at 5,000
        tenants a month's showback or margin is about a second of aggregation. Pages
        only read what they get: it is shared."""
        if reports is None:
            return compute()
        found: Value = reports.value(("web", *key), compute, reads)
        return found

    def open_findings(tenant: str | None = None) -> list[StoredFinding]:
        """The open and acknowledged findings, most money first (of one tenant: the same
        order, filtered)."""
        every = kept(("open-findings",), lambda: kept_findings(project, FindingsQuery()), "state")
        return every if tenant is None else [f for f in every if f.tenant == tenant]

    def month_margins(name: str) -> Report[Margins]:
        return kept(("margin", name), lambda: margin_report(project, ReportRequest.of(name)))

    def month_reconciled(name: str) -> Report[Reconciliation]:
        return kept(("reconcile", name), lambda: reconcile_report(project, ReportRequest.of(name)))

    @router.get("/static/dashboard.css")
    def style() -> Response:
        return Response(STYLE, media_type="text/css", headers={"Cache-Control": "max-age=300"})

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        return page(request, "login.html", None, refused=False)

    @router.post("/login", response_class=HTMLResponse)
    def login(request: Request, token: str = Form("")) -> Response:
        viewer = sessions.identify(token.strip()) if token.strip() else None
        if viewer is None:
            response = page(request, "login.html", None, refused=True)
            response.status_code = 401
            return response
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE,
            token.strip(),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
        return response

    @router.post("/logout")
    def logout(request: Request, csrf: str = Form("")) -> Response:
        sessions.check_form(request, csrf)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response

    @router.get("/", response_class=HTMLResponse)
    def overview(request: Request, period: str | None = None) -> Response:
        session = sessions.of(request)
        if session.viewer.tenant is not None:
            return RedirectResponse(f"/tenants/{session.viewer.tenant}", status_code=303)
        name = month(period)
        with read_as_page():
            values = dict(kept(("overview", name), lambda: cost_went(name)))
        if session.viewer.sees_bill:
            values.update(bill_went(name))
        return page(request, "overview.html", session, **values)

    def cost_went(name: str) -> dict[str, Any]:
        """The overview's part every viewer sees: cost by domain and the top tenants (at
        5,000 tenants, summing the month's 35,000 showback lines takes 0.1 s)."""
        by_domain = showback_report(project, ReportRequest.of(name, "tenant,domain"))
        domains: dict[str, Decimal] = defaultdict(Decimal)
        for line in by_domain.body.lines:
            domains[line.cost_domain or "(none)"] += line.costs.total
        domain_rows = sorted(domains.items(), key=lambda item: -item[1])
        return {
            "period": name,
            "currency": by_domain.currency,
            "notes": by_domain.notes,
            "domains": domain_rows,
            "domain_total": by_domain.body.total.total,
            "domain_chart": charts.bars(domain_rows, "cost by domain"),
            "top_tenants": sorted(
                by_domain.body.tenant_costs().items(), key=lambda item: (-item[1], item[0])
            )[:TOP_TENANTS],
        }

    def bill_went(name: str) -> dict[str, Any]:
        """The overview's part that reads the bill: where it went, and day by day."""
        with read_as_page():
            reconciled = month_reconciled(name)
        total = reconciled.body.total
        went = [
            ("tenants", total.allocated),
            ("shared", total.shared),
            ("idle", total.idle),
            ("unallocated", total.unallocated),
            ("difference", total.difference),
        ]
        days = [day for day in reconciled.body.days if day.date]
        trend = {
            "bill": {day.date: day.billed for day in days if day.date},
            "placed": {day.date: day.billed - day.difference for day in days if day.date},
        }
        return {
            "notes": reconciled.notes,
            "total": total,
            "went": went,
            "went_chart": charts.bars(went, "where the bill went"),
            "trend_chart": charts.lines(trend, "the bill and what was placed, day by day"),
        }

    @router.get("/tenants", response_class=HTMLResponse)
    def tenants(
        request: Request,
        period: str | None = None,
        q: str = "",
        sort: str = "cost",
        order: str = "desc",
        offset: str = "0",
        limit: str = "",
    ) -> Response:
        session = sessions.of(request)
        every_tenant(session)
        viewer = session.viewer
        if sort not in TENANT_SORTS or (sort in ("fee", "margin") and not viewer.sees_margin):
            sort = "cost"
        order = "asc" if order == "asc" else "desc"
        name = month(period)
        with read_as_page():
            shown = kept(
                ("showback", name, "tenant"),
                lambda: showback_report(project, ReportRequest.of(name)),
            )
            margins = month_margins(name) if viewer.sees_margin else None
            found = open_findings()
        rows = {t: TenantRow(t, cost) for t, cost in shown.body.tenant_costs().items()}
        for line in margins.body.tenants if margins else ():
            row = rows.setdefault(line.tenant, TenantRow(line.tenant))
            row.fee, row.margin, row.margin_percent = line.fee, line.margin, line.margin_percent
        for finding in found:
            if finding.tenant in rows:
                rows[finding.tenant].findings += 1
                rows[finding.tenant].waste += finding.monthly_waste or ZERO
        needle = q.strip().lower()
        listed = [row for row in rows.values() if needle in row.tenant.lower()]
        listed.sort(key=lambda row: row.tenant)  # ties in the sort below stay by name
        if sort != "tenant":
            listed.sort(key=lambda row: _sort_key(getattr(row, sort)), reverse=order != "asc")
        elif order == "desc":
            listed.reverse()
        size = min(_count(limit) or TENANTS_PAGE, 1000)
        first = min(_count(offset), max(len(listed) - 1, 0) // size * size)  # a page shown
        return page(
            request,
            "tenants.html",
            session,
            period=name,
            currency=shown.currency,
            notes=shown.notes,
            rows=listed[first : first + size],
            total=len(listed),
            offset=first,
            limit=size,
            q=q,
            sort=sort,
            order=order,
            sorts=[s for s in TENANT_SORTS if viewer.sees_margin or s not in ("fee", "margin")],
        )

    @router.get("/tenants/{tenant}", response_class=HTMLResponse)
    def tenant_page(request: Request, tenant: str, period: str | None = None) -> Response:
        session = sessions.of(request)
        viewer = session.viewer
        if not viewer.may_see(tenant):
            raise PageRefusedError(403, "a tenant token sees its own tenant's pages only")
        known = project.catalog().tenant(tenant)
        if known is None:
            raise PageRefusedError(404, "no such tenant in the catalog")
        name = month(period)
        with read_as_page():
            asked = TenantDaysRequest.of(name, tenant)  # a month that is none: said here
            pages = month_pages(name)
            days = pages.days.of(tenant) if pages else tenant_days(project, asked)
            margins = month_margins(name) if viewer.sees_margin else None
            findings = open_findings(tenant)
        # The month's table from the tenant's days (its showback lines, summed in the engine
        # for this tenant alone): a page among thousands of tenants reads its own rows.
        month_costs: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        by_domain: dict[str, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        by_environment: dict[str, dict[dt.date, Decimal]] = defaultdict(
            lambda: defaultdict(Decimal)
        )
        for day in days:
            environment, domain = day.environment or "—", day.cost_domain or "—"
            month_costs[(environment, domain)] += day.cost
            by_domain[domain][day.day] += day.cost
            by_environment[environment][day.day] += day.cost
        margin_line = (
            next((t for t in margins.body.tenants if t.tenant == tenant), None)
            if (margins)
            else None
        )
        return page(
            request,
            "tenant.html",
            session,
            period=name,
            tenant=tenant,
            display_name=known.name,
            service_class=known.service_class,
            currency=project.catalog().currency,
            lines=sorted(month_costs.items()),
            total=sum(month_costs.values(), ZERO),
            margin=margin_line,
            domain_chart=charts.lines(by_domain, "cost by domain, day by day"),
            environment_chart=charts.lines(by_environment, "cost by environment, day by day"),
            findings=findings,
            **((pages and pages.capabilities_of(tenant)) or capabilities(name, tenant)),
        )

    def month_pages(name: str) -> TenantPages | None:
        """Every tenant's page parts of the month if the server keeps them; else None, and
        the server reads them in the background while this page reads its own (month.py)."""
        if reports is None:
            return None
        found: TenantPages | None = reports.soon(key(name), lambda: tenant_pages(project, name))
        return found

    def capabilities(name: str, tenant: str) -> dict[str, Any]:
        """The tenant's entitlements and DR evidence, read for this tenant alone: the DR
        evidence read once (the entitlements judge it too), and both kept per data version
        in the server's report cache (a tenant's page asked again reads nothing)."""

        def compute() -> dict[str, Any]:
            request = ClassReportRequest.of(name, tenant)
            evidence: list[Any] = []  # dr_report's answer, once read

            def dr() -> Any:
                evidence.append(dr_report(project, request))
                return evidence[0]

            recovery = _capability(dr)
            entitled = _capability(
                lambda: entitlements_report(project, request, evidence[0] if evidence else None)
            )
            return {"entitlements": entitled, "dr": recovery}

        return kept((ONE_TENANT, name, tenant), compute)

    @router.get("/findings", response_class=HTMLResponse)
    def findings_page(
        request: Request,
        policy: str = "",
        severity: str = "",
        tenant: str = "",
        status: str = "active",
    ) -> Response:
        session = sessions.of(request)
        viewer = session.viewer
        scope = viewer.tenant or tenant or None
        statuses = ACTIVE if status == "active" else None
        every = kept_findings(project, FindingsQuery(statuses=None, tenant=viewer.tenant))
        query = FindingsQuery(
            statuses=statuses, policy=policy or None, tenant=scope, severity=severity or None
        )
        listed = kept_findings(project, query)
        return page(
            request,
            "findings.html",
            session,
            findings=listed,
            waste=sum((f.monthly_waste or ZERO for f in listed), ZERO),
            policies=sorted({f.policy for f in every}),
            severities=sorted({f.severity for f in every}),
            tenants=sorted({f.tenant for f in every if f.tenant}),
            chosen={
                "policy": policy,
                "severity": severity,
                "tenant": scope or "",
                "status": status,
            },
        )

    def finding_of(viewer: Viewer, finding_id: str) -> StoredFinding:
        """The finding, or 404: for a tenant token, another tenant's finding does not exist.
        The pages link findings by id; what is no id gets the same page, not a problem
        document meant for programs."""
        missing = PageRefusedError(404, "no such finding")  # what was asked is not repeated
        if not (finding_id.isascii() and finding_id.isdigit()):
            raise missing
        try:
            finding = kept_finding(project, finding_id)
        except InputError as exc:
            raise missing from exc
        if not viewer.may_see(finding.tenant):
            raise missing
        return finding

    @router.get("/findings/{finding_id}", response_class=HTMLResponse)
    def finding_page(request: Request, finding_id: str) -> Response:
        session = sessions.of(request)
        finding = finding_of(session.viewer, finding_id)
        return page(
            request,
            "finding.html",
            session,
            finding=finding,
            evidence=to_document(dict(finding.evidence)),
            open=finding.status in (Status.OPEN, Status.ACKNOWLEDGED),
            default_until=dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30),
        )

    def deciding(request: Request, csrf: str, finding_id: str) -> Session:
        session = sessions.check_form(request, csrf)
        if not session.viewer.may_decide:
            raise PageRefusedError(403, "this token may not acknowledge or suppress findings")
        finding_of(session.viewer, finding_id)
        return session

    @router.post("/findings/{finding_id}/acknowledge")
    def acknowledge(request: Request, finding_id: str, csrf: str = Form("")) -> Response:
        session = deciding(request, csrf, finding_id)
        with read_as_page():
            acknowledge_finding(project, finding_id, session.viewer.subject)
        return RedirectResponse(f"/findings/{finding_id}", status_code=303)

    @router.post("/findings/{finding_id}/suppress")
    def suppress(
        request: Request,
        finding_id: str,
        csrf: str = Form(""),
        until: str = Form(""),
        reason: str = Form(""),
    ) -> Response:
        session = deciding(request, csrf, finding_id)
        try:
            last_day = dt.date.fromisoformat(until)
        except ValueError as exc:
            raise PageRefusedError(400, f"until {until!r}: expected a date, YYYY-MM-DD") from exc
        if not reason.strip():
            raise PageRefusedError(400, "reason: say why the finding is suppressed")
        with read_as_page():
            suppress_finding(
                project,
                finding_id,
                Suppression(last_day, reason.strip(), session.viewer.subject),
            )
        return RedirectResponse(f"/findings/{finding_id}", status_code=303)

    @router.get("/reconciliation", response_class=HTMLResponse)
    def reconciliation(request: Request, period: str | None = None) -> Response:
        session = sessions.of(request)
        every_tenant(session)
        if not session.viewer.sees_bill:
            raise PageRefusedError(403, "this token may not read the bill's reconciliation")
        name = month(period)
        with read_as_page():
            reconciled = month_reconciled(name)
        days = [day for day in reconciled.body.days if day.date]
        return page(
            request,
            "reconciliation.html",
            session,
            period=name,
            currency=reconciled.currency,
            notes=reconciled.notes,
            days=reconciled.body.days,
            total=reconciled.body.total,
            chart=charts.bars([(str(day.date), day.difference) for day in days], "difference"),
        )

    return router


def _count(text: str) -> int:
    """A count typed into a page's address; 0 for what is none (a page answers, not 422)."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 0


def _sort_key(value: Decimal | int | None) -> tuple[bool, Decimal]:
    """None (no fee known) sorts below every amount, whatever the order."""
    return (value is not None, Decimal(value) if value is not None else ZERO)


def _capability(read: Any) -> dict[str, Any]:
    """A later capability's view of the tenant (entitlements, DR) as its JSON document, or
    why there is none (`note`): a tenant without a contract has neither."""
    try:
        return capability(read())
    except InputError as exc:
        return {"document": None, "note": str(exc)}


PROGRAMS = ("/api/", "/metrics", "/healthz", "/readyz")
"""Paths programs ask: their errors stay the server's problem documents."""


def page_errors(
    sessions: Sessions, for_programs: Callable[[Request, Exception], Any] | None = None
) -> dict[type[Exception], Any]:
    """The exception handlers the app installs for the pages: the login page for a missing
    session, an error page for a refusal, and for a browser asking a page that is none
    (404, 405) the same error page; `for_programs` answers those errors otherwise."""

    def sign_in(request: Request, exc: Exception) -> Response:
        del exc
        return RedirectResponse("/login", status_code=303)

    def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageRefusedError)
        try:
            session: Session | None = sessions.of(request)
        except SignInNeededError:
            session = None
        html = TEMPLATES.get_template("error.html").render(
            request=request,
            viewer=session.viewer if session else None,
            form_token=session.form_token if session else "",
            status=exc.status,
            message=exc.message,
        )
        return HTMLResponse(html, status_code=exc.status, headers=HEADERS)

    def no_page(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        browsing = "text/html" in request.headers.get("accept", "")
        if for_programs is not None and (not browsing or request.url.path.startswith(PROGRAMS)):
            return for_programs(request, exc)  # type: ignore[no-any-return]
        answer = refused(request, PageRefusedError(exc.status_code, str(exc.detail)))
        answer.headers.update(exc.headers or {})  # a 405's Allow
        return answer

    return {SignInNeededError: sign_in, PageRefusedError: refused, HTTPException: no_page}

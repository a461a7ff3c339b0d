"""Person search with a required stated purpose, and name suggestions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from toex.errors import AccessDeniedError, InputError
from toex.ops.access import DATA_ROLES
from toex.web.auth import Principal
from toex.web.context import MIN_PURPOSE, audit, html_user, snapshot_of, warehouse_cursor
from toex.web.data.filters import NotAvailable, highest_marking
from toex.web.data.profile_lists import visible_warnings
from toex.web.data.search import SearchCriteria, search_persons, suggest_names
from toex.web.rendering import render
from toex.web.routers.csrf import verify_csrf
from toex.web.sessions import session_of

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def parse_dob(text: str) -> dt.date | None:
    """A date of birth from ``YYYY-MM-DD`` or ``DD/MM/YYYY``; None when empty."""
    text = text.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise InputError(f"date of birth {text!r} is not a date (use YYYY-MM-DD)")


def check_purpose(purpose: str) -> str:
    """The stated purpose, stripped; :class:`InputError` when shorter than the minimum."""
    purpose = purpose.strip()
    if len(purpose) < MIN_PURPOSE:
        raise InputError(f"state the purpose of this search ({MIN_PURPOSE}+ characters)")
    return purpose


def ask_purpose(request: Request) -> Response:
    """The purpose page, returning to this request's page once a purpose is stated (the
    pages that show records or figures derived from them ask before answering)."""
    query = request.url.query
    target = request.url.path + (f"?{query}" if query else "")
    return render(request, "purpose.html", {"next": target})


def require_purpose(request: Request, what: str) -> str:
    """The purpose stated in this session; :class:`AccessDeniedError` (403) when none has
    been (for fragments and downloads, which cannot show the purpose page)."""
    purpose = session_of(request).purpose
    if not purpose:
        raise AccessDeniedError(f"state a purpose (run a search) before {what}")
    return purpose


@router.get("/search", response_class=HTMLResponse)
def search_form(request: Request, user: Principal = Depends(html_user)) -> Response:
    """The search form (purpose pre-filled with the last one stated)."""
    user.require(DATA_ROLES, "search intelligence records")
    return render(
        request,
        "search.html",
        {"form": {"purpose": session_of(request).purpose}, "result": None, "error": ""},
    )


@router.post("/search", response_class=HTMLResponse)
def search(
    request: Request,
    user: Principal = Depends(html_user),
    purpose: Annotated[str, Form(max_length=500)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    dob: Annotated[str, Form(max_length=20)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
    email: Annotated[str, Form(max_length=200)] = "",
    pnc_id: Annotated[str, Form(max_length=20)] = "",
    postcode: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Run a search, audit it with its purpose, and show the persons found."""
    user.require(DATA_ROLES, "search intelligence records")
    form = {
        "purpose": purpose,
        "name": name,
        "dob": dob,
        "phone": phone,
        "email": email,
        "pnc_id": pnc_id,
        "postcode": postcode,
    }
    template = "_results.html" if request.headers.get("hx-request") == "true" else "search.html"
    try:
        stated = check_purpose(purpose)
        criteria = SearchCriteria(
            name=name.strip(),
            dob=parse_dob(dob),
            phone=phone.strip(),
            email=email.strip(),
            pnc_id=pnc_id.strip(),
            postcode=postcode.strip(),
        )
        criteria.check()
    except InputError as exc:
        return render(
            request, template, {"form": form, "result": None, "error": str(exc)}, status=400
        )
    snap = snapshot_of(request)
    try:
        with warehouse_cursor(snap) as cur:
            result = search_persons(snap, cur, user.scope, criteria)
            warnings = visible_warnings(snap, cur, user.scope, [h.person_id for h in result.hits])
    except NotAvailable as exc:
        return render(
            request,
            template,
            {"form": form, "result": None, "error": f"Search is not available: {exc}"},
        )
    session_of(request).set_purpose(stated)
    audit(
        request,
        user,
        "search",
        purpose=stated,
        target=", ".join(f"{k}={v}" for k, v in form.items() if v and k != "purpose"),
        detail={
            "criteria": criteria.given(),
            "results": result.total,
            "persons": [h.person_id for h in result.hits[:20]],
            "snapshot": snap.ref.run_id,
        },
    )
    return render(
        request,
        template,
        {"form": form, "result": result, "error": "", "warnings": warnings},
        marking=highest_marking(
            [result.classification] + [w["classification"] for ws in warnings.values() for w in ws]
        ),
    )


@router.get("/search/suggest", response_class=HTMLResponse)
def suggest(request: Request, name: str = "", user: Principal = Depends(html_user)) -> Response:
    """Up to 10 visible names starting with ``name`` (3+ letters), as datalist options."""
    user.require(DATA_ROLES, "search intelligence records")
    snap = snapshot_of(request)
    names: list[str] = []
    if len(name.strip()) >= 3:
        try:
            with warehouse_cursor(snap) as cur:
                names = suggest_names(snap, cur, user.scope, name)
        except NotAvailable:
            names = []
        audit(
            request,
            user,
            "suggest",
            target=name[:100],
            purpose=session_of(request).purpose,
            detail={"results": len(names)},
        )
    return render(request, "_suggest.html", {"names": names})

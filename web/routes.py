"""The web pages of Kohtaamo, served by the API's application under ``/`` (the API stays under /api/v1)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.convertors import Convertor, register_url_convertor

from matching import esco
from web import (
    account,
    admin,
    auth,
    carving,
    caseworker,
    coordinator,
    employer,
    events,
    exports,
    inbox,
    indicators,
    needs,
    path,
    person_data,
    placements,
    proposing,
    services,
)
from web.i18n import N_
from web.pages import PageRoute, error_page, page

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/")
def home(request: Request) -> Response:
    """Each role's front page: the coordinator's day, the caseworker's clients, the employer's needs."""
    with page(request) as ctx:
        return exports.front_page(ctx)


@router.get("/skills/suggest")
def suggest_skills(request: Request, skill_query: str = "", target: str = "f-skills") -> Response:
    """ESCO skills starting with what was typed, as buttons that add the skill to the field."""
    with page(request) as ctx:
        suggestions = esco.suggest_skills(skill_query[:100], ctx.i18n.language, limit=8)
        return ctx.render(
            "_skill_suggestions.html", suggestions=suggestions, target=target, query=skill_query.strip()
        )


class PagePath(Convertor[str]):
    """Any path that is not the API's or a static file's: those keep their own 404 answers."""

    regex = r"(?!api/|static/|docs|redoc|openapi\.json|healthz|readyz).*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("page", PagePath())


def not_found(request: Request, path: str) -> Response:
    """Any other address: the 404 page in the user's language."""
    return error_page(request, 404)


PAGE_PATHS: Final = re.compile(PagePath.regex)


def control_character_page(request: Request, field: str) -> Response | None:
    """The 422 page for a form or address whose ``field`` holds a character that cannot be stored
    (``api.control_chars``), in the user's language; None for the paths that are not pages (the API,
    static files, the API docs), which answer problem+json."""
    if PAGE_PATHS.fullmatch(request.url.path[1:]) is None:
        return None
    return error_page(
        request,
        422,
        N_(
            "The field “%(field)s” contains a control character that cannot be saved. Go back, remove it"
            " and try again."
        ),
        field=field,
    )


def install(app: FastAPI) -> None:
    """Serve the pages and their static files from ``app``."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    pages = (
        auth,
        coordinator,
        needs,
        proposing,
        caseworker,
        path,
        services,
        employer,
        events,
        placements,
        indicators,
        admin,
        person_data,
        exports,
        account,
        inbox,
        carving,
    )
    for module in pages:
        app.include_router(module.router)
    app.include_router(router)
    app.add_api_route("/{path:page}", not_found, methods=["GET"], include_in_schema=False)

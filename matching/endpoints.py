"""HTTP edge of matching: rankings both ways and free-text search."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from accounts.models import MATCHERS, Principal
from api.deps import CurrentPrincipal, DbConn, in_one_thread_hop, require
from api.http import plain_json, rendered_reply
from api.problems import problem_responses
from carving import service as carving
from carving.schemas import TaskExplanation
from core import i18n
from core.db import Conn
from core.municipalities import canonical_municipality
from core.text import non_blank
from employers.schemas import PlacementForm
from matching import service
from matching.filters import Filters
from matching.schemas import JobseekerMatches, Match, RankedNeed, SearchResults
from matching.service import engine_of

router = APIRouter(tags=["matching"])

Limit = Annotated[int, Query(ge=1, le=100, description="Results to return")]
Reason = Annotated[str, Query(min_length=1, max_length=200, description="Why the data is read (audited)")]


def _filters(
    municipality: str | None, placement_form: PlacementForm | None, include_assistive: bool, hidden_only: bool
) -> Filters:
    return Filters(
        municipality=canonical_municipality(municipality) if municipality else None,
        placement_form=placement_form.value if placement_form else None,
        include_assistive=include_assistive,
        hidden_only=hidden_only,
    )


class CandidateMatch(Match):
    """One ranked jobseeker (by pseudonym) for a need, explained; a carved job's also task by task."""

    tasks: list[TaskExplanation] | None = Field(
        default=None,
        description="Carved jobs only (absent for any other need): the fit of each task, its skills"
        " had and lacking, and its distance from the jobseeker's home",
    )


class NeedMatches(BaseModel):
    """Available jobseekers (pseudonymous) ranked for a need."""

    need: RankedNeed
    items: list[CandidateMatch]
    near_equal_margin: int = Field(
        description="Fit points (on the 0-100 scale shown) within which candidates of the same band count as"
        " near-equal: among them, those shown least recently come first"
    )


Authorization = Annotated[str | None, Header(description="Bearer token")]
AcceptLanguage = Annotated[
    str | None,
    Header(
        max_length=500,
        description="The language of the explanation, constraint reasons and skill names: fi, sv, en",
    ),
]


@router.get(
    "/jobseekers/{jobseeker_id}/matches",
    responses=rendered_reply(JobseekerMatches) | problem_responses(401, 403, 404, 409, 422, 503),
)
async def jobseeker_matches(
    jobseeker_id: int,
    request: Request,
    authorization: Authorization = None,
    accept_language: AcceptLanguage = None,
    limit: Limit = 10,
    municipality: Annotated[str | None, Query(max_length=100)] = None,
    placement_form: PlacementForm | None = None,
    include_assistive: bool = True,
    hidden_only: bool = False,
    reason: Reason = "matching",
) -> Response:
    """Open needs ranked for a jobseeker, with the score of each component and an explanation."""

    def rank(conn: Conn, principal: Principal) -> dict[str, Any]:
        filters = _filters(municipality, placement_form, include_assistive, hidden_only)
        engine = engine_of(request.app.state)
        return service.jobseeker_matches(
            conn,
            engine,
            principal,
            jobseeker_id,
            filters,
            limit,
            reason,
            i18n.accept_language(accept_language),
        )

    return plain_json(await in_one_thread_hop(request, authorization, MATCHERS, rank))


@router.get(
    "/needs/{need_id}/matches",
    responses=rendered_reply(NeedMatches) | problem_responses(401, 403, 404, 409, 422, 503),
)
async def need_matches(
    need_id: int,
    request: Request,
    authorization: Authorization = None,
    accept_language: AcceptLanguage = None,
    limit: Limit = 10,
    municipality: Annotated[str | None, Query(max_length=100)] = None,
    target_group_id: Annotated[int | None, Query(description="Only members of this target group")] = None,
    reason: Reason = "matching",
) -> Response:
    """Available jobseekers (pseudonymous) ranked for a need; employers never list jobseekers.

    Near-equal candidates (fits within 2 points, same band) come least recently shown first. A carved
    job's candidates are also explained task by task (``tasks``)."""

    def rank(conn: Conn, principal: Principal) -> dict[str, Any]:
        filters = _filters(municipality, None, True, False)
        lang = i18n.accept_language(accept_language)
        engine = engine_of(request.app.state)
        result = service.need_matches(
            conn, engine, principal, need_id, filters, limit, reason, lang, target_group_id
        )
        carving.explain_ranking(conn, engine, need_id, result["items"])
        return result

    return plain_json(await in_one_thread_hop(request, authorization, MATCHERS, rank))


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=2000, pattern=non_blank())
    target: Literal["needs", "jobseekers"] = "needs"
    limit: int = Field(10, ge=1, le=100)
    lang: Literal["fi", "sv", "en"] = "fi"
    municipality: str | None = Field(None, max_length=100)
    placement_form: PlacementForm | None = None
    # JSON booleans only: 0 or "no" is not a boolean (the query parameters of the rankings are text).
    include_assistive: StrictBool = True
    hidden_only: StrictBool = False
    reason: str = Field("search", min_length=1, max_length=200, pattern=non_blank())
    target_group_id: int | None = Field(None, description="Jobseekers of this target group only")


@router.post(
    "/matches/search",
    responses=rendered_reply(SearchResults) | problem_responses(401, 403, 413, 422, 503),
)
def search(body: SearchRequest, request: Request, principal: CurrentPrincipal, conn: DbConn) -> Response:
    """Free text ("trukkikortti, aamuvuoro, Lieto") against needs or jobseekers of the area."""
    require(principal, *MATCHERS)
    filters = _filters(body.municipality, body.placement_form, body.include_assistive, body.hidden_only)
    result = service.search(
        conn,
        engine_of(request.app.state),
        principal,
        body.text,
        body.target,
        filters,
        body.limit,
        body.lang,
        body.reason,
        body.target_group_id,
    )
    return plain_json(result)

"""Every day a request body takes is a day written as one: ``2026-03-01``, never a bare number, which
pydantic would otherwise read as a count of seconds since 1970 (``0`` became 1.1.1970 and passed the
lower bounds). Walks every body model of the API, so a field added later is held to it too."""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from typing import Any

import pydantic
import pytest
from fastapi.routing import APIRoute

from server.app import create_app


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """The API's routes, also those of included routers (FastAPI keeps those behind a wrapper)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (included := getattr(route, "original_router", None)) is not None:
            found.extend(_api_routes(list(included.routes)))
    return found


def _body_models() -> dict[str, type[pydantic.BaseModel]]:
    models: dict[str, type[pydantic.BaseModel]] = {}
    for route in _api_routes(list(create_app().routes)):
        if route.body_field is not None:
            annotation = route.body_field.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
                models[annotation.__qualname__] = annotation
    return models


def _is_day(annotation: Any) -> bool:
    if annotation is date:
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_day(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_day(a) for a in typing.get_args(annotation))
    return False


def _day_fields() -> list[tuple[type[pydantic.BaseModel], str]]:
    found = []
    for model in _body_models().values():
        for name, info in model.model_fields.items():
            if info.annotation is not datetime and _is_day(info.annotation):
                found.append((model, name))
    return found


DAY_FIELDS = _day_fields()


def test_the_api_takes_days_in_request_bodies() -> None:
    assert len(DAY_FIELDS) >= 10, DAY_FIELDS


@pytest.mark.parametrize(("model", "name"), DAY_FIELDS, ids=[f"{m.__qualname__}.{n}" for m, n in DAY_FIELDS])
@pytest.mark.parametrize("value", [0, 20260301, "0", "1700000000"])
def test_a_bare_number_is_not_a_day(model: type[pydantic.BaseModel], name: str, value: object) -> None:
    with pytest.raises(pydantic.ValidationError) as refused:
        model.model_validate({name: value})
    assert any(error["loc"][:1] == (name,) for error in refused.value.errors()), refused.value.errors()

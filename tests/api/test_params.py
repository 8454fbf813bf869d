"""Parameters read in the route body answer and document like parameters declared one by one."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from api.params import documented, query_parameters, read_query
from api.schemas import AccountListQuery


class Filters(BaseModel):
    offset: int = Field(0, ge=0)
    limit: int = Field(50, ge=1, le=500)
    quadrant: str | None = None
    selected: bool | None = None
    needed: str


def _apps() -> tuple[FastAPI, FastAPI]:
    """Return the same route written both ways: one model, and one parameter at a time."""
    by_model = FastAPI()

    @by_model.get("/items/{item_ref}", openapi_extra=documented(path=("item_ref",),
                                                                query=Filters))
    async def items(request: Request) -> dict[str, Any]:
        return {**read_query(request, Filters).model_dump(),
                "item_ref": request.path_params["item_ref"]}

    one_by_one = FastAPI()

    @one_by_one.get("/items/{item_ref}")
    async def items_declared(
        item_ref: str,
        needed: str,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        quadrant: str | None = None,
        selected: bool | None = None,
    ) -> dict[str, Any]:
        return {"offset": offset, "limit": limit, "quadrant": quadrant,
                "selected": selected, "needed": needed, "item_ref": item_ref}

    return by_model, one_by_one


def _ask_both(query: str) -> tuple[Any, Any]:
    """Send one query to both apps; return (read by the model, declared one by one)."""
    by_model, one_by_one = _apps()
    path = f"/items/r%201?{query}"
    return TestClient(by_model).get(path), TestClient(one_by_one).get(path)


def _parameters(app: FastAPI) -> dict[str, Any]:
    operation = app.openapi()["paths"]["/items/{item_ref}"]["get"]
    return {p["name"]: p for p in operation["parameters"]}


def test_the_schema_documents_each_field_as_fastapi_would() -> None:
    by_model, one_by_one = _apps()
    assert _parameters(by_model) == _parameters(one_by_one)
    assert next(iter(_parameters(by_model))) == "item_ref"  # path parameters first


@pytest.mark.parametrize("query", [
    "needed=x",
    "needed=x&offset=3&limit=7&quadrant=grow&selected=true",
    "needed=x&selected=0&unknown=ignored",
    "needed=&limit=500",
])
def test_valid_queries_read_the_same(query: str) -> None:
    got, expected = _ask_both(query)
    assert got.status_code == expected.status_code == 200
    assert got.json() == expected.json()


@pytest.mark.parametrize("query", [
    "offset=1",  # the required field is missing
    "needed=x&offset=-1",
    "needed=x&limit=0",
    "needed=x&limit=501",
    "needed=x&limit=many",
    "needed=x&selected=perhaps",
])
def test_invalid_queries_answer_fastapis_422_with_the_same_locations(query: str) -> None:
    got, expected = _ask_both(query)
    assert got.status_code == expected.status_code == 422
    assert ([(e["loc"], e["type"]) for e in got.json()["detail"]]
            == [(e["loc"], e["type"]) for e in expected.json()["detail"]])


def test_a_model_that_refers_to_other_schemas_is_refused() -> None:
    class Nested(BaseModel):
        inner: Filters | None = None

    with pytest.raises(TypeError, match="plain types"):
        query_parameters(Nested)


def test_the_account_list_query_has_the_documented_defaults() -> None:
    assert AccountListQuery() == AccountListQuery(offset=0, limit=50)
    names = [p["name"] for p in query_parameters(AccountListQuery)]
    assert names == ["offset", "limit", "quadrant", "tier", "selected"]


def _request(query: bytes) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "headers": [],
                    "query_string": query})


def test_a_frozen_model_is_read_once_per_raw_query() -> None:
    first = read_query(_request(b"limit=7&tier=gold"), AccountListQuery)
    assert (first.limit, first.tier) == (7, "gold")
    assert read_query(_request(b"limit=7&tier=gold"), AccountListQuery) is first
    assert read_query(_request(b"tier=gold&limit=7"), AccountListQuery) == first
    assert read_query(_request(b"limit=8&tier=gold"), AccountListQuery).limit == 8
    for _ in range(2):  # an invalid query is refused every time, never remembered
        with pytest.raises(RequestValidationError):
            read_query(_request(b"limit=0"), AccountListQuery)
    # A model that is not frozen could be changed by a caller: it is read every time.
    filters = read_query(_request(b"needed=x"), Filters)
    assert read_query(_request(b"needed=x"), Filters) is not filters

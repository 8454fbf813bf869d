"""Request parameters read in the route body, for the routes on a hot path.

FastAPI extracts and validates each declared parameter on its own, and in 0.165 that
costs about 18 µs a query parameter and 23 µs a path parameter per request (it
re-inspects each field's annotation every time; fastapi/fastapi#13824); a dependency
costs about 27 µs more. The account list with five filters paid more for reading its
request than for its answer. On those few routes:

- :func:`read_query` reads the whole query string with one pydantic model;
- a path parameter is read from ``request.path_params`` (a string, as routed);
- :func:`documented` writes the parameters into the OpenAPI schema exactly as FastAPI
  would have for declared ones, so clients, the schema-driven tests and the
  repeated-parameter check see no difference (``tests/api/test_params.py``).

Invalid query values answer FastAPI's own 422 (``RequestValidationError``, which
FastAPI's handler turns into its usual body). Every other route declares its
parameters the usual way.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


# Valid queries already read, by model and raw query string (clients repeat theirs).
_READ: dict[tuple[type[BaseModel], bytes], BaseModel] = {}
_READ_MAX = 1024


def read_query(request: Request, model: type[M]) -> M:
    """Validate the request's query string as ``model``.

    Unknown parameters are ignored, as FastAPI does; a repeated single-valued one never
    gets here (the security middleware refuses it with a 422). For a frozen model the
    result is remembered by raw query string, so a repeated query is not validated
    again (the same bytes validate the same way); invalid ones are never remembered.

    Raises:
        RequestValidationError: a value is missing or invalid (FastAPI answers 422).
    """
    raw: bytes = request.scope.get("query_string", b"")
    known = _READ.get((model, raw))
    if known is not None:
        return known  # type: ignore[return-value]
    try:
        query = model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        errors = [{**error, "loc": ("query", *error["loc"])}
                  for error in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None
    if model.model_config.get("frozen"):
        if len(_READ) >= _READ_MAX:
            _READ.clear()
        _READ[(model, raw)] = query
    return query


def documented(*, path: tuple[str, ...] = (),
               query: type[BaseModel] | None = None) -> dict[str, Any]:
    """Return the ``openapi_extra`` that documents parameters a route reads itself.

    ``path`` names string path parameters; ``query`` is the model given to
    :func:`read_query`. The entries are those FastAPI writes for parameters declared
    one by one, path parameters first.
    """
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "string", "title": name.replace("_", " ").title()}}
                  for name in path]
    if query is not None:
        parameters += query_parameters(query)
    return {"parameters": parameters}


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """Return the OpenAPI entries of ``model``'s fields as query parameters.

    They are those FastAPI writes for parameters declared one by one (an optional
    field has no ``default: null``).

    Raises:
        TypeError: the model refers to other schemas (keep query models flat).
    """
    schema = model.model_json_schema()
    if "$defs" in schema:
        raise TypeError(f"{model.__name__}: a query model must use plain types only")
    required = set(schema.get("required", ()))
    parameters = []
    for name, declared in schema["properties"].items():
        field_schema = dict(declared)
        if "default" in field_schema and field_schema["default"] is None:
            del field_schema["default"]
        parameter: dict[str, Any] = {"name": name, "in": "query",
                                     "required": name in required, "schema": field_schema}
        if "description" in field_schema:
            parameter["description"] = field_schema["description"]
        parameters.append(parameter)
    return parameters

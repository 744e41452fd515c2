"""The Idempotency-Key header on a view: claim the key, replay a first answer, release."""
from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Response, request

from customers.auth import current_caller
from customers.bodies import read_body
from customers.responses import respond
from customers.idempotency import HEADER, Answer, claim, fingerprint, parse_key, release


def idempotent(view: Any) -> Any:
    """Honour Idempotency-Key on a POST view (inside `requires`). The view gets the `claim`
    (None without a key), says how its result becomes the answer (`claim.answering`) and
    hands it to the write service, which stores that answer in the write's own transaction."""
    @wraps(view)
    def honoured(*args: Any, **kwargs: Any) -> Any:
        key = parse_key(request.headers.get(HEADER))
        if key is None:
            return view(*args, claim=None, **kwargs)
        request_print = fingerprint(request.method, request.full_path,
                                    request.content_type or "", read_body())
        held = claim(current_caller().id, key, request_print)
        if isinstance(held, Answer):
            return replay(held)
        try:
            return view(*args, claim=held, **kwargs)
        finally:
            release(held)  # nothing was written (an error, a dry run): the key is free again
    return honoured


def replay(answer: Answer) -> Response:
    """The first answer again, in the format this request negotiates."""
    headers = {**answer.headers, "Idempotent-Replayed": "true"}
    return respond(answer.payload, answer.status, headers,
                   content_location=answer.headers.get("Content-Location"))

"""The application factory."""
from __future__ import annotations

from inspect import iscoroutinefunction
from typing import Any, Callable, Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from customers import register_blueprint, register_cli, register_error_handlers
from customers.config import configure
from customers.extensions import register_extensions
from customers.request_id import register as register_request_id


class CustomersApp(Flask):
    """Flask, asking once per function whether it is a coroutine function. Flask asks on
    every call of every hook and view, ten times a request, and inspect's answer walks the
    function's wrappers each time (the override point is documented on ensure_sync)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per app, so it goes with the app; bounded, as a closure made per request is new
        # each time.
        self._is_coroutine: dict[Callable[..., Any], bool] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            is_coroutine = self._is_coroutine[func]
        except KeyError:
            if len(self._is_coroutine) >= 1024:
                self._is_coroutine.clear()
            is_coroutine = self._is_coroutine[func] = iscoroutinefunction(func)
        except TypeError:  # an unhashable callable: ask inspect every time
            is_coroutine = iscoroutinefunction(func)
        return self.async_to_sync(func) if is_coroutine else func


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprint, errors, commands."""
    app = CustomersApp(__name__, instance_relative_config=True)
    configure(app, test_config)
    register_extensions(app)
    register_blueprint(app)
    register_error_handlers(app)
    register_request_id(app)
    register_cli(app)
    register_proxy_fix(app)
    return app


def register_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* only from as many proxies as PROXY_HOPS says."""
    hops = app.config["PROXY_HOPS"]
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )

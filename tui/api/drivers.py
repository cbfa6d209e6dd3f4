"""The two drivers: they send what a plan yields, and nothing else.

`ScnetClient` (asyncio, for the browser) and `ScnetSyncClient` (no asyncio, for the
shell commands' start-up time) run any plan of any call family the same way:
requests are streamed under the body cap, pauses are slept, `Parallel` plans run a
bounded number at a time; what httpx raises becomes the errors people read
(`failure_for`). A new call never changes this file: it is a plan in its family
module, run with `client.run(plan)` (or `await client.run(plan)`).
"""

from __future__ import annotations

import threading
import time
from typing import Any, Awaitable, Callable

import httpx

from ..i18n import _
from .errors import ConfigError, NetworkError, ScnetError
from .network_errors import deadline_error, failure_for, sent_but_unanswered
from .images import Progress, list_images
from .models import ImageList
from .addresses import host_of
from .options import Account, ClientOptions
from .plans import Pause, Parallel, Plan, Reply, Retry, resume
from .replies import Body, reply_of
from .transport import Session


# How often a call that may be abandoned looks whether it is (the browser quitting).
ABANDON_POLL_SECONDS = 0.05


class ScnetClient(Session):
    """The async client (the browser). Use as `async with ScnetClient(...) as client:`."""

    def __init__(
        self,
        base_url: str,
        token: str,
        options: ClientOptions | None = None,
        account: Account | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(base_url, token, options, account)
        if sleep is None:
            import asyncio  # here, not at the top: the shell commands never need it

            sleep = asyncio.sleep
        self._sleep = sleep
        self._transport = transport
        self._http = _made(lambda: httpx.AsyncClient(transport=transport, **self.http_options()))
        self._platform_http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> "ScnetClient":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
        if self._platform_http is not None:
            await self._platform_http.aclose()

    async def list_images(
        self, accelerator_type: str | None = None, image_type: str | None = None, *, progress: Progress | None = None
    ) -> ImageList:
        """Fetch the image list, filtered by the server. Raises ScnetError subclasses."""
        return await list_images(self, accelerator_type, image_type, progress=progress)

    async def run(self, plan: Plan) -> Any:
        """Send what `plan` yields until it returns; its result, or the error it raises.
        The whole call fails once it has taken longer than the `deadline` option."""
        import asyncio

        flight = Flight()
        try:
            async with asyncio.timeout(self.options.deadline):
                return await self._run(plan, flight)
        except TimeoutError:
            raise flight.deadline(host_of(self.base_url), self.options.deadline) from None

    async def _run(self, plan: Plan, flight: "Flight") -> Any:
        try:
            step = next(plan)
            while True:
                outcome: Any = None
                try:
                    if isinstance(step, Pause):
                        await self._sleep(step.seconds)
                    elif isinstance(step, Parallel):
                        outcome = await self._parallel(step, flight)
                    else:
                        outcome = await self._send(step, flight)
                except (Retry, ScnetError) as failure:
                    outcome = failure
                step = resume(plan, outcome)
        except StopIteration as done:
            return done.value

    async def _parallel(self, step: Parallel, flight: "Flight") -> list[Any]:
        import asyncio

        gate = asyncio.Semaphore(max(1, self.options.pages_in_flight))

        async def run(plan: Plan) -> Any:
            async with gate:
                result = await self._run(plan, flight)
            step.report(result)
            return result

        tasks = [asyncio.ensure_future(run(plan)) for plan in step.plans]
        try:
            return list(await asyncio.gather(*tasks))
        finally:
            for task in tasks:  # one page failed: the others are not wanted any more
                task.cancel()

    def _client_for(self, request: httpx.Request) -> httpx.AsyncClient:
        if self.is_home(str(request.url)):
            return self._http
        if self._platform_http is None:
            self._platform_http = _made(
                lambda: httpx.AsyncClient(transport=self._transport, **self.http_options(platform=True))
            )
        return self._platform_http

    async def _send(self, request: httpx.Request, flight: "Flight") -> Reply:
        host = host_of(str(request.url))
        once = flight.sending(request)
        try:
            response = await self._client_for(request).send(request, stream=True)
            try:
                body = Body(response, request.extensions.get("max_bytes", self.options.max_body_bytes), host)
                async for chunk in response.aiter_bytes():
                    body.add(chunk)
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            raise failure_for(exc, host, self.options, once=once) from None
        flight.answered()
        return reply_of(response, body.finish())


class ScnetSyncClient(Session):
    """The same client without asyncio, for the shell commands' start-up time. Use as `with`.

    Pages of the paginated call are fetched on a few threads (httpx.Client is thread-safe).
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        options: ClientOptions | None = None,
        account: Account | None = None,
        *,
        hidden: tuple[str, ...] = (),
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        abandon: threading.Event | None = None,
    ) -> None:
        super().__init__(base_url, token, options, account, hidden=hidden)
        self._sleep = sleep
        # Set by whoever no longer wants the answer (the browser, quitting): a call in flight is
        # given up at once (its thread ends with the process), not waited out.
        self._abandon = abandon
        self._transport = transport
        self._http = _made(lambda: httpx.Client(transport=transport, **self.http_options()))
        self._platform_http: httpx.Client | None = None
        self._ends_at = 0.0  # when the call being run must have finished (time.monotonic)

    def __enter__(self) -> "ScnetSyncClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()
        if self._platform_http is not None:
            self._platform_http.close()

    def list_images(
        self, accelerator_type: str | None = None, image_type: str | None = None, *, progress: Progress | None = None
    ) -> ImageList:
        """Fetch the image list, filtered by the server. Raises ScnetError subclasses."""
        return list_images(self, accelerator_type, image_type, progress=progress)

    def run(self, plan: Plan) -> Any:
        """Send what `plan` yields until it returns; its result, or the error it raises.

        The whole call fails once it has taken longer than the `deadline` option, whatever
        the server does: it runs on a thread this one waits for no longer than that (a server
        that trickles its headers, or holds a TLS handshake, defeats every per-read timeout)."""
        self._ends_at = time.monotonic() + self.options.deadline
        outcome: list[Any] = []
        flight = Flight()
        done = threading.Event()

        def call() -> None:
            try:
                outcome.append((True, self._run(plan, flight)))
            except BaseException as error:  # handed to the caller's thread below
                outcome.append((False, error))
            finally:
                done.set()

        worker = threading.Thread(target=call, name="scnet-call", daemon=True)
        worker.start()
        self._wait(done, self.options.deadline + 0.25)
        if not outcome:  # still waiting on the server: given up (the thread ends with the process)
            if self._abandon is not None and self._abandon.is_set():
                raise flight.abandoned(host_of(self.base_url))
            raise flight.deadline(host_of(self.base_url), self.options.deadline)
        done, value = outcome[0]
        if done:
            return value
        raise value

    def _wait(self, done: threading.Event, seconds: float) -> None:
        """Wait for `done` at most `seconds`, and no longer once the call is abandoned."""
        if self._abandon is None:
            done.wait(seconds)
            return
        ends = time.monotonic() + seconds
        while not done.wait(min(ABANDON_POLL_SECONDS, max(0.0, ends - time.monotonic()))):
            if self._abandon.is_set() or time.monotonic() >= ends:
                return

    def _left(self, host: str) -> float:
        """Seconds left before the deadline; past it, the deadline error."""
        left = self._ends_at - time.monotonic()
        if left <= 0:
            raise deadline_error(host, self.options.deadline)
        return left

    def _run(self, plan: Plan, flight: "Flight") -> Any:
        try:
            step = next(plan)
            while True:
                outcome: Any = None
                try:
                    if isinstance(step, Pause):
                        self._sleep(min(step.seconds, self._left(host_of(self.base_url))))
                    elif isinstance(step, Parallel):
                        outcome = self._parallel(step, flight)
                    else:
                        outcome = self._send(step, flight)
                except (Retry, ScnetError) as failure:
                    outcome = failure
                step = resume(plan, outcome)
        except StopIteration as done:
            return done.value

    def _parallel(self, step: Parallel, flight: "Flight") -> list[Any]:
        from concurrent.futures import ThreadPoolExecutor, as_completed

        results: list[Any] = [None] * len(step.plans)
        pool = ThreadPoolExecutor(max(1, self.options.pages_in_flight), thread_name_prefix="scnet-page")
        futures = {pool.submit(self._run, plan, flight): index for index, plan in enumerate(step.plans)}
        try:
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                step.report(results[futures[future]])
        except BaseException:
            # A page failed, or Ctrl-C: drop the pages not started, and do not wait for the
            # ones in flight (the shell command exits at once; they finish on their own).
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
        return results

    def _client_for(self, request: httpx.Request) -> httpx.Client:
        if self.is_home(str(request.url)):
            return self._http
        if self._platform_http is None:
            self._platform_http = _made(
                lambda: httpx.Client(transport=self._transport, **self.http_options(platform=True))
            )
        return self._platform_http

    def _send(self, request: httpx.Request, flight: "Flight") -> Reply:
        host = host_of(str(request.url))
        # No single wait may outlast the call's deadline (a server can trickle a byte at a time).
        left = self._left(host)
        timeout = httpx.Timeout(min(self.options.read_timeout, left), connect=min(self.options.connect_timeout, left))
        request.extensions["timeout"] = timeout.as_dict()
        once = flight.sending(request)
        try:
            response = self._client_for(request).send(request, stream=True)
            try:
                body = Body(response, request.extensions.get("max_bytes", self.options.max_body_bytes), host)
                for chunk in response.iter_bytes():
                    body.add(chunk)
                    self._left(host)
            finally:
                response.close()
        except httpx.HTTPError as exc:
            if not once:
                self._left(host)  # a wait cut short by the deadline is the deadline's failure
            # The waits as they were (the deadline may have shortened them), for the message.
            waited = self.options._replace(read_timeout=timeout.read or 0.0, connect_timeout=timeout.connect or 0.0)
            raise failure_for(exc, host, waited, once=once) from None
        except NetworkError as error:  # the deadline, while the answer trickled in
            if once:
                raise sent_but_unanswered(host, error) from None
            raise
        flight.answered()
        return reply_of(response, body.finish())


class Flight:
    """One `run` of a plan: whether a request made `once` has left and not been answered
    yet, so that a deadline that cuts it short is worded as what it is (OutcomeUnknown)."""

    def __init__(self) -> None:
        self.once_unanswered = False

    def sending(self, request: httpx.Request) -> bool:
        """Note that `request` is about to leave; whether it is one made `once`."""
        once = bool(request.extensions.get("once"))
        self.once_unanswered = self.once_unanswered or once
        return once

    def answered(self) -> None:
        self.once_unanswered = False

    def deadline(self, host: str, deadline: float) -> ScnetError:
        """The failure of a run that passed its deadline."""
        error = deadline_error(host, deadline)
        return sent_but_unanswered(host, error) if self.once_unanswered else error

    def abandoned(self, host: str) -> ScnetError:
        """The failure of a run whose caller stopped waiting for it."""
        error = NetworkError(_("The call to {host} was given up: the app is closing").format(host=host))
        return sent_but_unanswered(host, error) if self.once_unanswered else error


def _made(make: Callable[[], Any]) -> Any:
    """An httpx client, or the configuration error that stops it being made."""
    try:
        return make()
    except ImportError:
        raise ConfigError(
            _("A SOCKS proxy is set (ALL_PROXY, HTTPS_PROXY or HTTP_PROXY), and httpx's SOCKS support is not installed"),
            _("pip install 'httpx[socks]', or unset the variable"),
        ) from None
    except (ValueError, httpx.InvalidURL):
        raise ConfigError(
            _("A proxy variable (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY) holds an address httpx cannot use"),
            _("fix or unset it; http://host:port is the usual form"),
        ) from None

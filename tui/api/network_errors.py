"""What httpx raises, turned into the errors people read: the cause in words and the next step.

A failure worth another try (a refused or broken connection) comes back wrapped in
`Retry`, which the session's rules retry; one that another try cannot mend (a
certificate, a host name that does not resolve) comes back as it is.
"""

from __future__ import annotations

import socket
import ssl

import httpx

from ..i18n import _
from .errors import MalformedResponse, NetworkError, OutcomeUnknown, ScnetError, TlsError
from .options import ClientOptions
from .plans import Retry


def sent_but_unanswered(host: str, cause: BaseException) -> OutcomeUnknown:
    """A request sent to `host` that `cause` left without an answer we can read."""
    said = cause.message if isinstance(cause, ScnetError) else type(cause).__name__
    return OutcomeUnknown(
        _("The request reached {host}, or may have, but no answer came back that says whether it was carried "
          "out: {cause}").format(host=host, cause=said),
        _("it may have happened: check before sending it again"),
        cause=said,
    )


def deadline_error(host: str, deadline: float) -> NetworkError:
    return NetworkError(
        _("{host} did not finish answering within {deadline:g}s (the call's deadline)").format(
            host=host, deadline=deadline),
        _("the server or the network is very slow; try again, or raise `deadline` (--deadline)"),
    )



# Failures that happen before a request leaves this machine: nothing reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError,
             httpx.UnsupportedProtocol, httpx.LocalProtocolError)


def failure_for(exc: httpx.HTTPError, host: str, options: ClientOptions, *, once: bool = False) -> Exception:
    """An httpx failure -> the error to raise (wrapped in Retry when worth another try).

    `once`: the request starts, stops or deletes something. A failure after it may have
    left (a read timeout, a connection broken mid-answer) is then OutcomeUnknown, never
    worth another try: the server may have carried it out."""
    if once and not isinstance(exc, _NOT_SENT):
        cause = failure_for(exc, host, options)
        return sent_but_unanswered(host, cause.error if isinstance(cause, Retry) else cause)
    if isinstance(exc, httpx.TimeoutException):
        return _timeout_error(exc, host, options)
    if isinstance(exc, httpx.ConnectError):
        error = _connect_error(exc, host)
        if isinstance(error, TlsError) or getattr(error, "unresolved", False):
            return error
        return Retry(error)
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return Retry(
            NetworkError(
                _("The connection to {host} broke before the answer was complete ({error})").format(
                    host=host, error=type(exc).__name__),
                _("try again (press r); a proxy or an unstable network may be in the way"),
            )
        )
    if isinstance(exc, httpx.ProxyError):
        return NetworkError(
            _("The proxy refused or failed the connection to {host}").format(host=host),
            _("check HTTPS_PROXY/HTTP_PROXY/NO_PROXY"),
        )
    if isinstance(exc, httpx.DecodingError):
        return MalformedResponse(
            _("The response from {host} could not be decompressed").format(host=host),
            _("a proxy may be altering the answer; try again"),
        )
    return NetworkError(
        _("The request to {host} failed ({error})").format(host=host, error=type(exc).__name__),
        _("check base_url and your network"),
    )


def _timeout_error(exc: httpx.TimeoutException, host: str, options: ClientOptions) -> ScnetError:
    if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
        return NetworkError(
            _("Could not connect to {host} within {seconds:g}s").format(host=host, seconds=options.connect_timeout),
            _("check your network or VPN and base_url; raise `timeout` if the link is slow"),
        )
    return NetworkError(
        _("{host} accepted the connection but did not answer within {seconds:g}s").format(
            host=host, seconds=options.read_timeout),
        _("the platform is slow; try again (press r) or raise `timeout`"),
    )


def _connect_error(exc: httpx.ConnectError, host: str) -> ScnetError:
    causes: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(causes) < 10:
        causes.append(current)
        current = current.__cause__ or current.__context__
    text = " ".join(str(cause) for cause in causes)
    if any(isinstance(c, ssl.SSLCertVerificationError) for c in causes) or "CERTIFICATE_VERIFY_FAILED" in text:
        return TlsError(
            _("The TLS certificate of {host} could not be verified").format(host=host),
            _("set ca_bundle to your organisation's CA file, or, if you trust this network, "
              "insecure = true in the profile (--insecure)"),
        )
    if any(isinstance(c, ssl.SSLError) for c in causes) or "SSL" in text:
        return TlsError(
            _("The TLS handshake with {host} failed").format(host=host),
            _("check that base_url uses the right scheme (http or https) and port"),
        )
    if any(isinstance(c, socket.gaierror) for c in causes) or "Name or service not known" in text:
        unresolved = NetworkError(
            _("Could not resolve the host name in {host}").format(host=host),
            _("check base_url for typos, and your DNS or VPN"),
        )
        unresolved.unresolved = True  # not worth another try (the message is in any language)
        return unresolved
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in text.lower():
        return NetworkError(
            _("{host} refused the connection").format(host=host),
            _("check the port in base_url, or whether the service is up"),
        )
    return NetworkError(_("Could not connect to {host}").format(host=host), _("check your network, VPN and base_url"))

"""The SCNet platform client. Imports nothing of the UI or the commands.

- `transport.py`: the rules every call follows (retries, redirects, body cap,
  decoding, error mapping), as sans-IO plans; `drivers.py`: the two clients that
  run them (async for the browser, sync for the shell); `addresses.py`: base URLs,
  hosts and tokens as they may be used and shown.
- one module per call family, each building its requests and reading its answers:
  `images.py` (+ `models.py`, the image model), `auth.py` (login, region lookup),
  `renewal.py` (the expired-token rule).
- `envelope.py`: the `{code, msg, data}` answer; `errors.py`: what can go wrong,
  for people; `token.py`: what a token's claims say.

Nothing is imported here, so `import tui.api.errors` costs no httpx.
"""

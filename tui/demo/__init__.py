"""The embedded SCNet-compatible API. Imports nothing of the UI, and nothing of the client:
it reads the contract on its own, so the two can disagree and the tests catch it.

- `server.py`: `DemoServer`, which puts the call families together and serves them;
- `plumbing.py`: HTTP, routing, body limits; `envelope.py`: answers in the platform's shape;
  `faults.py`: injected faults; `dialects.py`: the forms the live platform was seen to speak;
- one module per emulated call family: `images.py`, `accounts.py`, `containers.py`
  (with `container_checks.py`, what its calls accept, and `instances.py`, the instances'
  state machine on the server's clock);
- `catalog.py`: the realistic and the synthetic catalogs.
"""

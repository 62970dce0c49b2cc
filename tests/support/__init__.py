"""Helpers shared by the test modules, one module per area; nothing here is collected.

- ``client``: ``FastlyAsync`` clients of a FakeFastly on a FakeClock, and what the fake saw.
- ``fake_http``: plain HTTP to a FakeFastly, as any client sends it, and the shapes it answers.
- ``scripted``: a scripted loopback server (truncated bodies, hangs), to drive the middlewares.
- ``hostile``: a loopback server that answers whatever it is told (broken proxies, bombs).
- ``errors``: an exception as a reporter shows it (chain, frame locals, pickles); no secret in it.
- ``cli``: running the command in this process or through its entry point; an echoing server.
- ``inputs``: ids the SDK must refuse; response headers from keywords.
- ``waiting``: waiting on the loop for what another task makes true.

Test modules import from here and from the package, never from each other. The fixtures built
on these live in ``tests/conftest.py``.
"""

"""Harness for driving the official Fastly clients (the Fastly CLI, fastly-js) at the fake.

The clients come from the npm registry at test time and are cached outside the git tree
(:mod:`._npm`); the fake runs as the standalone ``python -m fastly_tokens.testing``
subprocess (:mod:`._fake`); the CLI's account endpoint and outbound proxy are a local stub
(:mod:`._stub`). What each client sends is written up in the notes on real clients.
"""

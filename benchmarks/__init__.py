"""Benchmarks of botpress_async: client cost, bulk ingestion, pagination memory, emulator speed.

Run them with ``make bench`` (or ``python -m benchmarks --help``). Every measurement runs in a child
process of its own (the stub server, the emulator and each client too), and every row of one report
comes from the same invocation, so the ratios against raw aiohttp are what to read on a noisy machine.
Results go to ``benchmarks/results/`` (``latest.md``, ``latest.json``, ``latest.png``).
"""

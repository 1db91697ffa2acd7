"""Fixtures for the contract tests: the official TypeScript client, installed once per session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# emulator_helpers.assert_conforms (tests/emulator) is the one response-conformance check: reuse it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "emulator"))

from contract_helpers import NodeUnavailable, official_client_path


@pytest.fixture(scope="session")
def official_client() -> Path:
    """``node_modules`` holding the pinned ``@botpress/client``; skips (or fails when
    ``BOTPRESS_CONTRACT_REQUIRE_NODE=1``) when node, npm or the npm registry is unavailable."""
    try:
        return official_client_path()
    except NodeUnavailable as exc:
        if os.environ.get("BOTPRESS_CONTRACT_REQUIRE_NODE") == "1":
            pytest.fail(str(exc))
        pytest.skip(str(exc))

"""Fixtures for the contract tests: the official TypeScript client, installed once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
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

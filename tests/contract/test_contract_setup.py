"""The contract suite's own plumbing: how the official client is found, installed or skipped."""

from __future__ import annotations

import json
from pathlib import Path

import contract_helpers
import pytest
from contract_helpers import PINNED_VERSION, NodeUnavailable, official_client_path


def test_missing_node_or_npm_makes_the_official_client_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contract_helpers.shutil, "which", lambda name: None if name == "node" else "/bin/npm")
    with pytest.raises(NodeUnavailable, match="node and npm"):
        official_client_path()


def test_a_cache_holding_the_pinned_version_is_used_without_running_npm(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    manifest = tmp_path / "node_modules" / "@botpress" / "client" / "package.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"name": "@botpress/client", "version": PINNED_VERSION}))
    monkeypatch.setenv("BOTPRESS_CONTRACT_NODE_CACHE", str(tmp_path))
    monkeypatch.setattr(contract_helpers.shutil, "which", lambda name: f"/usr/bin/{name}")

    def no_npm(*args: object, **kwargs: object) -> None:
        raise AssertionError("npm must not run when the cache holds the pinned version")

    monkeypatch.setattr(contract_helpers.subprocess, "run", no_npm)
    assert official_client_path() == tmp_path / "node_modules"


def test_a_failed_npm_install_makes_the_official_client_unavailable_with_npm_s_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BOTPRESS_CONTRACT_NODE_CACHE", str(tmp_path))
    monkeypatch.setattr(contract_helpers.shutil, "which", lambda name: f"/usr/bin/{name}")

    class Failed:
        returncode = 1
        stdout = ""
        stderr = "npm error code ENOTFOUND\nnpm error network request failed"

    monkeypatch.setattr(contract_helpers.subprocess, "run", lambda *a, **k: Failed())
    with pytest.raises(NodeUnavailable, match="ENOTFOUND"):
        official_client_path()


def test_the_pinned_version_is_an_exact_version() -> None:
    assert PINNED_VERSION.count(".") == 2
    assert all(part.isdigit() for part in PINNED_VERSION.split("."))

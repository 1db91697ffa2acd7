"""Copy the official 1.70.2 OpenAPI specs into botpress_async/spec/, facts only.

Names, types, limits, status codes and the error catalogue are kept; every prose
``description`` / ``summary`` / ``example`` string is removed, because the prose is not ours.

Usage: python scripts/strip_spec.py [REFERENCE_DIR]   (default: ../shared/reference)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

PROSE_KEYS = {"description", "summary", "example", "examples", "x-mintlify"}
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "botpress_async" / "spec"
FILES = {
    "botpress-runtime-api-1.70.2.openapi.json": "runtime.openapi.json",
    "botpress-tables-api-1.70.2.openapi.json": "tables.openapi.json",
    "botpress-files-api-1.70.2.openapi.json": "files.openapi.json",
    "botpress-runtime-api-1.70.2.metadata.json": "runtime.metadata.json",
    "botpress-tables-api-1.70.2.metadata.json": "tables.metadata.json",
}


def strip(node: Any, *, in_properties: bool = False) -> Any:
    """Drop prose keys recursively; keys under ``properties`` are field names, never prose."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if not in_properties and key in PROSE_KEYS and not isinstance(value, dict):
                continue
            out[key] = strip(value, in_properties=(key == "properties" and isinstance(value, dict)))
        return out
    if isinstance(node, list):
        return [strip(item) for item in node]
    return node


def strip_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    """Keep the error catalogue's status and type, and the sections' operation lists."""
    return {
        "errors": [{"status": e["status"], "type": e["type"]} for e in meta["errors"]],
        "sections": [
            {"name": s["name"], "operations": s.get("operations", []), "schema": s.get("schema")}
            for s in meta.get("sections", [])
        ],
    }


def main() -> None:
    ref = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "reference"
    OUT.mkdir(parents=True, exist_ok=True)
    for src, dst in FILES.items():
        data = json.loads((ref / src).read_text())
        data = strip_metadata(data) if src.endswith("metadata.json") else strip(data)
        (OUT / dst).write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")
        print(f"wrote {OUT / dst}")


if __name__ == "__main__":
    main()

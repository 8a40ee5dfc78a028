"""`estream marketplace search <query> [--category C] [--json]`."""

from __future__ import annotations

import argparse
import json
from typing import Dict, List, Optional, Sequence

from estream.cli.main import Command
from estream.cli.registry_options import add_registry_option, registry_from
from estream.core.registry.index import IndexEntry


def search_entries(
    all_entries: Dict[str, List[IndexEntry]], query: str, category: Optional[str]
) -> List[IndexEntry]:
    """The newest non-yanked version of every component matching all query words.

    A word matches the name, the description or a keyword (case-insensitive substring). Exact
    name matches come first, then name matches, then the rest, each alphabetically.
    """
    words = [w.lower() for w in query.split() if w]
    hits = []
    for name, entries in all_entries.items():
        live = [e for e in entries if not e.yanked]
        if not live:
            continue
        # One live entry (what `newest_live_entries` hands over) is the newest without parsing
        # its version: building 2,000 semver objects was ~10 % of a search (issue 18).
        newest = live[0] if len(live) == 1 else max(live, key=lambda e: e.semver)
        if category and newest.category != category:
            continue
        hay = [name.lower(), newest.description.lower(), *(k.lower() for k in newest.keywords)]
        if all(any(w in h for h in hay) for w in words):
            rank = 0 if query.strip().lower() == name else 1 if all(w in name for w in words) else 2
            hits.append((rank, name, newest))
    return [e for _, _, e in sorted(hits, key=lambda t: (t[0], t[1]))]


def render(results: Sequence[IndexEntry]) -> str:
    if not results:
        return "  No components found.\n"
    width = max(len(f"{e.name} v{e.version}") for e in results)
    lines = []
    for e in results:
        head = f"{e.name} v{e.version}".ljust(width)
        lines.append(f"  {head}  [{e.category}]  {e.description}")
        if e.keywords:
            lines.append(f"  {' ' * width}  keywords: {', '.join(e.keywords)}")
    return "\n".join(lines) + f"\n\n  {len(results)} component{'s' if len(results) != 1 else ''} found\n"


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="?", default="", help="words to find in names, descriptions and keywords")
    p.add_argument("--category", help="only this category (esf-schema, smart-circuit, ...)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--offline", action="store_true", help="search the last fetched copy of the index")
    add_registry_option(p)


def _run(args: argparse.Namespace) -> int:
    registry = registry_from(args)
    registry.sync(offline=args.offline)
    results = search_entries(
        {name: [e] for name, e in registry.newest_live_entries().items()}, args.query, args.category
    )
    if args.json:
        print(json.dumps([e.to_dict() for e in results], indent=2, sort_keys=True, ensure_ascii=False))
    else:
        print(render(results), end="")
    return 0


SEARCH = Command(
    "search", "search the registry (newest non-yanked version of each component)", _configure, _run
)
COMMANDS = [SEARCH]

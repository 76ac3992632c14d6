"""The `graphsvc` command line. Flags override GRAPHSVC_* environment variables."""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

from graphsvc import __version__
from graphsvc.config import Settings


def _store_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        help="the embedded store's directory, or 'memory' (env GRAPHSVC_STORE; default var/store)",
    )


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from graphsvc.api.app import create_app

    settings = Settings.from_env().with_overrides(
        store=args.store, host=args.host, port=args.port, query_timeout_s=args.query_timeout
    )
    app = create_app(settings)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=args.log_level)
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from graphsvc.bootstrap import load_project
    from graphsvc.store import connect_store

    settings = Settings.from_env().with_overrides(store=args.store)
    store = connect_store(settings)
    for graph, count in load_project(store).items():
        print(f"{count:>8} triples  {graph}")
    store.flush()
    print(f"{len(store):>8} quads in the store")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    import pyoxigraph as ox

    from graphsvc.sparql_guard import RefusedQuery, inspect_query
    from graphsvc.store import open_store

    text = sys.stdin.read() if args.query == "-" else args.query
    try:
        shape = inspect_query(text)
    except RefusedQuery as exc:
        print(f"graphsvc query: {exc}", file=sys.stderr)
        return 2
    store = open_store(Settings.from_env().with_overrides(store=args.store))
    try:
        result = store.query(text)
    except SyntaxError as exc:
        print(f"graphsvc query: {exc}", file=sys.stderr)
        return 2
    if shape.returns_graph:
        sys.stdout.write(ox.serialize(result, format=ox.RdfFormat.TURTLE).decode())
    else:
        fmt = ox.QueryResultsFormat.JSON if shape.form == "ASK" else ox.QueryResultsFormat.TSV
        sys.stdout.write(result.serialize(format=fmt).decode() + "\n")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    import json

    from graphsvc.results import render_table
    from graphsvc.stats import coverage_report
    from graphsvc.store import open_store

    report = coverage_report(open_store(Settings.from_env().with_overrides(store=args.store)))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    evidence = report["evidence"]
    print(f"{report['quads']} quads; {evidence['withEvidence']} of {evidence['statements']} statements "
          f"have evidence ({100 * float(evidence['share']):.1f}%)\n")
    print(render_table(report["classes"]) + "\n")
    print(render_table(report["sources"]))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from graphsvc.export import export_dataset
    from graphsvc.store import open_store

    store = open_store(Settings.from_env().with_overrides(store=args.store))
    if args.output in (None, "-"):
        export_dataset(store, sys.stdout.buffer, args.format)
    else:
        with open(args.output, "wb") as out:
            export_dataset(store, out, args.format)
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    from graphsvc.export import reset_store
    from graphsvc.store import connect_store

    if not args.yes:
        print("graphsvc reset: this removes everything the store holds; run again with --yes", file=sys.stderr)
        return 2
    store = connect_store(Settings.from_env().with_overrides(store=args.store))
    count = reset_store(store)
    print(f"removed {count} graphs; the store is empty (the next start loads data/ again)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="graphsvc",
        description="India Digital Diplomacy Knowledge Graph: serve, load and query the graph.",
    )
    parser.add_argument("--version", action="version", version=f"graphsvc {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the HTTP service (SPARQL endpoint, API, ontology docs)")
    serve.add_argument("--host", help="interface to listen on (env GRAPHSVC_HOST; default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (env GRAPHSVC_PORT; default 8000)")
    serve.add_argument("--query-timeout", type=float, help="seconds a query may run (env GRAPHSVC_QUERY_TIMEOUT)")
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    _store_flag(serve)
    serve.set_defaults(run=cmd_serve)

    load = commands.add_parser("load", help="(re)load the ontology and data/ into the store")
    _store_flag(load)
    load.set_defaults(run=cmd_load)

    query = commands.add_parser("query", help="run a read-only SPARQL query against the store")
    query.add_argument("query", help="the query text, or - to read it from standard input")
    _store_flag(query)
    query.set_defaults(run=cmd_query)
    export = commands.add_parser("export", help="dump everything in the store, named graphs included (TriG or N-Quads)")
    export.add_argument("--format", choices=["trig", "nquads"], default="trig", help="default trig")
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    _store_flag(export)
    export.set_defaults(run=cmd_export)

    reset = commands.add_parser("reset", help="empty the store (asks for --yes)")
    reset.add_argument("--yes", action="store_true", help="really remove everything")
    _store_flag(reset)
    reset.set_defaults(run=cmd_reset)

    stats = commands.add_parser("stats", help="coverage report: things per class and source, evidence share")
    stats.add_argument("--json", action="store_true", help="print the report as JSON")
    _store_flag(stats)
    stats.set_defaults(run=cmd_stats)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    return run(args)


if __name__ == "__main__":
    sys.exit(main())

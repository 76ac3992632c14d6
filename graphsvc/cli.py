"""The `graphsvc` command line. Flags override GRAPHSVC_* environment variables."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Callable, Sequence

from graphsvc import __version__
from graphsvc.config import Settings

if TYPE_CHECKING:
    from graphsvc.ingest import IngestPlan
    from graphsvc.store import GraphStore
    from graphsvc.upload import ParsedUpload


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


def _read_files(names: Sequence[str], max_bytes: int) -> list["ParsedUpload"]:
    from pathlib import Path

    from graphsvc.upload import format_for_file_name, parse_upload

    uploads = []
    for name in names:
        path = Path(name)
        uploads.append(parse_upload(path.read_bytes(), format_for_file_name(path.name), path.name, max_bytes))
    return uploads


def _print_report(ingest: "IngestPlan") -> None:
    from graphsvc.upload import line_of
    from graphsvc.validation.report import report_json

    first = ingest.uploads[0] if ingest.uploads else None
    report = report_json(ingest.results, (lambda node: line_of(first, node)) if first else None)
    for item in report["results"]:
        where = f" (line {item['line']})" if item.get("line") else ""
        path = f" {item['path']}" if item.get("path") else ""
        value = f" = {item['value']!r}" if "value" in item else ""
        print(f"{item['severity']}: {item['focusNode']}{path}{value}{where}\n  {item['message']}\n  [{item['shape']}, {item['constraint']}]")
    print(f"{report['violations']} violation(s), {report['warnings']} warning(s) in {ingest.triple_count} triples")


def _plan_files(args: argparse.Namespace) -> tuple["GraphStore", "IngestPlan"]:
    from pathlib import Path

    import pyoxigraph as ox

    from graphsvc import project
    from graphsvc.ingest import check, check_graph_name, plan
    from graphsvc.store import open_store

    settings = Settings.from_env().with_overrides(store=args.store)
    uploads = _read_files(args.files, settings.max_upload_bytes)
    graph = check_graph_name(args.graph) if getattr(args, "graph", None) else None
    default = graph or ox.NamedNode(project.GRAPH_NS + "ingest/" + Path(args.files[0]).stem)
    store = open_store(settings)
    return store, check(store, plan(uploads, graph, default, append=getattr(args, "append", False)))


def _planned(args: argparse.Namespace) -> tuple["GraphStore", "IngestPlan"] | None:
    """The checked plan for the files, or None after saying why they could not be read."""
    from graphsvc.upload import UploadError

    try:
        return _plan_files(args)
    except UploadError as exc:
        where = f" at line {exc.line}, column {exc.column}" if exc.line else ""
        print(f"graphsvc {args.command}: {exc}{where}", file=sys.stderr)
        return None


def cmd_validate(args: argparse.Namespace) -> int:
    planned = _planned(args)
    if planned is None:
        return 2
    _, ingest = planned
    _print_report(ingest)
    return 0 if ingest.conforms else 1


def cmd_ingest(args: argparse.Namespace) -> int:
    import getpass

    from graphsvc.ingest import commit

    planned = _planned(args)
    if planned is None:
        return 2
    store, ingest = planned
    if ingest.results:
        _print_report(ingest)
    if not ingest.conforms:
        print("nothing was written", file=sys.stderr)
        return 1
    graphs = ", ".join(g.value for g in ingest.targets)
    if args.dry_run:
        print(f"dry run: {ingest.triple_count} triples would go to {graphs}")
        return 0
    commit(store, ingest, args.agent or getpass.getuser())
    print(f"{ingest.triple_count} triples written to {graphs}")
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

    validate = commands.add_parser("validate", help="check RDF files against the shapes (exit 1 on violations)")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument("--graph", help="judge the files as the new content of this graph")
    _store_flag(validate)
    validate.set_defaults(run=cmd_validate)

    ingest = commands.add_parser("ingest", help="validate RDF files and write them into a named graph")
    ingest.add_argument("files", nargs="+", metavar="FILE")
    ingest.add_argument("--graph", help="the named graph to write (default: .../graph/ingest/<first file name>)")
    ingest.add_argument("--append", action="store_true", help="add to the graph instead of replacing it")
    ingest.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    ingest.add_argument("--agent", help="who is ingesting, for the provenance record (default: your user name)")
    _store_flag(ingest)
    ingest.set_defaults(run=cmd_ingest)

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

"""The `graphsvc` command line. Flags override GRAPHSVC_* environment variables.

Beside a running `graphsvc serve` (found through its runtime file, graphsvc.service_runtime), the
read commands and `ingest` go through the service over HTTP; `load` and `reset` refuse. Every
expected failure is one line on stderr and one of the exit codes below (README, Command line).
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
from typing import TYPE_CHECKING, Any, Callable, Sequence

from graphsvc import __version__
from graphsvc.config import EMBEDDED, Settings
from graphsvc.service_client import Reply, ServiceClient, ServiceFailed, ServiceUnavailable, merged_ntriples
from graphsvc.service_runtime import ServiceInfo, find_service

if TYPE_CHECKING:
    from graphsvc.guard import QueryShape
    from graphsvc.ingest import IngestPlan
    from graphsvc.service_runtime import Publication
    from graphsvc.store import GraphStore
    from graphsvc.upload import ParsedUpload

EXIT_OK = 0
EXIT_FINDINGS = 1  # validation found violations (validate, ingest: then nothing was written)
EXIT_USAGE = 2  # bad usage or input: flags, query, file, graph name
EXIT_BUSY = 3  # the store is held by the running service or another process, or the service does not answer
EXIT_SERVICE = 4  # the service could not answer (over a budget, busy, an internal error)
EXIT_PIPE = 141  # the reader of standard output went away (`| head`), as for tools SIGPIPE ends
EXIT_INTERRUPTED = 130
STARTUP_WAIT_S = 30.0  # how long to wait for a service that holds the store but does not answer yet

QUERY_FORMATS = ["text", "json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads"]


class CommandFailed(Exception):
    """An expected failure: `message` for stderr, `code` to exit with."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def _settings(args: argparse.Namespace, **overrides: object) -> Settings:
    return Settings.from_env().with_overrides(store=args.store, **overrides)


def _running_service(settings: Settings) -> ServiceInfo | None:
    """The service that holds the settings' on-disk embedded store, if one runs."""
    if settings.backend != EMBEDDED or settings.store_path is None:
        return None
    return find_service(settings.store_path)


def _open_failure(settings: Settings, exc: OSError, serving: bool = False) -> CommandFailed:
    """What to say when the engine could not open the store (`serving`: from `graphsvc serve`,
    which must not look for itself)."""
    if "lock" not in str(exc).lower():
        return CommandFailed(EXIT_BUSY, f"cannot open the store at {settings.store}: {exc}")
    service = None if serving else _running_service(settings)
    if service is not None:
        return CommandFailed(EXIT_BUSY, f"the service at {service.url} (pid {service.pid}) has just started on "
                                        f"the store at {settings.store}; run the command again")
    return CommandFailed(EXIT_BUSY, f"the store at {settings.store} is in use by another process that is not a "
                                    f"graphsvc service (another graphsvc command?); try again when it has finished")


def _open(settings: Settings, fill: bool = True) -> "GraphStore":
    """The store, filled from the project's files when they changed (`fill`), or as it is."""
    from graphsvc.bootstrap import open_store
    from graphsvc.store import connect_store

    try:
        return open_store(settings) if fill else connect_store(settings)
    except OSError as exc:
        raise _open_failure(settings, exc) from None


def _through_service(args: argparse.Namespace, settings: Settings, doing: str) -> ServiceClient | None:
    """A client of the running service that holds the store, after saying so; None without one."""
    service = _running_service(settings)
    if service is None:
        return None
    client = ServiceClient(service)
    print(f"graphsvc {args.command}: {doing} through the service at {client.url} (pid {service.pid})",
          file=sys.stderr)
    client.wait_until_answering(STARTUP_WAIT_S, lambda: print(
        f"graphsvc {args.command}: waiting for the service to start answering", file=sys.stderr))
    return client


def _refuse_beside_service(args: argparse.Namespace, settings: Settings, flags: str = "", hint: str = "") -> None:
    """For commands that need the store to themselves: stop (EXIT_BUSY) when the service holds it."""
    service = _running_service(settings)
    if service is not None:
        raise CommandFailed(EXIT_BUSY, f"the service at {service.url} (pid {service.pid}) holds the store at "
                                       f"{settings.store}; stop it first (Ctrl-C where it runs, or kill "
                                       f"{service.pid}), then run graphsvc {args.command}{flags} again{hint}")


def _store_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        help="the embedded store's directory, or 'memory' (env GRAPHSVC_STORE; default var/store)",
    )


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from graphsvc.api.app import create_app
    from graphsvc.http_limits import RequestLimits, limited_http_protocol

    settings = _settings(args, host=args.host, port=args.port, query_timeout_s=args.query_timeout)
    publication = _publish(settings)
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again with the handler found
    # before it started: this one, so that the runtime file is removed below instead of left behind.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        try:
            app = create_app(settings)
        except OSError as exc:
            raise _open_failure(settings, exc, serving=True) from None
        app.state.local_token = publication.token if publication else None  # graphsvc.api.graphs._agent
        limits = RequestLimits.from_settings(settings)  # URL and headers here; bodies in the app's middleware
        uvicorn.run(app, host=settings.host, port=settings.port, log_level=args.log_level,
                    http=limited_http_protocol(limits), h11_max_incomplete_event_size=limits.head_bytes,
                    access_log=False)  # graphsvc.request_log writes the access log, without secrets
    finally:
        if publication is not None:
            publication.release()
    return EXIT_OK


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _publish(settings: Settings) -> "Publication | None":
    """The runtime file for a service on the on-disk embedded store (None for others, or when the
    file cannot be written: the service then runs, unseen by the command line)."""
    from graphsvc.service_runtime import ServiceRunning, publish, runtime_path

    if settings.backend != EMBEDDED or settings.store_path is None:
        return None
    try:
        return publish(settings.store_path, settings.host, settings.port)
    except ServiceRunning as exc:
        raise CommandFailed(EXIT_BUSY, f"the store at {settings.store} is already served by the service at "
                                       f"{exc.info.url} (pid {exc.info.pid}); stop that one first, or serve "
                                       f"another store with --store") from None
    except OSError as exc:
        print(f"graphsvc serve: cannot write {runtime_path(settings.store_path)} ({exc.strerror}); the command "
              f"line will not find this service", file=sys.stderr)
        return None


def cmd_load(args: argparse.Namespace) -> int:
    from graphsvc.bootstrap import load_project

    settings = _settings(args)
    _refuse_beside_service(args, settings, hint="; or only restart the service: at start it reloads "
                                                "ontology/ and data/ when they changed")
    store = _open(settings, fill=False)
    for graph, count in load_project(store).items():
        print(f"{count:>8} triples  {graph}")
    store.flush()
    print(f"{len(store):>8} quads in the store")
    return 0


def _answer_type(name: str, shape: "QueryShape") -> str:
    """The media type to answer a query of `shape` in, for `--format name`. `text` is TSV for
    SELECT, Turtle for CONSTRUCT and DESCRIBE, and for ASK JSON (which the command prints as
    `true` or `false`)."""
    from graphsvc.sparql_formats import BOOLEAN_FORMATS, GRAPH_FORMATS, RESULT_FORMATS, media_type_for_name

    if name == "text":
        if shape.returns_graph:
            return "text/turtle"
        return "application/sparql-results+json" if shape.form == "ASK" else "text/tab-separated-values"
    offered = GRAPH_FORMATS if shape.returns_graph else BOOLEAN_FORMATS if shape.form == "ASK" else RESULT_FORMATS
    media_type = media_type_for_name(name, shape.returns_graph)
    if media_type not in offered:
        fitting = [n for n in QUERY_FORMATS if n == "text" or media_type_for_name(n, shape.returns_graph) in offered]
        raise CommandFailed(EXIT_USAGE, f"--format {name} does not fit {shape.form} queries; choose one of "
                                        f"{', '.join(fitting)}")
    return media_type


def _local_answer(settings: Settings, text: str, shape: "QueryShape", media_type: str) -> bytes:
    """The answer from the store itself (no time budget, no row limit)."""
    import pyoxigraph as ox

    from graphsvc.guard import explain_syntax_error
    from graphsvc.sparql_formats import GRAPH_FORMATS, RESULT_FORMATS
    from graphsvc.vocabulary import prefixes

    store = _open(settings)
    try:
        result: Any = store.query(text)
        if shape.returns_graph:
            return bytes(ox.serialize(result, format=GRAPH_FORMATS[media_type], prefixes=prefixes()))
        return bytes(result.serialize(format=RESULT_FORMATS[media_type]))
    except SyntaxError as exc:
        explained = explain_syntax_error(text, str(exc))
        where = f" at line {explained.line}, column {explained.column}" if explained.line else ""
        placed = explained.line is None or f"line {explained.line}" in explained.message
        raise CommandFailed(EXIT_USAGE, explained.message + ("" if placed else where)) from None


def _service_answer(client: ServiceClient, text: str, media_type: str) -> bytes:
    """The answer from the running service (under its time budget and row limit)."""
    reply = client.query(text, media_type)
    if reply.status != 200:
        raise CommandFailed(EXIT_USAGE if reply.status < 500 else EXIT_SERVICE, reply.error_message())
    if reply.headers.get("x-result-truncated") == "true":
        print("graphsvc query: the service cut the answer at its row limit (GRAPHSVC_RESULT_LIMIT)", file=sys.stderr)
    return reply.body


def cmd_query(args: argparse.Namespace) -> int:
    import json

    from graphsvc.guard import RefusedQuery, inspect_query

    text = sys.stdin.read() if args.query == "-" else args.query
    try:
        shape = inspect_query(text)
    except RefusedQuery as exc:
        raise CommandFailed(EXIT_USAGE, str(exc)) from None
    media_type = _answer_type(args.format, shape)
    settings = _settings(args)
    client = _through_service(args, settings, "reading")
    body = _service_answer(client, text, media_type) if client else _local_answer(settings, text, shape, media_type)
    if args.format == "text" and shape.form == "ASK":
        body = b"true\n" if json.loads(body)["boolean"] else b"false\n"
    sys.stdout.buffer.write(body if body.endswith(b"\n") else body + b"\n")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    import json

    from graphsvc.results import render_table
    from graphsvc.stats import coverage_report

    settings = _settings(args)
    client = _through_service(args, settings, "reading")
    report = client.stats() if client else coverage_report(_open(settings))
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
    from typing import BinaryIO

    import pyoxigraph as ox

    from graphsvc.export import FORMATS, export_dataset
    from graphsvc.vocabulary import prefixes

    settings = _settings(args)
    client = _through_service(args, settings, "reading")
    store = None if client else _open(settings)

    def write(out: BinaryIO) -> None:
        if client is None:
            export_dataset(store, out, args.format)  # type: ignore[arg-type]
            return
        extra = {"prefixes": prefixes()} if FORMATS[args.format] == ox.RdfFormat.TRIG else {}
        ox.serialize(client.dataset(), out, format=FORMATS[args.format], **extra)
        out.flush()

    if args.output in (None, "-"):
        write(sys.stdout.buffer)
        return EXIT_OK
    try:
        out = open(args.output, "wb")
    except OSError as exc:
        raise CommandFailed(EXIT_USAGE, f"cannot write {args.output}: {exc.strerror}") from None
    with out:
        write(out)
    return EXIT_OK


def cmd_reset(args: argparse.Namespace) -> int:
    from graphsvc.export import reset_store

    if not args.yes:
        raise CommandFailed(EXIT_USAGE, "this removes everything the store holds; run again with --yes")
    settings = _settings(args)
    _refuse_beside_service(args, settings, flags=" --yes")
    count = reset_store(_open(settings, fill=False))
    print(f"removed {count} graphs; the store is empty (the next start loads data/ again)")
    return 0


def _read_files(names: Sequence[str], settings: Settings, graph: str | None = None) -> list["ParsedUpload"]:
    """Each file checked and parsed in a confined child process; relative IRIs resolve against
    `graph` when given, else against the file's own URI."""
    from pathlib import Path

    from graphsvc.upload import ParseLimits, format_for_file_name, parse_upload

    limits = ParseLimits.from_settings(settings)
    uploads = []
    for name in names:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandFailed(EXIT_USAGE, f"cannot read {name}: {exc.strerror}") from None
        uploads.append(parse_upload(data, format_for_file_name(path.name), path.name,
                                    settings.max_upload_bytes, base_iri=graph or path.resolve().as_uri(),
                                    limits=limits))
    return uploads


def _print_report(ingest: "IngestPlan") -> None:
    from graphsvc.upload import line_of
    from graphsvc.validation.report import report_json

    first = ingest.uploads[0] if ingest.uploads else None
    _print_findings(report_json(ingest.results, (lambda node: line_of(first, node)) if first else None),
                    ingest.triple_count)


def _print_findings(report: dict[str, Any], triples: int) -> None:
    """Each validation result in a few lines, then the counts."""
    for item in report["results"]:
        where = f" (line {item['line']})" if item.get("line") else ""
        path = f" {item['path']}" if item.get("path") else ""
        value = f" = {item['value']!r}" if "value" in item else ""
        print(f"{item['severity']}: {item['focusNode']}{path}{value}{where}\n  {item['message']}\n  [{item['shape']}, {item['constraint']}]")
    print(f"{report['violations']} violation(s), {report['warnings']} warning(s) in {triples} triples")


def _plan_files(args: argparse.Namespace) -> tuple["GraphStore", "IngestPlan"]:
    from pathlib import Path

    import pyoxigraph as ox

    from graphsvc import project
    from graphsvc.ingest import check, check_graph_name, plan

    settings = _settings(args)
    graph = check_graph_name(args.graph) if getattr(args, "graph", None) else None
    uploads = _read_files(args.files, settings, graph.value if graph else None)
    default = graph or ox.NamedNode(project.GRAPH_NS + "ingest/" + Path(args.files[0]).stem)
    store = _open(settings)
    ingest = plan(uploads, graph, default, append=getattr(args, "append", False))
    return store, check(store, ingest, settings.upload_timeout_s, settings.unvalidated_graphs)


def _upload_message(exc: "UploadError") -> str:
    placed = exc.line is None or f"line {exc.line}" in str(exc)  # the message may say where already
    return str(exc) + ("" if placed else f" at line {exc.line}, column {exc.column}")


def _planned(args: argparse.Namespace) -> tuple["GraphStore", "IngestPlan"] | None:
    """The checked plan for the files, or None after saying why they could not be read."""
    from graphsvc.upload import UploadError
    from graphsvc.validation.validator import ValidationStopped

    try:
        return _plan_files(args)
    except UploadError as exc:
        print(f"graphsvc {args.command}: {_upload_message(exc)}", file=sys.stderr)
        return None
    except ValidationStopped as exc:
        print(f"graphsvc {args.command}: {exc}", file=sys.stderr)
        return None


def _service_upload(args: argparse.Namespace, settings: Settings) -> tuple[bytes, str, str, bool]:
    """What to send the service for the files: body, media type, target graph, and whether the body
    merges several files (as N-Triples, so the lines the service finds are not the files' lines).
    The files are read and checked here first, so that errors name them."""
    from pathlib import Path

    import pyoxigraph as ox

    from graphsvc import project
    from graphsvc.ingest import check_graph_name, plan

    graph = check_graph_name(args.graph) if args.graph else None
    target = graph or ox.NamedNode(project.GRAPH_NS + "ingest/" + Path(args.files[0]).stem)
    uploads = _read_files(args.files, settings, target.value)  # as the service resolves them: against the graph
    own = [g.value for g in plan(uploads, graph, target).targets if g != target]
    if own:
        raise CommandFailed(EXIT_USAGE, f"the files hold named graphs of their own ({own[0]}...); through the "
                                        f"running service one graph is written at a time: send a triples format "
                                        f"with --graph, or stop the service to ingest them as they are")
    if len(uploads) == 1:
        return Path(args.files[0]).read_bytes(), uploads[0].format.media_type, target.value, False
    return merged_ntriples([upload.quads for upload in uploads]), "application/n-triples", target.value, True


def _judged(reply: Reply, merged: bool) -> dict[str, Any]:
    """The service's validation report (200, 201, 422); a refused upload is EXIT_USAGE, as here."""
    if reply.status in (200, 201, 422):
        report = dict(reply.json())
        if merged:
            for item in report.get("results", []):
                item.pop("line", None)
        return report
    if reply.status in (401, 403) or (reply.status >= 500 and reply.status != 503):
        raise ServiceFailed(reply)
    raise CommandFailed(EXIT_USAGE, reply.error_message())  # malformed, too large, too slow to check


def cmd_validate(args: argparse.Namespace) -> int:
    from graphsvc.upload import UploadError

    settings = _settings(args)
    client = _through_service(args, settings, "validating")
    if client is not None:
        try:
            body, media_type, graph, merged = _service_upload(args, settings)
        except UploadError as exc:
            raise CommandFailed(EXIT_USAGE, _upload_message(exc)) from None
        report = _judged(client.validate(body, media_type, graph), merged)
        _print_findings(report, int(report.get("triples", 0)))
        return EXIT_OK if report["conforms"] else EXIT_FINDINGS
    planned = _planned(args)
    if planned is None:
        return EXIT_USAGE
    _, ingest = planned
    _print_report(ingest)
    return EXIT_OK if ingest.conforms else EXIT_FINDINGS


def _ingest_through(client: ServiceClient, args: argparse.Namespace, settings: Settings, agent: str) -> int:
    from graphsvc.upload import UploadError

    try:
        body, media_type, graph, merged = _service_upload(args, settings)
    except UploadError as exc:
        raise CommandFailed(EXIT_USAGE, _upload_message(exc)) from None
    report = _judged(client.write(body, media_type, graph, args.append, args.dry_run, agent), merged)
    triples = int(report.get("triples", 0))
    if report.get("results"):
        _print_findings(report, triples)
    if not report["conforms"]:
        print("nothing was written", file=sys.stderr)
        return EXIT_FINDINGS
    if args.dry_run:
        print(f"dry run: {triples} triples would go to {graph}")
    else:
        print(f"{triples} triples written to {graph}")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    import getpass

    from graphsvc.ingest import commit

    settings = _settings(args)
    agent = args.agent or getpass.getuser()
    client = _through_service(args, settings, "writing")
    if client is not None:
        return _ingest_through(client, args, settings, agent)
    planned = _planned(args)
    if planned is None:
        return EXIT_USAGE
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
    commit(store, ingest, agent)
    print(f"{ingest.triple_count} triples written to {graphs}")
    return 0


def _source_metadata(args: argparse.Namespace) -> dict[str, str]:
    """The metadata flags given, by the names POST /sources takes."""
    from pathlib import Path

    given = {"title": args.title, "publisher": args.publisher, "url": args.url, "published": args.published,
             "kind": args.kind, "fileName": Path(args.file).name}
    return {k: v for k, v in given.items() if v is not None}


def _print_source(source: dict[str, Any], created: bool) -> None:
    what = "registered" if created else "already registered as"
    print(f"{what} {source['id']} ({source['iri']}): {source['length']} characters, SHA-256 {source['sha256']}")
    print(f"  text at /sources/{source['id']}; cite it in evidence as oa:hasSource <{source['iri']}>")


def cmd_sources_add(args: argparse.Namespace) -> int:
    from pathlib import Path

    from graphsvc.curation.sources import SourceError, SourceMetadata, media_type_for, register

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise CommandFailed(EXIT_USAGE, f"cannot read {args.file}: {exc.strerror}") from None
    metadata = _source_metadata(args)
    settings = _settings(args)
    try:
        media_type = media_type_for(metadata["fileName"], None)
    except SourceError as exc:
        raise CommandFailed(EXIT_USAGE, str(exc)) from None
    client = _through_service(args, settings, "writing")
    if client is not None:
        reply = client.add_source(data, f"{media_type}; charset=utf-8", metadata)
        if reply.status in (401, 403) or reply.status >= 500:
            raise ServiceFailed(reply)
        if reply.status not in (200, 201):
            raise CommandFailed(EXIT_USAGE, reply.error_message())
        _print_source(reply.json(), reply.status == 201)
        return EXIT_OK
    store = _open(settings)
    try:
        source, created = register(store, data, SourceMetadata(
            title=args.title, publisher=args.publisher, url=args.url, published=args.published, kind=args.kind,
            file_name=metadata["fileName"], media_type=media_type))
    except SourceError as exc:
        raise CommandFailed(EXIT_USAGE, str(exc)) from None
    store.flush()
    _print_source(source.as_json(), created)
    return EXIT_OK


def cmd_sources_list(args: argparse.Namespace) -> int:
    import json

    from graphsvc.curation.sources import list_sources
    from graphsvc.results import render_table

    settings = _settings(args)
    client = _through_service(args, settings, "reading")
    found = client.sources() if client else [s.as_json() for s in list_sources(_open(settings))]
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return EXIT_OK
    rows = [{"id": s["id"], "held": "yes" if s["held"] else "no", "characters": s["length"],
             "sha256": (s["sha256"] or "")[:12], "title": s["title"] or s["label"] or ""} for s in found]
    print(render_table(rows) if rows else "no sources")
    return EXIT_OK


def _draft_evaluation() -> int:
    from graphsvc.curation.drafting.evaluation import EvaluationUnavailable, evaluate, markdown_table

    try:
        evaluation = evaluate()
    except EvaluationUnavailable as exc:
        raise CommandFailed(EXIT_USAGE, str(exc)) from None
    print(markdown_table(evaluation))
    return EXIT_OK if evaluation.meets_targets() else EXIT_FINDINGS


def cmd_draft(args: argparse.Namespace) -> int:
    """Candidate statements from a text (Turtle), or with --evaluate the drafter's scores on data/."""
    from pathlib import Path

    from graphsvc.curation.drafting.command import DraftingError, draft_file, parse_published, store_from_quads
    from graphsvc.named_params import expand_iri

    if args.evaluate:
        if args.file:
            raise CommandFailed(EXIT_USAGE, "--evaluate drafts the project's own sources; give no FILE with it")
        return _draft_evaluation()
    if not args.file:
        raise CommandFailed(EXIT_USAGE, "give the text FILE to draft (or --evaluate)")
    try:
        published = parse_published(args.published)
        source = expand_iri(args.source_iri) if args.source_iri else None
    except DraftingError as exc:
        raise CommandFailed(EXIT_USAGE, str(exc)) from None
    except ValueError as exc:
        raise CommandFailed(EXIT_USAGE, f"--source-iri {args.source_iri!r}: {exc}") from None
    settings = _settings(args)
    client = _through_service(args, settings, "reading")
    store = store_from_quads(client.dataset()) if client else _open(settings)
    try:
        result = draft_file(Path(args.file), store, source, published)
    except DraftingError as exc:
        raise CommandFailed(EXIT_USAGE, str(exc)) from None
    if args.output in (None, "-"):
        sys.stdout.write(result.turtle)
    else:
        try:
            Path(args.output).write_text(result.turtle, encoding="utf-8")
        except OSError as exc:
            raise CommandFailed(EXIT_USAGE, f"cannot write {args.output}: {exc.strerror}") from None
    where = "standard output" if args.output in (None, "-") else args.output
    print(f"graphsvc draft: {len(result.draft.candidates)} candidates and {len(result.draft.new_things)} new things "
          f"from {args.file}, evidence in <{result.source_iri}>, written to {where}", file=sys.stderr)
    return EXIT_OK


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
    query.add_argument("--format", choices=QUERY_FORMATS, default="text",
                       help="text (default): TSV for SELECT, true/false for ASK, Turtle for CONSTRUCT/DESCRIBE; "
                            "json and xml: SPARQL results (JSON-LD, RDF/XML for graphs); csv, tsv: SELECT only; "
                            "turtle, ntriples, jsonld, rdfxml, trig, nquads: CONSTRUCT/DESCRIBE only")
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

    sources = commands.add_parser("sources", help="the documents the service holds: register one, list them")
    source_commands = sources.add_subparsers(dest="sources_command", required=True, metavar="SUBCOMMAND")
    add = source_commands.add_parser("add", help="register a text file (UTF-8) with its metadata")
    add.add_argument("file", metavar="FILE")
    add.add_argument("--title", help="the document's title")
    add.add_argument("--publisher", help="who published it: an agent's IRI (kg:...) or name")
    add.add_argument("--url", help="the address the text was taken from")
    add.add_argument("--published", help="the date it was published, YYYY-MM-DD or YYYY, as far as it says")
    add.add_argument("--kind", help="the kind of document: press release, web page, news article, instrument "
                                    "text or event report")
    _store_flag(add)
    add.set_defaults(run=cmd_sources_add)
    listing = source_commands.add_parser("list", help="list the source documents and whether their text is held")
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    _store_flag(listing)
    listing.set_defaults(run=cmd_sources_list)

    draft = commands.add_parser("draft", help="candidate statements with evidence from a text, for review; "
                                              "--evaluate scores the drafter on the project's sources")
    draft.add_argument("file", nargs="?", metavar="FILE", help="the text to draft (UTF-8)")
    draft.add_argument("-o", "--output", help="Turtle file to write (default: standard output)")
    draft.add_argument("--published", help="the text's publication date, YYYY-MM-DD, to resolve 'this year' and "
                                           "'today' (default: the registered source's, if any)")
    draft.add_argument("--source-iri", help="the source document the evidence points at (default: the registered "
                                            "source with the same SHA-256, else kg:source-<digest>)")
    draft.add_argument("--evaluate", action="store_true", help="draft the five sources from the reference graph and "
                                                                "print recall and precision against data/ (markdown)")
    _store_flag(draft)
    draft.set_defaults(run=cmd_draft)

    stats = commands.add_parser("stats", help="coverage report: things per class and source, evidence share")
    stats.add_argument("--json", action="store_true", help="print the report as JSON")
    _store_flag(stats)
    stats.set_defaults(run=cmd_stats)
    return parser


def _quiet_stdout() -> None:
    """Point standard output at /dev/null, so that nothing more is written to a closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        code = run(args)
        sys.stdout.flush()
        return code
    except CommandFailed as exc:
        failure, code = str(exc), exc.code
    except ServiceUnavailable as exc:
        failure, code = str(exc), EXIT_BUSY
    except ServiceFailed as exc:
        failure, code = str(exc), EXIT_SERVICE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except OSError as exc:
        if not isinstance(exc, BrokenPipeError) and exc.errno != errno.EPIPE:
            raise
        _quiet_stdout()
        return EXIT_PIPE
    print(f"graphsvc {args.command}: {failure}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())

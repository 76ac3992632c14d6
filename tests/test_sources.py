"""The documents the service holds: registered with their digest, length, media type, metadata and
text, listed and shown over HTTP, added from the command line (beside a running service too), and
read back from the store alone, so evidence quotes need nothing outside it."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graphsvc import project
from graphsvc.api.app import create_app
from graphsvc.bootstrap import load_project
from graphsvc.config import Settings
from graphsvc.curation.sources import SourceError, SourceMetadata, list_sources, register, register_folder, source_text
from graphsvc.source_spans import SpanReader
from graphsvc.store import OxigraphStore
from tests.server import running_service

ROOT = Path(__file__).resolve().parent.parent
KG = project.THING_NS
TOKEN = "registrar-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TEXT = {"Content-Type": "text/plain; charset=utf-8"}
NOTE = "Cabinet approves MoU between India and Ruritania on cooperation in digital public infrastructure.\n"


@pytest.fixture()
def store() -> OxigraphStore:
    fresh = OxigraphStore()
    load_project(fresh)
    return fresh


@pytest.fixture()
def client(store: OxigraphStore):
    with TestClient(create_app(Settings(store="memory", write_tokens=(("registrar", TOKEN),)), store)) as http:
        yield http


def test_the_five_sources_are_held_with_the_length_and_digest_data_states(store: OxigraphStore) -> None:
    held = {s.name: s for s in list_sources(store) if s.held}
    assert sorted(held) == ["source-000", "source-001", "source-002", "source-003", "source-004"]
    for name, source in held.items():
        text = source_text(store, source.iri)
        file_bytes = (project.sources_dir() / source.file_name).read_bytes()
        assert text is not None and text.encode("utf-8") == file_bytes, name
        assert source.length == len(text) and source.sha256 == hashlib.sha256(file_bytes).hexdigest()
        assert source.media_type == "text/plain"


def test_spans_are_read_from_the_store_with_no_file_at_hand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh store filled from a copy of the sources keeps working once the copy is gone."""
    copy = tmp_path / "sources"
    shutil.copytree(project.sources_dir(), copy)
    monkeypatch.setenv("GRAPHSVC_SOURCES", str(copy))
    fresh = OxigraphStore()
    load_project(fresh)
    shutil.rmtree(copy)
    source = KG + "source-003"
    spans = SpanReader(fresh)
    assert spans.span(source, 209, 268) == "This Memorandum of Cooperation is made on 25th August, 2025"
    assert spans.span(source, 14250, 14261) is None, "a span past the end of the text is not read"
    assert spans.span(KG + "source-999", 0, 5) is None
    assert SpanReader(None).span(source, 0, 5) is None, "without the store there is nothing to read"


def test_quotes_cost_no_text_reads_in_the_api_and_one_per_source_in_a_page(
        client: TestClient, store: OxigraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a remote store every text read is a round trip. /api/instrument gets its quotes from
    the query itself; the instrument's /id/ page reads each source's text once, however many
    spans of it the page quotes."""
    import graphsvc.source_spans as source_spans

    reads: list[str] = []
    real = source_spans.source_text

    def counted(held, source):  # type: ignore[no-untyped-def]
        reads.append(source)
        return real(held, source)

    monkeypatch.setattr(source_spans, "source_text", counted)
    instrument = "india-japan-digital-partnership-2-0-moc"
    response = client.get("/api/instrument", params={"instrument": f"kg:{instrument}"})
    assert response.status_code == 200, response.text
    quoted = [e for e in response.json()["facets"]["evidence"] if "quote" in e]
    assert reads == [] and len(quoted) > 5
    for entry in quoted:
        text = real(store, entry["source"]["iri"])
        assert text is not None and entry["quote"] == text[entry["start"]:entry["end"]], entry
    sources = {e["source"]["iri"] for e in quoted}
    page = client.get(f"/id/{instrument}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert len(quoted) > len(sources) >= 1 and sorted(reads) == sorted(sources)


def test_registering_a_text_keeps_its_digest_length_metadata_and_text(store: OxigraphStore) -> None:
    source, created = register(store, NOTE.encode(), SourceMetadata(
        title="Cabinet approves MoU with Ruritania", publisher="MeitY", published="2025-03-02",
        kind="press-release", url="https://example.org/press/ruritania", file_name="ruritania.txt"))
    assert created and source.held
    digest = hashlib.sha256(NOTE.encode()).hexdigest()
    assert source.iri == KG + "source-" + digest[:12] and source.sha256 == digest and source.length == len(NOTE)
    assert (source.kind, source.publisher) == (project.VOCAB_NS + "PressRelease", KG + "meity")
    assert (source.published, source.url, source.file_name) == ("2025-03-02", "https://example.org/press/ruritania",
                                                                "ruritania.txt")
    assert source_text(store, source.iri) == NOTE
    again, created_again = register(store, NOTE.encode(), SourceMetadata(title="Another title"))
    assert not created_again and again.iri == source.iri and again.title == "Cabinet approves MoU with Ruritania"
    unknown, _ = register(store, b"A second note.\n", SourceMetadata(publisher="Ruritanian Press Office"))
    assert unknown.publisher is None and unknown.publisher_name == "Ruritanian Press Office"


@pytest.mark.parametrize(("data", "metadata", "status", "says"), [
    (b"\xffnot text", SourceMetadata(), 400, "not UTF-8 text: byte 0"),
    (b"   \n", SourceMetadata(), 400, "empty"),
    (b"text", SourceMetadata(kind="poem"), 400, "press release"),
    (b"text", SourceMetadata(published="2 March 2025"), 400, "YYYY-MM-DD"),
    (b"text", SourceMetadata(published="2025-02-30"), 400, "not a calendar date"),
    (b"text", SourceMetadata(url="ftp://example.org/x"), 400, "not an http(s) address"),
    (b"text", SourceMetadata(publisher="kg:india-france-digital-technologies-mou"), 400, "not an agent"),
    (b"text", SourceMetadata(media_type="application/pdf"), 415, "must be text"),
    (b"text", SourceMetadata(file_name="a b.txt"), 400, "file name"),
])
def test_what_the_registry_cannot_take_is_refused_with_a_reason(store: OxigraphStore, data: bytes,
                                                                metadata: SourceMetadata, status: int, says: str) -> None:
    with pytest.raises(SourceError) as refused:
        register(store, data, metadata)
    assert refused.value.status == status and says in str(refused.value)


def test_a_file_that_differs_from_the_text_data_describes_is_not_registered(tmp_path: Path, caplog) -> None:
    fresh = OxigraphStore()
    load_project(fresh)  # registers the real sources
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "003_e33f8e1bfe785064.txt").write_text("Not the memorandum.\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="graphsvc.curation.sources"):
        assert register_folder(fresh, folder) == []
    assert "differs from the text data/ describes" in caplog.text


def test_post_sources_registers_with_the_write_token(client: TestClient) -> None:
    params = {"title": "Cabinet approves MoU with Ruritania", "kind": "press release", "publisher": "MeitY"}
    refused = client.post("/sources", params=params, content=NOTE.encode(), headers=TEXT)
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    created = client.post("/sources", params=params, content=NOTE.encode(), headers={**AUTH, **TEXT})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["sha256"] == hashlib.sha256(NOTE.encode()).hexdigest() and body["length"] == len(NOTE)
    assert body["kind"]["label"] == "press release" and body["publisher"]["iri"] == KG + "meity"
    assert created.headers["location"] == f"/sources/{body['id']}"
    same = client.post("/sources", content=NOTE.encode(), headers={**AUTH, **TEXT})
    assert same.status_code == 200 and same.json()["id"] == body["id"]
    latin = client.post("/sources", content="café".encode("latin-1"), headers={**AUTH, "Content-Type": "text/plain; charset=iso-8859-1"})
    assert latin.status_code == 415 and "UTF-8" in latin.json()["error"]
    bad = client.post("/sources", params={"kind": "poem"}, content=b"x", headers={**AUTH, **TEXT})
    assert bad.status_code == 400 and bad.json()["parameter"] == "kind"
    listed = client.get("/sources").json()["sources"]
    assert body["id"] in [s["id"] for s in listed] and len(listed) == 6
    assert client.get(f"/sources/{body['id']}", headers={"Accept": "text/plain"}).content == NOTE.encode()
    assert client.get(f"/sources/{body['id']}", headers={"Accept": "application/json"}).json()["title"] == params["title"]


def test_the_text_is_served_as_it_is_and_its_page_highlights_every_evidenced_span(client: TestClient,
                                                                                 store: OxigraphStore) -> None:
    plain = client.get("/sources/source-003", headers={"Accept": "text/plain"})
    assert plain.status_code == 200 and plain.headers["content-type"] == "text/plain; charset=utf-8"
    assert plain.content == (project.sources_dir() / "003_e33f8e1bfe785064.txt").read_bytes()
    page = client.get("/sources/source-003", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    spans = {(row["start"].value, row["end"].value) for row in store.query(
        "PREFIX oa: <http://www.w3.org/ns/oa#> SELECT DISTINCT ?start ?end WHERE { ?t oa:hasSource "
        "<https://w3id.org/iddkg/id/source-003> ; oa:hasSelector [ a oa:TextPositionSelector ; oa:start ?start ; "
        "oa:end ?end ] }")}
    listed = html.count("<li value=")
    assert spans and listed >= len(spans), "every span is listed under the text, one item per statement"
    assert html.count('<span id="span-') == listed, "and every item has its anchor in the text"
    assert 'class="evidenced' in html and 'href="/id/india-japan-digital-partnership-2-0-moc"' in html
    assert "Ashwini Vaishnaw" in html and "<script" not in html.split('<pre class="source-text">')[1].split("</pre>")[0]


def test_lists_and_unknown_names(client: TestClient) -> None:
    assert client.get("/sources", headers={"Accept": "text/html"}).text.count('href="/sources/source-00') == 5
    assert client.get("/sources", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/sources/nothing-here", headers={"Accept": "text/plain"}).status_code == 404
    assert client.get("/sources/nothing-here", headers={"Accept": "text/html"}).status_code == 404
    assert client.get("/sources/..%2Fetc", headers={"Accept": "text/plain"}).status_code == 404


def test_the_registry_graphs_cannot_be_written_through_ingest(client: TestClient) -> None:
    graph = project.GRAPH_NS + "sources/" + "0" * 64
    reply = client.put("/graphs", params={"graph": graph}, content=b"<urn:a> <urn:b> <urn:c> .",
                       headers={**AUTH, "Content-Type": "application/n-triples"})
    assert reply.status_code == 400 and "registered sources" in reply.json()["error"]


def _cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "graphsvc", *args], capture_output=True, cwd=ROOT, timeout=300)


def test_sources_add_and_list_from_the_command_line_alone_and_beside_the_service(tmp_path: Path) -> None:
    note = tmp_path / "ruritania-note.txt"
    note.write_text(NOTE, encoding="utf-8")
    store = tmp_path / "store"
    alone = _cli("sources", "add", str(note), "--store", str(store), "--title", "A note", "--kind", "press release")
    assert alone.returncode == 0, alone.stderr
    digest = hashlib.sha256(NOTE.encode()).hexdigest()
    assert f"registered source-{digest[:12]}" in alone.stdout.decode()
    other = tmp_path / "second-note.txt"
    other.write_text("Cabinet approves a second MoU.\n", encoding="utf-8")
    with running_service(store) as base_url:
        beside = _cli("sources", "add", str(other), "--store", str(store), "--published", "2025")
        assert beside.returncode == 0, beside.stderr
        assert f"writing through the service at {base_url}".encode() in beside.stderr
        listed = _cli("sources", "list", "--json", "--store", str(store))
        assert listed.returncode == 0, listed.stderr
        found = {s["fileName"]: s for s in json.loads(listed.stdout)}
        assert found["second-note.txt"]["published"] == "2025" and found["ruritania-note.txt"]["title"] == "A note"
        again = _cli("sources", "add", str(other), "--store", str(store), "--kind", "poem")
        assert again.returncode == 0 and b"already registered as" in again.stdout, \
            "the same text again is the source registered before (its metadata stands)"
        bad = tmp_path / "third.txt"
        bad.write_bytes(b"\xff\xfe")
        failed = _cli("sources", "add", str(bad), "--store", str(store))
        assert failed.returncode == 2 and b"not UTF-8" in failed.stderr and b"Traceback" not in failed.stderr
    missing = _cli("sources", "add", str(tmp_path / "none.txt"), "--store", str(store))
    assert missing.returncode == 2 and b"cannot read" in missing.stderr

"""The benchmark's synthetic data is valid data of this project: a 10k-triple sample passes the
shapes with the fast validator, pyshacl (the reference) agrees, and the same seed gives the same
bytes. Speed is measured by `python -m bench`, not here."""

from __future__ import annotations

import io

import pyoxigraph as ox

from bench import generator
from graphsvc.validation.validator import validate
from tests.test_validation_parity import ours, reference


def _sample(target: int = 10_000, seed: int = 7) -> str:
    buffer = io.StringIO()
    generator.generate(buffer, target, seed, anchors=True)
    return buffer.getvalue()


def test_sample_is_deterministic_and_close_to_its_size() -> None:
    text = _sample()
    assert text == _sample()
    assert text != _sample(seed=8)
    assert 10_000 <= text.count("\n") < 10_400


# Synthetic statements are stated by no source, so they carry no evidence: the one rule they break.
EVIDENCE_RULE = "https://w3id.org/iddkg/shapes#StatementHasEvidenceShape"


def test_sample_breaks_no_rule_but_the_evidence_rule_and_pyshacl_agrees() -> None:
    store = ox.Store()
    store.load(_sample().encode(), format=ox.RdfFormat.N_TRIPLES)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, None)]
    results = validate(triples, {t.subject for t in triples})
    blocking = [r for r in results if r.blocking]
    assert blocking and {r.shape for r in blocking} == {EVIDENCE_RULE}, [r for r in blocking if r.shape != EVIDENCE_RULE][:5]
    mine = ours(triples)
    assert mine == reference(triples)
    assert {v[1] for v in mine if v[0] == "Violation"} == {EVIDENCE_RULE}


def test_faulty_batch_is_rejected_by_both_validators() -> None:
    world = generator.World(7, 10_000)
    buffer = io.StringIO()
    sample = _sample()
    generator.write_batch(buffer, world, "faulty", 600, faults=True)
    store = ox.Store()
    store.load((sample + buffer.getvalue()).encode(), format=ox.RdfFormat.N_TRIPLES)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, None)]
    mine = ours(triples)
    shapes = {v[1].rsplit("#", 1)[-1] for v in mine if v[0] == "Violation"}
    assert {"DateShape-signingDate", "EvidenceSpanInsideDocumentShape", "InstrumentShape-party"} <= shapes
    assert mine == reference(triples)

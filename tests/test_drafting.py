"""The drafter: candidate statements from a text, each with a span that contains its value.

The samples below are invented for these tests, in the wording of the three genres the drafter is
written for (a Cabinet note on a memorandum, an instrument's own text with numbered clauses, a
news item on a joint declaration of intent), about countries and ministries the graph does not
know, so that what passes here is the genre's rules and not the five sources' words.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyoxigraph as ox
import pytest

from graphsvc import project
from graphsvc.cli import main
from graphsvc.curation.drafting.candidates import Draft
from graphsvc.curation.drafting.dates import find_dates
from graphsvc.curation.drafting.document import Document
from graphsvc.curation.drafting.drafter import Drafter
from graphsvc.curation.drafting.evaluation import (GOLD_FILES, RECALL_TARGETS, REFERENCE_FILES, evaluate,
                                                   markdown_table, reference_knowledge)
from graphsvc.curation.drafting.gazetteer import Gazetteer
from graphsvc.curation.drafting.span_rule import problem, problems
from graphsvc.curation.drafting.writer import to_turtle
from tests.test_evidence import norm, value_errors

KG = project.THING_NS
IDD = project.VOCAB_NS
XSD = "http://www.w3.org/2001/XMLSchema#"
TIME = "http://www.w3.org/2006/time#"
ORG = "http://www.w3.org/ns/org#"
SUBJECT = "http://purl.org/dc/terms/subject"

CABINET_NOTE = """Cabinet approves Memorandum of Understanding between India and Poland on cooperation in the field of Digital Public Infrastructure

The Union Cabinet chaired by the Prime Minister has approved the signing of a Memorandum of Understanding between the Ministry of Electronics and Information Technology of the Republic of India and the Ministry of Digital Affairs of the Republic of Poland on cooperation in the field of Digital Public Infrastructure.

Major Impact:

The MoU will promote the sharing of best practices on digital payment systems and capacity building in cyber security.

The MoU will come into effect on the date of its signature by both Participants and will remain in force for a period of three (3) years.
"""

AGREEMENT_TEXT = """MEMORANDUM OF COOPERATION
BETWEEN
THE MINISTRY OF ELECTRONICS AND INFORMATION TECHNOLOGY OF THE REPUBLIC OF INDIA
AND
THE MINISTRY OF INFORMATION AND DIGITAL ECONOMY OF THE REPUBLIC OF KENYA
ON
COOPERATION IN EMERGING TECHNOLOGIES

Paragraph 1

Areas of Cooperation

i) Artificial Intelligence

- The Participants will exchange experiences on responsible AI and hold joint workshops.

ii) Quantum Sensing

- The Participants will explore joint research on quantum sensing for agriculture.

Paragraph 2

Duration and Termination

- i). This Memorandum of Cooperation will enter into force on the date of its signature by both Participants and will remain in force for a period of four (4) years.
- ii). Either Participant may terminate this Memorandum of Cooperation by giving a written notice to the other Participant ninety (90) days in advance.

This Memorandum of Cooperation does not create any legal obligations.

Signed at New Delhi on the 3rd day of March 2026 in two originals in the Hindi and English languages.

For the Ministry of Electronics and Information Technology

For the Ministry of Information and Digital Economy

Ashwini Vaishnaw
Minister of Electronics and IT

Amani Wekesa Njoroge
Minister of Information and Digital Economy of the Republic of Kenya
"""

NEWS_ITEM = """India, Germany Set To Deepen Cooperation On Artificial Intelligence

India and Germany are expected to sign a Joint Declaration of Intent on artificial intelligence when the two leaders meet in Berlin on 14 November.

Last year, the two countries announced a Roadmap on quantum computing.

Officials said the declaration would also cover cyber security.
"""


SIGNED_NOTE = """Cabinet apprised of the MoU between India and Saudi Arabia in the field of Digitalization

The Union Cabinet chaired by the Prime Minister was apprised of the Memorandum of Understanding signed between the Ministry of Electronics and Information Technology and the Ministry of Communications and Information Technology of the Kingdom of Saudi Arabia. The MoU was signed on 10th September 2023 by Shri Ashwini Vaishnaw, Minister of Electronics and IT, and H.E. Abdullah Alswaha, Minister of Communications and Information Technology of Saudi Arabia.
"""


@pytest.fixture(scope="module")
def knowledge():
    return reference_knowledge()


@pytest.fixture(scope="module")
def drafter(knowledge) -> Drafter:
    return Drafter(knowledge)


def facts(draft: Draft) -> set[tuple[str, str, str]]:
    return {(c.subject, c.predicate, str(c.value)) for c in draft.candidates.values()}


def values(draft: Draft, subject: str, predicate: str) -> set[str]:
    return {c.value.value for c in draft.candidates.values() if c.subject == subject and c.predicate == predicate}


def instruments(draft: Draft, kind: str) -> list[str]:
    return [c.subject for c in draft.candidates.values()
            if c.predicate == IDD + "instrumentKind" and c.value.value == kind]


def assert_spans_hold(draft: Draft, knowledge) -> None:
    """The drafter's own rule, and the rule tests/test_evidence.py applies to data/."""
    assert problems(draft, knowledge) == []
    labels: dict = {}
    for iri, thing in knowledge.things.items():
        labels[ox.NamedNode(iri)] = {norm(n) for n in thing.names}
    for iri, thing in draft.new_things.items():
        labels.setdefault(ox.NamedNode(iri), set()).update(norm(n) for n in {thing.label} | thing.alt_labels)
    vocabulary = {ox.NamedNode(iri) for iri in knowledge.things if knowledge.is_vocabulary_concept(iri)}
    for candidate in draft.candidates.values():
        span = draft.text[candidate.start:candidate.end]
        assert draft.text[candidate.cue.start:candidate.cue.end] in span
        if candidate.reasoning and "publication date" in candidate.reasoning:
            assert candidate.cue.text.lower() in {"this year", "last year", "next year", "today", "yesterday"}
            continue
        assert value_errors(candidate.value, span, bool(candidate.reasoning), labels, vocabulary) is None, \
            (candidate.rule, candidate.value, span)
        assert 0 < candidate.confidence <= 1 and candidate.rule


# ----------------------------------------------------------------------------- the three genres

def test_cabinet_note_on_an_mou_with_a_ministry_the_graph_does_not_know(drafter, knowledge):
    draft = drafter.draft(CABINET_NOTE, KG + "source-test-cabinet")
    [mou] = instruments(draft, IDD + "MemorandumOfUnderstanding")
    ministry = KG + "polish-ministry-of-digital-affairs"
    assert values(draft, mou, IDD + "party") == {KG + "meity", ministry}, "a ministry's country is not a party beside it"
    assert values(draft, mou, IDD + "status") == {IDD + "ApprovedForSigning"}
    assert values(draft, mou, IDD + "approvedBy") == {KG + "union-cabinet"}
    assert draft.new_things[ministry].label == "Ministry of Digital Affairs"
    assert values(draft, ministry, ORG + "subOrganizationOf") == {KG + "government-of-poland"}
    assert values(draft, KG + "government-of-poland", IDD + "governmentOf") == {KG + "poland"}
    assert draft.new_things[KG + "poland"].external[IDD + "iso3166Alpha2"].value == "PL"
    [duration] = values(draft, mou, IDD + "duration")
    assert values(draft, duration, TIME + "numericDuration") == {"3"}
    assert values(draft, duration, TIME + "unitType") == {TIME + "unitYear"}
    provisions = values(draft, mou, IDD + "provision")
    kinds = {v for p in provisions for v in values(draft, p, IDD + "provisionKind")}
    assert IDD + "CommencementProvision" in kinds
    assert not values(draft, mou, IDD + "entryIntoForceDate"), "no signing date is stated, so none is derived"
    assert not values(draft, mou, IDD + "signingDate")
    assert KG + "digital-public-infrastructure" in values(draft, mou, SUBJECT)
    assert_spans_hold(draft, knowledge)


def test_instrument_text_with_numbered_clauses_and_a_signature_block(drafter, knowledge):
    draft = drafter.draft(AGREEMENT_TEXT, KG + "source-test-agreement")
    [moc] = instruments(draft, IDD + "MemorandumOfCooperation")
    kenyan = [p for p in values(draft, moc, IDD + "party") if p != KG + "meity"]
    assert len(kenyan) == 1 and "kenya" in kenyan[0], kenyan
    assert values(draft, moc, IDD + "signingDate") == {"2026-03-03"}
    [in_force] = [c for c in draft.candidates.values() if c.subject == moc and c.predicate == IDD + "entryIntoForceDate"]
    assert in_force.value.value == "2026-03-03" and in_force.reasoning
    assert values(draft, moc, IDD + "legallyBinding") == {"false"}
    [duration] = values(draft, moc, IDD + "duration")
    assert values(draft, duration, TIME + "numericDuration") == {"4"}
    notices = [c.value.value for c in draft.candidates.values() if c.predicate == IDD + "noticePeriod"]
    assert len(notices) == 1 and values(draft, notices[0], TIME + "numericDuration") == {"90"}
    assert values(draft, notices[0], TIME + "unitType") == {TIME + "unitDay"}
    [signing] = values(draft, moc, IDD + "signing")
    assert values(draft, signing, IDD + "numberOfOriginals") == {"2"}
    assert values(draft, signing, IDD + "languageOfOriginals") == {"hi", "en"}
    signatures = values(draft, signing, IDD + "signature")
    signatories = {v for s in signatures for v in values(draft, s, IDD + "signatory")}
    assert KG + "ashwini-vaishnaw" in signatories, "a person the graph knows keeps the graph's IRI"
    assert KG + "amani-wekesa-njoroge" in signatories
    signed_for = {v for s in signatures for v in values(draft, s, IDD + "signedFor")}
    assert KG + "meity" in signed_for and len(signed_for) == 2
    areas = values(draft, moc, IDD + "cooperationArea")
    subjects = {v for a in areas for v in values(draft, a, SUBJECT)}
    assert KG + "artificial-intelligence" in subjects
    proposed = [draft.new_things[s] for s in subjects if s in draft.new_things]
    assert len(proposed) == 1 and proposed[0].label.lower() == "quantum sensing"
    broader = proposed[0].external["http://www.w3.org/2004/02/skos/core#broader"].value
    assert broader in {KG + "quantum-technologies", KG + "quantum-computing"}, "the nearest broader concept"
    sections = {v for p in values(draft, moc, IDD + "provision") for v in values(draft, p, IDD + "section")}
    assert {"2(i)", "2(ii)"} <= sections
    assert_spans_hold(draft, knowledge)


def test_news_of_a_joint_declaration_of_intent(drafter, knowledge):
    draft = drafter.draft(NEWS_ITEM, KG + "source-test-news")
    [jdi] = instruments(draft, IDD + "JointDeclarationOfIntent")
    assert values(draft, jdi, IDD + "status") == {IDD + "Planned"}
    assert values(draft, jdi, IDD + "party") == {KG + "india", KG + "germany"}
    assert not any(c.predicate.startswith(IDD) and c.predicate.endswith("Date") for c in draft.candidates.values()
                   if c.subject == jdi), "the date belongs to the meeting, not to the declaration"
    [roadmap] = instruments(draft, IDD + "Roadmap")
    assert values(draft, roadmap, IDD + "party") == {KG + "india", KG + "germany"}, "'the two countries' of the item"
    assert values(draft, roadmap, IDD + "status") == {IDD + "Announced"}
    assert not values(draft, roadmap, IDD + "announcementDate"), "'last year' needs a publication date"
    assert draft.new_things[KG + "germany"].external[IDD + "iso3166Alpha2"].value == "DE"
    assert_spans_hold(draft, knowledge)


def test_cabinet_note_on_a_signed_mou_with_signatories_in_prose(drafter, knowledge):
    draft = drafter.draft(SIGNED_NOTE, KG + "source-test-signed")
    [mou] = instruments(draft, IDD + "MemorandumOfUnderstanding")
    saudi = KG + "saudi-arabian-ministry-of-communications-and-information-technology"
    assert values(draft, mou, IDD + "party") == {KG + "meity", saudi}
    assert values(draft, mou, IDD + "status") == {IDD + "Signed"}
    assert values(draft, mou, IDD + "signingDate") == {"2023-09-10"}
    [signing] = values(draft, mou, IDD + "signing")
    signatures = values(draft, signing, IDD + "signature")
    by_person = {next(iter(values(draft, s, IDD + "signatory"))): s for s in signatures}
    assert set(by_person) == {KG + "ashwini-vaishnaw", KG + "abdullah-alswaha"}
    assert values(draft, by_person[KG + "ashwini-vaishnaw"], IDD + "signedAs") == {KG + "minister-of-electronics-and-it-of-india"}
    assert values(draft, by_person[KG + "ashwini-vaishnaw"], IDD + "signedFor") == {KG + "meity"}
    assert values(draft, by_person[KG + "abdullah-alswaha"], IDD + "signedFor") == {saudi}
    assert_spans_hold(draft, knowledge)


def test_last_year_is_resolved_only_from_a_known_publication_date(drafter, knowledge):
    draft = drafter.draft(NEWS_ITEM, KG + "source-test-news", dt.date(2026, 5, 4))
    [roadmap] = instruments(draft, IDD + "Roadmap")
    [date] = [c for c in draft.candidates.values() if c.subject == roadmap and c.predicate == IDD + "announcementDate"]
    assert date.value.value == "2025" and date.value.datatype.value == XSD + "gYear"
    assert "publication date" in date.reasoning and "2026-05-04" in date.reasoning
    assert_spans_hold(draft, knowledge)


# ----------------------------------------------------------------------------- parts

def test_dates_are_only_as_precise_as_the_text():
    document = Document("They met on 22 August and signed it on 3rd March, 2024; in 1998 it began. This year too.")
    found = {(d.text, d.lexical, d.datatype[len(XSD):]) for d in find_dates(document)}
    assert ("22 August", "--08-22", "gMonthDay") in found
    assert ("3rd March, 2024", "2024-03-03", "date") in found
    assert ("1998", "1998", "gYear") in found
    assert not any(d[0] == "This year" for d in found)
    dated = {d.text: d for d in find_dates(document, dt.date(2024, 6, 1))}
    assert dated["This year"].lexical == "2024" and "2024-06-01" in dated["This year"].reasoning


def test_names_are_recognised_in_any_of_their_languages(knowledge):
    gazetteer = Gazetteer(knowledge)
    document = Document("La coopération porte sur l'intelligence artificielle ; भारत के साथ 人工知能 .")
    found = {e.iri for m in gazetteer.mentions(document) for e in m.entries}
    assert KG + "artificial-intelligence" in found
    assert KG + "india" in found


def test_generic_and_plural_kind_names_make_no_instrument(drafter):
    text = ("MeitY has concluded MoUs/ MoCs/ JDIs with many countries. Memorandums of Understanding (MoU): "
            "the purpose of MoUs is to accelerate cooperation.\n")
    assert not any(c.predicate == IDD + "instrumentKind" for c in drafter.draft(text, KG + "x").candidates.values())


def test_a_span_moved_off_its_value_fails_the_rule(drafter, knowledge):
    draft = drafter.draft(CABINET_NOTE, KG + "source-test-cabinet")
    checked = 0
    from dataclasses import replace

    for candidate in draft.candidates.values():
        if candidate.reasoning or isinstance(candidate.value, ox.NamedNode) and \
                knowledge.is_vocabulary_concept(candidate.value.value) or candidate.predicate.endswith("legallyBinding"):
            continue
        moved = replace(candidate, start=0, end=5, cue=replace(candidate.cue, start=0, end=5,
                                                               text=draft.text[0:5]))
        assert problem(moved, draft, knowledge) is not None, candidate
        checked += 1
    assert checked >= 10


def test_every_candidate_of_the_five_sources_has_a_span_that_contains_its_value(drafter, knowledge):
    for path in sorted(project.sources_dir().glob("*.txt")):
        draft = drafter.draft(path.read_text(encoding="utf-8"), KG + "source-" + path.stem[:3])
        if not path.name.startswith("001"):  # the division's web page names no single instrument
            assert draft.candidates, path.name
        assert_spans_hold(draft, knowledge)


def test_a_draft_is_turtle_in_the_evidence_model_of_data(drafter, knowledge):
    draft = drafter.draft(AGREEMENT_TEXT, KG + "source-test-agreement")
    store = ox.Store()
    store.load(to_turtle(draft, knowledge).encode("utf-8"), format=ox.RdfFormat.TURTLE)
    rows = list(store.query("""
        PREFIX idd: <https://w3id.org/iddkg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?s ?p ?o ?start ?end WHERE { ?e a idd:Evidence ; idd:evidenceSubject ?s ; idd:evidencePredicate ?p ;
            idd:evidenceObject ?o ; oa:hasTarget [ oa:hasSource ?src ; oa:hasSelector [ oa:start ?start ; oa:end ?end ] ] .
            ?s ?p ?o }"""))
    assert len(rows) == len(draft.candidates)
    for row in rows:
        start, end = int(row["start"].value), int(row["end"].value)
        assert 0 <= start < end <= len(AGREEMENT_TEXT)


# ----------------------------------------------------------------------------- evaluation and command line

def test_every_data_file_is_reference_or_gold_for_the_evaluation():
    stems = {path.stem for path in project.data_files()}
    assert stems <= set(REFERENCE_FILES) | set(GOLD_FILES)
    assert not set(REFERENCE_FILES) & set(GOLD_FILES)


def test_the_evaluation_meets_its_targets():
    evaluation = evaluate()
    table = markdown_table(evaluation)
    assert "| kinds |" in table and "| **overall** |" in table
    assert evaluation.span_violations == 0
    for category, target in RECALL_TARGETS.items():
        assert evaluation.rows[category].recall >= target, (category, evaluation.rows[category])
    assert evaluation.overall.precision >= 0.9
    assert evaluation.rows["kinds"].gold >= 8 and evaluation.rows["parties"].gold >= 10
    assert evaluation.meets_targets()


def test_the_command_drafts_a_file_and_reports_bad_input(tmp_path: Path, capsys):
    text = tmp_path / "note.txt"
    text.write_text(CABINET_NOTE, encoding="utf-8")
    out = tmp_path / "draft.ttl"
    assert main(["draft", str(text), "-o", str(out), "--store", "memory"]) == 0
    parsed = list(ox.parse(out.read_bytes(), format=ox.RdfFormat.TURTLE))
    assert any(q.predicate.value == IDD + "party" for q in parsed)
    assert "candidates" in capsys.readouterr().err
    assert main(["draft", "--store", "memory"]) == 2
    assert "give the text FILE" in capsys.readouterr().err
    assert main(["draft", str(text), "--published", "05/03/2026", "--store", "memory"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert main(["draft", str(tmp_path / "missing.txt"), "--store", "memory"]) == 2
    assert "cannot read" in capsys.readouterr().err
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    assert main(["draft", str(tmp_path / "latin1.txt"), "--store", "memory"]) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_the_command_prints_the_evaluation_table(capsys):
    assert main(["draft", "--evaluate", "--store", "memory"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("| fact |") and "must be 0" in printed


def test_a_registered_text_drafts_into_a_batch_that_validates(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("GRAPHSVC_UPLOAD_TIMEOUT", "300")  # a check, not a speed goal: the machine is shared
    text = tmp_path / "agreement.txt"
    text.write_text(AGREEMENT_TEXT, encoding="utf-8")
    store = str(tmp_path / "store")
    assert main(["sources", "add", str(text), "--title", "An invented memorandum", "--store", store]) == 0
    out = tmp_path / "draft.ttl"
    assert main(["draft", str(text), "-o", str(out), "--store", store]) == 0
    capsys.readouterr()
    code = main(["validate", str(out), "--store", store])
    printed = capsys.readouterr()
    assert code == 0, printed.out + printed.err


SIGNED_NEWS = """India and Sweden sign Joint Declaration of Intent on Artificial Intelligence and Quantum Technologies

New Delhi, 3 December: India and Sweden on Tuesday signed a Joint Declaration of Intent (JDI) to deepen cooperation in artificial intelligence, quantum computing and cyber security. The JDI was signed by Shri Ashwini Vaishnaw, Union Minister of Electronics and Information Technology, and Ms. Ebba Busch, Minister for Energy, Business and Industry of Sweden, in the presence of senior officials.
"""


def test_news_of_a_signed_declaration_names_signatories_whose_party_it_leaves_unsaid(drafter, knowledge):
    """Signatories named in prose, with posts but no "for <party>": each gets a signature, and
    whom they signed for stays unknown rather than guessed (this once ended in a TypeError)."""
    draft = drafter.draft(SIGNED_NEWS, KG + "source-test-signed-news")
    [jdi] = instruments(draft, IDD + "JointDeclarationOfIntent")
    assert values(draft, jdi, IDD + "party") == {KG + "india", KG + "sweden"}
    assert values(draft, jdi, IDD + "status") == {IDD + "Signed"}
    [signing] = values(draft, jdi, IDD + "signing")
    people = {next(iter(values(draft, s, IDD + "signatory"))) for s in values(draft, signing, IDD + "signature")}
    assert people == {KG + "ashwini-vaishnaw", KG + "ebba-busch"}
    posts = {draft.new_things[p].label for s in values(draft, signing, IDD + "signature")
             for p in values(draft, s, IDD + "signedAs") if p in draft.new_things}
    assert "Minister for Energy, Business and Industry of Sweden" in posts, "a post's title goes on past its comma"
    subjects = {c.value.value for c in draft.candidates.values() if c.predicate.endswith("/subject")}
    assert not {KG + "electronics", KG + "information-technology"} & subjects, \
        "the words of an office's name are not fields of cooperation"
    assert KG + "quantum-computing" in subjects or KG + "artificial-intelligence" in subjects
    assert_spans_hold(draft, knowledge)

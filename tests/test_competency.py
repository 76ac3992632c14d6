"""Competency questions: each query in tests/competency/ gives the answer the sources give."""

from __future__ import annotations

import pytest

from tests.competency_cases import (
    answer_from_oxigraph,
    compare_answer,
    describe_failure,
    load_competency_cases,
)

CASES = load_competency_cases()


def test_there_are_enough_well_formed_cases():
    assert len(CASES) >= 25, f"only {len(CASES)} competency questions"
    for case in CASES:
        assert case.question, f"{case.name}: first comment line must be '# Question: ...'"
        assert case.expected is not None, f"{case.name}: no {case.expected_path.name}"
        assert "rows" in case.expected or "boolean" in case.expected, f"{case.expected_path.name}: no rows or boolean"
        assert case.expected.get("question") == case.question, f"{case.expected_path.name}: question differs from the .rq"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_competency_question(case, kg_store):
    assert case.expected is not None, f"{case.name}: no expected answer"
    actual = answer_from_oxigraph(kg_store.query(case.query))
    problems = compare_answer(case.expected, actual)
    assert not problems, describe_failure(case, actual, problems)

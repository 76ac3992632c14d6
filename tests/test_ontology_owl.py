"""The ontology, alone and with all of data/, as the OWL API and HermiT see it.

(a) the OWL API parses ontology/ with no error and its OWL 2 DL profile check finds nothing;
(b) the same for the ontology merged with every file of data/, whatever data/ holds now;
(c) HermiT finds ontology + data/ consistent, with no unsatisfiable class and no datatype error.
Fixtures in tests/data/owl/ show that each check does fail on a known-bad input.
"""

from __future__ import annotations

from pathlib import Path

from tests.owlapi_tool import (
    FIXTURES,
    HermitResult,
    OwlApiTool,
    catalog_entries,
    merge_files,
    ontology_and_data_files,
    owlapi,  # noqa: F401  (the session fixture)
    run_hermit,
)

from graphsvc import project


def _hermit_on(files: list[Path], tmp_path: Path) -> HermitResult:
    return run_hermit(merge_files(files, tmp_path / "merged.owl"))


# ----------------------------------------------------------------------------- the project


def test_owlapi_parses_ontology_with_no_dl_violation(owlapi: OwlApiTool) -> None:
    ontology, _ = ontology_and_data_files()
    result = owlapi.check(*ontology)
    assert result.clean, "the ontology is not clean OWL 2 DL for the OWL API:\n" + result.describe()


def test_owlapi_parses_ontology_with_all_data_with_no_dl_violation(owlapi: OwlApiTool) -> None:
    ontology, data = ontology_and_data_files()
    result = owlapi.check(*ontology, *data)
    assert result.clean, (f"ontology + {len(data)} data file(s) are not clean OWL 2 DL:\n"
                          + result.describe())


def test_hermit_finds_ontology_and_data_consistent(tmp_path: Path) -> None:
    ontology, data = ontology_and_data_files()
    result = _hermit_on([*ontology, *data], tmp_path)
    assert not result.datatype_errors, result.describe()
    assert result.consistent, "HermiT: ontology + data/ is inconsistent\n" + result.describe()
    assert result.unsatisfiable == [], "HermiT lists unsatisfiable classes\n" + result.describe()


def test_catalog_is_relative_and_maps_to_files_that_declare_the_iri() -> None:
    catalog = project.ONTOLOGY_DIR / "catalog-v001.xml"
    entries = catalog_entries(catalog)
    assert entries, "catalog-v001.xml has no <uri> entry"
    for name, uri in entries.items():
        assert ":" not in uri and not uri.startswith("/"), f"catalog entry {uri!r} is not a relative path"
        target = catalog.parent / uri
        assert target.is_file(), f"catalog maps <{name}> to missing file {uri}"
        assert f"<{name}>" in target.read_text(encoding="utf-8"), f"{uri} does not mention <{name}>"


# ----------------------------------------------------------------------------- the checks can fail


def test_dl_check_reports_xsd_date_range(owlapi: OwlApiTool) -> None:
    result = owlapi.check(FIXTURES / "dl_violation_date_range.ttl")
    assert result.returncode == 1
    assert any(p.startswith("[profile]") and "undeclared datatype: xsd:date" in p for p in result.problems), \
        result.describe()


def test_dl_check_reports_illegal_punning(owlapi: OwlApiTool) -> None:
    result = owlapi.check(FIXTURES / "dl_violation_punning.ttl")
    assert result.returncode == 1
    assert any("pun" in p for p in result.problems), result.describe()


def test_check_reports_syntax_errors_in_ontology_and_in_data(owlapi: OwlApiTool) -> None:
    ontology, _ = ontology_and_data_files()
    alone = owlapi.check(FIXTURES / "syntax_error.ttl")
    assert alone.returncode == 1 and alone.problems, alone.describe()
    merged = owlapi.check(ontology[0], FIXTURES / "syntax_error.ttl")
    assert merged.returncode == 1
    assert any(p.startswith("[parse]") and "syntax_error.ttl" in p for p in merged.problems), merged.describe()


def test_dl_check_reports_date_literal_and_undeclared_terms_in_data(owlapi: OwlApiTool) -> None:
    ontology, _ = ontology_and_data_files()
    dated = owlapi.check(*ontology, FIXTURES / "data_date_on_datatype_property.ttl")
    assert dated.returncode == 1
    # "use of undeclared datatype", or, once a Protégé save has declared xsd:date, "use of defined
    # datatype": either way a DL violation that names xsd:date.
    assert any(p.startswith("[profile]") and "xsd:date" in p for p in dated.problems), dated.describe()
    undeclared = owlapi.check(*ontology, FIXTURES / "data_undeclared_terms.ttl")
    assert undeclared.returncode == 1
    assert any("undeclared class" in p and "Treaty" in p for p in undeclared.problems), undeclared.describe()
    assert any("ratifiedBy" in p for p in undeclared.problems), undeclared.describe()


def test_imports_resolve_through_the_catalog_and_never_from_the_network(owlapi: OwlApiTool) -> None:
    resolved = owlapi.check(FIXTURES / "imports" / "main.ttl")
    assert resolved.clean, resolved.describe()
    refused = owlapi.run("check", FIXTURES / "import_not_in_catalog.ttl", timeout=60)
    assert refused.returncode == 1
    assert any("refusing to fetch" in p for p in refused.problems), refused.describe()


def test_hermit_reports_inconsistency(tmp_path: Path) -> None:
    result = _hermit_on([FIXTURES / "inconsistent.ttl"], tmp_path)
    assert not result.consistent, result.describe()


def test_hermit_reports_unsatisfiable_class(tmp_path: Path) -> None:
    result = _hermit_on([FIXTURES / "unsatisfiable_class.ttl"], tmp_path)
    assert result.consistent, result.describe()
    assert result.unsatisfiable == ["http://example.org/fixture#PersonCountry"], result.describe()


def test_hermit_reports_date_literal_in_data(tmp_path: Path) -> None:
    ontology, _ = ontology_and_data_files()
    result = _hermit_on([*ontology, FIXTURES / "data_date_on_datatype_property.ttl"], tmp_path)
    assert result.datatype_errors, result.describe()
    assert not result.consistent

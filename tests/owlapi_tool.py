"""Runs the OWL API (tests/owlapi/OntologyCheck.java) and HermiT from the tests, offline.

The Java tool is compiled once per test session into a pytest temporary folder, against the
OWL API that Debian installs in /usr/share/java (`apt-get install -y libowlapi-java`). HermiT is
the one bundled in the owlready2 package. Missing tools fail the tests with a message that says
what to install: these tests never skip.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest

from graphsvc import project
from graphsvc.rdf_files import SUFFIX_FORMATS

TESTS_DIR = Path(__file__).resolve().parent
JAVA_SOURCE = TESTS_DIR / "owlapi" / "OntologyCheck.java"
JAVA_LIB = Path("/usr/share/java")
FIXTURES = TESTS_DIR / "data" / "owl"
CATALOG_NS = "urn:oasis:names:tc:entity:xmlns:xml:catalog"
OWL_IMPORTS = ox.NamedNode("http://www.w3.org/2002/07/owl#imports")
OWL_NOTHING = "http://www.w3.org/2002/07/owl#Nothing"
OWL_THING = "http://www.w3.org/2002/07/owl#Thing"


INSTALL_HINT = (
    "install the test tools: `apt-get install -y default-jdk-headless libowlapi-java` "
    "and `pip install owlready2` (HermiT comes with it)"
)


def ontology_and_data_files() -> tuple[list[Path], list[Path]]:
    """The ontology's files (honouring GRAPHSVC_ONTOLOGY_DIR) and every file of data/ right now."""
    ontology = project.ontology_files()
    if not ontology:
        pytest.fail("no ontology file found (graphsvc.project.ontology_files() is empty)")
    return ontology, project.data_files()


# ----------------------------------------------------------------------------- Java and the OWL API


def _require(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        pytest.fail(f"`{program}` is not on PATH; {INSTALL_HINT}")
    return found


def owlapi_classpath() -> list[str]:
    """Every jar of /usr/share/java once (the OWL API and all its dependencies).

    Debian installs several slf4j bindings there; only slf4j-jdk14 is kept, so that the OWL API
    logs through java.util.logging, where OntologyCheck collects parser warnings.
    """
    if not any(JAVA_LIB.glob("owlapi-distribution*.jar")) and not any(JAVA_LIB.glob("owlapi-api*.jar")):
        pytest.fail(f"no OWL API jars in {JAVA_LIB}; {INSTALL_HINT}")
    seen: set[str] = set()
    jars: list[str] = []
    for jar in sorted(JAVA_LIB.glob("*.jar")):
        real = os.path.realpath(jar)
        if real in seen:
            continue
        seen.add(real)
        if jar.name.startswith("jul-to-slf4j"):
            continue
        try:
            with zipfile.ZipFile(real) as archive:
                names = set(archive.namelist())
        except (OSError, zipfile.BadZipFile):
            continue
        if "org/slf4j/impl/StaticLoggerBinder.class" in names and not jar.name.startswith("slf4j-jdk14"):
            continue
        jars.append(real)
    return jars


@dataclass
class ToolResult:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def problems(self) -> list[str]:
        """The tool's problem lines, each starting with a tag such as [profile] or [parse]."""
        return [line for line in self.stdout.splitlines() if line.startswith("[")]

    @property
    def clean(self) -> bool:
        return self.returncode == 0 and not self.problems and "OK" in self.stdout

    def describe(self) -> str:
        return (f"$ OntologyCheck {' '.join(self.args)}\nexit {self.returncode}\n"
                f"{self.stdout[-6000:]}\n{self.stderr[-3000:]}")


@dataclass
class OwlApiTool:
    classes: Path
    classpath: list[str]
    java: str = field(default_factory=lambda: _require("java"))

    def run(self, *args: str | Path, timeout: float = 180) -> ToolResult:
        argv = [str(a) for a in args]
        cp = os.pathsep.join([str(self.classes), *self.classpath])
        proc = subprocess.run([self.java, "-cp", cp, "OntologyCheck", *argv],
                              capture_output=True, text=True, timeout=timeout)
        return ToolResult(argv, proc.returncode, proc.stdout, proc.stderr)

    def check(self, *files: Path) -> ToolResult:
        return self.run("check", *files)

    def resave(self, source: Path, target: Path) -> ToolResult:
        return self.run("resave", source, target)


_TOOL: OwlApiTool | None = None


def build_tool(tmp_path_factory: pytest.TempPathFactory) -> OwlApiTool:
    """Compile OntologyCheck.java once per session (cached across test modules)."""
    global _TOOL
    if _TOOL is None:
        javac = _require("javac")
        _require("java")
        classpath = owlapi_classpath()
        classes = tmp_path_factory.mktemp("owlapi-classes")
        proc = subprocess.run(
            [javac, "-nowarn", "-encoding", "UTF-8", "-d", str(classes),
             "-cp", os.pathsep.join(classpath), str(JAVA_SOURCE)],
            capture_output=True, text=True, timeout=300,
        )
        if proc.returncode != 0:
            pytest.fail(f"javac could not compile {JAVA_SOURCE.name} against {JAVA_LIB}:\n"
                        f"{proc.stdout}\n{proc.stderr}\n{INSTALL_HINT}")
        _TOOL = OwlApiTool(classes, classpath)
    return _TOOL


@pytest.fixture(scope="session")
def owlapi(tmp_path_factory: pytest.TempPathFactory) -> OwlApiTool:
    """The compiled OntologyCheck tool."""
    return build_tool(tmp_path_factory)


# ----------------------------------------------------------------------------- catalog and merging


def catalog_entries(catalog: Path) -> dict[str, str]:
    """name -> uri of every <uri> entry of a Protégé XML catalog (at any depth, groups included)."""
    root = ElementTree.parse(catalog).getroot()
    return {e.get("name", ""): e.get("uri", "") for e in root.iter(f"{{{CATALOG_NS}}}uri")}


def read_quads(path: Path) -> list[ox.Quad]:
    fmt = SUFFIX_FORMATS.get(path.suffix)
    if fmt is None:
        pytest.fail(f"{path}: unknown RDF file suffix")
    with path.open("rb") as handle:
        return list(ox.parse(handle, format=fmt, base_iri=path.as_uri()))


def merge_files(files: list[Path], target: Path) -> Path:
    """Write the union of the files' triples (graph names dropped) as RDF/XML for HermiT.

    owl:imports are followed through catalog-v001.xml beside the importing file and their
    targets merged in, so HermiT never fetches anything; an import not in a catalog fails here.
    """
    triples: set[ox.Triple] = set()
    pending = list(files)
    done: set[Path] = set()
    while pending:
        path = pending.pop(0).resolve()
        if path in done:
            continue
        done.add(path)
        for quad in read_quads(path):
            if quad.predicate == OWL_IMPORTS:
                catalog = path.parent / "catalog-v001.xml"
                entries = catalog_entries(catalog) if catalog.is_file() else {}
                iri = quad.object.value
                if iri not in entries:
                    pytest.fail(f"{path.name} imports <{iri}>, which has no entry in {catalog}; "
                                "add one (relative path) so that it resolves offline")
                pending.append(path.parent / entries[iri])
                continue
            triples.add(ox.Triple(quad.subject, quad.predicate, quad.object))
    with target.open("wb") as out:
        ox.serialize(sorted(triples, key=str), out, format=ox.RdfFormat.RDF_XML)
    return target


# ----------------------------------------------------------------------------- HermiT


def hermit_jar() -> Path:
    try:
        import owlready2
    except ImportError:
        pytest.fail(f"owlready2 is not installed, so HermiT is missing; {INSTALL_HINT}")
    jar = Path(owlready2.__file__).resolve().parent / "hermit" / "HermiT.jar"
    if not jar.is_file():
        pytest.fail(f"HermiT.jar not found at {jar}; {INSTALL_HINT}")
    return jar


@dataclass
class HermitResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + "\n" + self.stderr

    @property
    def consistent(self) -> bool:
        return self.returncode == 0 and f"{OWL_THING} is satisfiable." in self.stdout.splitlines()

    @property
    def unsatisfiable(self) -> list[str] | None:
        """Classes HermiT lists as equivalent to owl:Nothing (owl:Nothing left out); None if no list."""
        lines = self.stdout.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("Classes equivalent to") and "Nothing" in line:
                members = []
                for member in lines[i + 1:]:
                    if not member.startswith(("\t", " ")):
                        break
                    members.append(member.strip())
                return [m for m in members if m not in (OWL_NOTHING, "owl:Nothing")]
        return None

    @property
    def datatype_errors(self) -> list[str]:
        return [line for line in self.output.splitlines()
                if re.search(r"unsupported ?datatype|not part of the OWL 2 datatype map", line, re.I)]

    def describe(self) -> str:
        return f"HermiT exit {self.returncode}\n{self.stdout[-4000:]}\n{self.stderr[-4000:]}"


def run_hermit(path: Path, timeout: float = 240) -> HermitResult:
    """HermiT's command line: consistency (-k) and unsatisfiable classes (-U), full IRIs (-N)."""
    java = _require("java")
    jar = hermit_jar()
    cp = os.pathsep.join([str(jar), str(jar.parent)])
    proc = subprocess.run(
        [java, "-Dhttp.proxyHost=127.0.0.1", "-Dhttp.proxyPort=9",
         "-Dhttps.proxyHost=127.0.0.1", "-Dhttps.proxyPort=9",
         "-cp", cp, "org.semanticweb.HermiT.cli.CommandLine", "-k", "-U", "-N", path.resolve().as_uri()],
        capture_output=True, text=True, timeout=timeout,
    )
    return HermitResult(proc.returncode, proc.stdout, proc.stderr)

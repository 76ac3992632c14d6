import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import javax.xml.parsers.DocumentBuilderFactory;

import org.eclipse.rdf4j.model.Model;
import org.eclipse.rdf4j.model.Namespace;
import org.eclipse.rdf4j.model.impl.LinkedHashModel;
import org.eclipse.rdf4j.rio.RDFFormat;
import org.eclipse.rdf4j.rio.RDFParseException;
import org.eclipse.rdf4j.rio.Rio;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.PrefixDocumentFormat;
import org.semanticweb.owlapi.formats.TurtleDocumentFormat;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.io.OWLOntologyDocumentSource;
import org.semanticweb.owlapi.io.OWLOntologyLoaderMetaData;
import org.semanticweb.owlapi.io.RDFParserMetaData;
import org.semanticweb.owlapi.io.StreamDocumentSource;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyIRIMapper;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Checks the ontology the way Protégé and ROBOT see it, with the OWL API only, and offline.
 *
 * <pre>
 *   check FILE...   load all files as one ontology (the first is the ontology, the others are
 *                   data merged into it); print one line per parse problem and per OWL 2 DL
 *                   profile violation; exit 1 if there is any, 0 otherwise.
 *   resave IN OUT   load IN and save it as Turtle through the OWL API, as Protégé's "Save" does.
 * </pre>
 *
 * Problem lines start with a tag in brackets: [parse], [unparsed], [guessed], [import],
 * [loader], [profile]. A clean check prints one line starting with "OK".
 *
 * Nothing is fetched from the network: owl:imports resolve only through the XML catalog
 * (catalog-v001.xml) beside the first file; any other import fails loudly.
 */
public final class OntologyCheck {

    private OntologyCheck() {
    }

    public static void main(String[] args) {
        blockNetwork();
        if (args.length >= 2 && args[0].equals("check")) {
            List<File> files = new ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                files.add(new File(args[i]).getAbsoluteFile());
            }
            System.exit(check(files));
        } else if (args.length == 3 && args[0].equals("resave")) {
            System.exit(resave(new File(args[1]).getAbsoluteFile(), new File(args[2]).getAbsoluteFile()));
        }
        System.err.println("usage: OntologyCheck check ONTOLOGY.ttl [DATA_FILE...]");
        System.err.println("       OntologyCheck resave IN.ttl OUT.ttl");
        System.exit(2);
    }

    // ------------------------------------------------------------------ offline

    /** Belt and braces: should anything still try HTTP, it hits a closed local port at once. */
    private static void blockNetwork() {
        for (String scheme : new String[] {"http", "https"}) {
            System.setProperty(scheme + ".proxyHost", "127.0.0.1");
            System.setProperty(scheme + ".proxyPort", "9");
            System.setProperty(scheme + ".nonProxyHosts", "");
        }
        System.setProperty("java.net.useSystemProxies", "false");
    }

    /** Resolves owl:imports through Protégé XML catalogs; refuses every other import. */
    static final class CatalogIRIMapper implements OWLOntologyIRIMapper {
        private static final long serialVersionUID = 1L;
        private final Map<IRI, IRI> entries = new LinkedHashMap<>();
        private final List<String> catalogs = new ArrayList<>();

        void read(File catalog) throws Exception {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setExpandEntityReferences(false);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc = factory.newDocumentBuilder().parse(catalog);
            NodeList uris = doc.getElementsByTagNameNS("*", "uri");
            File base = catalog.getParentFile();
            for (int i = 0; i < uris.getLength(); i++) {
                Element uri = (Element) uris.item(i);
                String name = uri.getAttribute("name");
                String target = uri.getAttribute("uri");
                if (name.isEmpty() || target.isEmpty()) {
                    throw new IllegalArgumentException(catalog + ": <uri> entry without name or uri");
                }
                if (target.contains(":")) {
                    throw new IllegalArgumentException(catalog + ": entry for <" + name
                        + "> points at '" + target + "', not a relative path");
                }
                entries.put(IRI.create(name), IRI.create(new File(base, target).getCanonicalFile()));
            }
            catalogs.add(catalog.getName());
        }

        @Override
        public IRI getDocumentIRI(IRI ontologyIRI) {
            IRI document = entries.get(ontologyIRI);
            if (document != null) {
                return document;
            }
            throw new IllegalStateException("import <" + ontologyIRI + "> has no entry in "
                + (catalogs.isEmpty() ? "any catalog (no catalog-v001.xml found)" : String.join(", ", catalogs))
                + "; refusing to fetch it from the network");
        }
    }

    private static OWLOntologyManager newManager(File first, List<String> problems) {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        manager.getIRIMappers().clear();
        CatalogIRIMapper mapper = new CatalogIRIMapper();
        File catalog = new File(first.getParentFile(), "catalog-v001.xml");
        if (catalog.isFile()) {
            try {
                mapper.read(catalog);
            } catch (Exception e) {
                problems.add("[import] cannot read " + catalog.getName() + ": " + oneLine(e.toString()));
            }
        }
        manager.getIRIMappers().add(mapper);
        return manager;
    }

    /** The configuration of the check: Protégé's defaults, but nothing silently repaired or fetched. */
    private static OWLOntologyLoaderConfiguration strictConfig() {
        return new OWLOntologyLoaderConfiguration()
            .setStrict(false)
            .setRepairIllegalPunnings(false)
            .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.THROW_EXCEPTION)
            .setConnectionTimeout(1000)
            .setRetriesToAttempt(1)
            .setFollowRedirects(false)
            .setReportStackTraces(false);
    }

    // ------------------------------------------------------------------ logging

    /** Collects warnings that the OWL API logs while parsing (slf4j bound to java.util.logging). */
    static final class Collector extends Handler {
        final List<String> messages = new ArrayList<>();

        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                String text = record.getMessage();
                if (record.getParameters() != null) {
                    text = text + " " + java.util.Arrays.toString(record.getParameters());
                }
                messages.add(oneLine(record.getLoggerName() + ": " + text));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private static Collector collectLogs() {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        Collector collector = new Collector();
        root.addHandler(collector);
        root.setLevel(Level.WARNING);
        return collector;
    }

    // ------------------------------------------------------------------ check

    static int check(List<File> files) {
        List<String> problems = new ArrayList<>();
        Collector logs = collectLogs();
        for (File f : files) {
            if (!f.isFile()) {
                problems.add("[parse] " + f + ": no such file");
            }
        }
        OWLOntology ontology = null;
        if (problems.isEmpty()) {
            OWLOntologyManager manager = newManager(files.get(0), problems);
            try {
                OWLOntologyDocumentSource source = files.size() == 1
                    ? new FileDocumentSource(files.get(0), new TurtleDocumentFormat())
                    : merged(files, problems);
                if (source != null) {
                    ontology = manager.loadOntologyFromOntologyDocument(source, strictConfig());
                }
            } catch (Throwable e) {
                problems.add("[loader] " + oneLine(e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
            if (ontology != null) {
                reportLoaderMetaData(manager.getOntologyFormat(ontology), problems);
            }
        }
        for (String message : logs.messages) {
            problems.add("[loader] " + message);
        }
        int axioms = 0;
        if (ontology != null) {
            axioms = ontology.getAxiomCount();
            OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
            for (OWLProfileViolation v : report.getViolations()) {
                problems.add("[profile] " + oneLine(v.toString()));
            }
        }
        for (String p : problems) {
            System.out.println(p);
        }
        if (!problems.isEmpty()) {
            System.out.println("FAILED: " + problems.size() + " problem(s)");
            return 1;
        }
        System.out.println("OK: " + files.size() + " file(s), " + axioms + " axioms, in the OWL 2 DL profile");
        return 0;
    }

    private static void reportLoaderMetaData(OWLDocumentFormat format, List<String> problems) {
        if (format == null) {
            problems.add("[loader] no document format recorded");
            return;
        }
        Optional<OWLOntologyLoaderMetaData> meta = format.getOntologyLoaderMetaData();
        if (!meta.isPresent() || !(meta.get() instanceof RDFParserMetaData)) {
            problems.add("[loader] no RDF parser metadata: was the input parsed as RDF?");
            return;
        }
        RDFParserMetaData rdf = (RDFParserMetaData) meta.get();
        rdf.getUnparsedTriples().forEach(t -> problems.add("[unparsed] " + oneLine(t.toString())));
        rdf.getGuessedDeclarations().asMap().forEach((iri, kinds) -> {
            List<String> names = new ArrayList<>();
            for (Class<?> k : kinds) {
                names.add(k.getSimpleName());
            }
            problems.add("[guessed] <" + iri + "> is not declared; the parser guessed " + names);
        });
    }

    /** All files parsed with Rio into one graph, written as Turtle for the OWL API to load. */
    private static OWLOntologyDocumentSource merged(List<File> files, List<String> problems) throws Exception {
        Model model = new LinkedHashModel();
        for (File f : files) {
            Optional<RDFFormat> format = Rio.getParserFormatForFileName(f.getName());
            if (!format.isPresent()) {
                problems.add("[parse] " + f + ": unknown RDF format");
                continue;
            }
            try (InputStream in = new FileInputStream(f)) {
                Model part = Rio.parse(in, f.toURI().toString(), format.get());
                for (Namespace ns : part.getNamespaces()) {
                    if (!model.getNamespace(ns.getPrefix()).isPresent()) {
                        model.setNamespace(ns);
                    }
                }
                model.addAll(part);
            } catch (RDFParseException e) {
                problems.add("[parse] " + f + ": line " + e.getLineNumber() + ": " + oneLine(e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Rio.write(model, out, RDFFormat.TURTLE);
        return new StreamDocumentSource(new ByteArrayInputStream(out.toByteArray()),
            IRI.create(files.get(0)), new TurtleDocumentFormat(), null);
    }

    // ------------------------------------------------------------------ resave

    static int resave(File in, File out) {
        List<String> problems = new ArrayList<>();
        OWLOntologyManager manager = newManager(in, problems);
        try {
            // Protégé opens files with the default configuration; so does this.
            OWLOntology ontology = manager.loadOntologyFromOntologyDocument(
                new FileDocumentSource(in, new TurtleDocumentFormat()), new OWLOntologyLoaderConfiguration());
            OWLDocumentFormat loaded = manager.getOntologyFormat(ontology);
            TurtleDocumentFormat turtle = new TurtleDocumentFormat();
            if (loaded != null && loaded.isPrefixOWLDocumentFormat()) {
                PrefixDocumentFormat prefixes = loaded.asPrefixOWLDocumentFormat();
                turtle.copyPrefixesFrom(prefixes);
            }
            manager.saveOntology(ontology, turtle, IRI.create(out));
        } catch (Throwable e) {
            problems.add("[loader] " + oneLine(e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        for (String p : problems) {
            System.out.println(p);
        }
        if (!problems.isEmpty()) {
            return 1;
        }
        System.out.println("OK: saved " + out.getName());
        return 0;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}

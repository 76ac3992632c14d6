"""The words of the genre: how press notes, instrument texts and news name kinds, stages and clauses.

These are rules about the language of Cabinet notes on memoranda, of agreement texts with
numbered clauses and of news on joint declarations, not facts about any one document. Each
table maps lower-case word sequences (as spaCy tokens) to a term of the vocabulary, with the
confidence a reviewer can sort by.
"""

from __future__ import annotations

IDD = "https://w3id.org/iddkg/ontology#"

# Classical combining forms that stand for a country in compounds such as "Indo-French".
COMBINING_FORMS = {"Indo": "IN", "Franco": "FR", "Sino": "CN", "Anglo": "GB", "Russo": "RU", "Nippo": "JP",
                   "Italo": "IT", "Hispano": "ES", "Luso": "PT", "Germano": "DE", "Austro": "AT", "Greco": "GR"}

# Names of instrument kinds, singular and plural, as token sequences (lower case).
KIND_WORDS: list[tuple[tuple[str, ...], str, float]] = [
    (("memorandum", "of", "understanding"), IDD + "MemorandumOfUnderstanding", 0.95),
    (("memoranda", "of", "understanding"), IDD + "MemorandumOfUnderstanding", 0.95),
    (("memorandums", "of", "understanding"), IDD + "MemorandumOfUnderstanding", 0.95),
    (("mou",), IDD + "MemorandumOfUnderstanding", 0.95),
    (("mous",), IDD + "MemorandumOfUnderstanding", 0.95),
    (("memorandum", "of", "cooperation"), IDD + "MemorandumOfCooperation", 0.95),
    (("memoranda", "of", "cooperation"), IDD + "MemorandumOfCooperation", 0.95),
    (("memorandum", "of", "co", "-", "operation"), IDD + "MemorandumOfCooperation", 0.95),
    (("moc",), IDD + "MemorandumOfCooperation", 0.95),
    (("mocs",), IDD + "MemorandumOfCooperation", 0.95),
    (("joint", "declaration", "of", "intent"), IDD + "JointDeclarationOfIntent", 0.95),
    (("joint", "declarations", "of", "intent"), IDD + "JointDeclarationOfIntent", 0.95),
    (("jdi",), IDD + "JointDeclarationOfIntent", 0.95),
    (("jdis",), IDD + "JointDeclarationOfIntent", 0.95),
    (("free", "trade", "agreement"), IDD + "FreeTradeAgreement", 0.95),
    (("free", "trade", "agreements"), IDD + "FreeTradeAgreement", 0.95),
    (("fta",), IDD + "FreeTradeAgreement", 0.9),
    (("ftas",), IDD + "FreeTradeAgreement", 0.9),
    (("comprehensive", "economic", "partnership", "agreement"), IDD + "FreeTradeAgreement", 0.85),
    (("comprehensive", "economic", "cooperation", "agreement"), IDD + "FreeTradeAgreement", 0.85),
    (("industrial", "promotion", "agreement"), IDD + "IndustrialPromotionAgreement", 0.9),
    (("industrial", "promotion", "agreements"), IDD + "IndustrialPromotionAgreement", 0.9),
    (("strategic", "partnership"), IDD + "StrategicPartnership", 0.8),
    (("roadmap",), IDD + "Roadmap", 0.9),
    (("road", "map"), IDD + "Roadmap", 0.9),
    (("road", "-", "map"), IDD + "Roadmap", 0.9),
    (("joint", "action", "plan"), IDD + "Roadmap", 0.6),
    (("agreement",), IDD + "Agreement", 0.75),
    (("agreements",), IDD + "Agreement", 0.75),
    (("pact",), IDD + "Agreement", 0.75),
    (("pacts",), IDD + "Agreement", 0.75),
    (("accord",), IDD + "Agreement", 0.7),
    (("treaty",), IDD + "Agreement", 0.7),
    (("ministerial", "declaration"), IDD + "MinisterialDeclaration", 0.85),
    (("ministerial", "declarations"), IDD + "MinisterialDeclaration", 0.85),
    (("ministerial", "statement"), IDD + "MinisterialDeclaration", 0.8),
    (("joint", "declaration"), IDD + "Declaration", 0.8),
    (("joint", "declarations"), IDD + "Declaration", 0.8),
    (("joint", "statement"), IDD + "Declaration", 0.7),
    (("declaration",), IDD + "Declaration", 0.65),
    (("declarations",), IDD + "Declaration", 0.65),
    (("communique",), IDD + "Communique", 0.8),
    (("communiqué",), IDD + "Communique", 0.8),
    (("joint", "communique"), IDD + "Communique", 0.85),
    (("joint", "communiqué"), IDD + "Communique", 0.85),
]
PLURAL_KIND_WORDS = {"memoranda", "memorandums", "mous", "mocs", "jdis", "agreements", "ftas", "pacts",
                     "declarations"}
# A named programme of cooperation ("the Japan-India Startup Initiative") is an instrument of kind
# initiative when it was concurred, signed or launched by parties.
INITIATIVE_WORD = "initiative"
ABBREVIATION = {IDD + "MemorandumOfUnderstanding": "mou", IDD + "MemorandumOfCooperation": "moc",
                IDD + "JointDeclarationOfIntent": "jdi", IDD + "FreeTradeAgreement": "fta",
                IDD + "Roadmap": "roadmap", IDD + "Agreement": "agreement", IDD + "StrategicPartnership": "strategic-partnership",
                IDD + "MinisterialDeclaration": "declaration", IDD + "Initiative": "initiative",
                IDD + "Declaration": "declaration", IDD + "Communique": "communique",
                IDD + "IndustrialPromotionAgreement": "agreement"}

# Stages an instrument is reported at, from the verbs around its name (lower-case token sequences).
SIGNED, APPROVED, PLANNED, ANNOUNCED = (IDD + "Signed", IDD + "ApprovedForSigning", IDD + "Planned",
                                         IDD + "Announced")
STATUS_WORDS: list[tuple[tuple[str, ...], str, float]] = [
    (("signed",), SIGNED, 0.9), (("inked",), SIGNED, 0.85), (("concluded",), SIGNED, 0.8),
    (("concurred",), SIGNED, 0.8), (("entered", "into"), SIGNED, 0.8), (("is", "made", "on"), SIGNED, 0.85),
    (("was", "made", "on"), SIGNED, 0.85), (("exchanged",), SIGNED, 0.75), (("executed",), SIGNED, 0.75),
    (("ex", "-", "post", "facto", "approval"), SIGNED, 0.85), (("apprised", "of"), SIGNED, 0.7),
    (("approved", "the", "signing"), APPROVED, 0.95), (("approves", "the", "signing"), APPROVED, 0.95),
    (("approval", "for", "signing"), APPROVED, 0.95), (("approved",), APPROVED, 0.8),
    (("approves",), APPROVED, 0.8), (("approval",), APPROVED, 0.7),
    (("expected", "to", "finalise"), PLANNED, 0.85), (("expected", "to", "finalize"), PLANNED, 0.85),
    (("expected", "to", "sign"), PLANNED, 0.85), (("likely", "to", "sign"), PLANNED, 0.85),
    (("set", "to", "sign"), PLANNED, 0.85), (("will", "sign"), PLANNED, 0.8), (("to", "be", "signed"), PLANNED, 0.8),
    (("plan", "to", "sign"), PLANNED, 0.8), (("plans", "to", "sign"), PLANNED, 0.8),
    (("planned", "to", "sign"), PLANNED, 0.8), (("would", "sign"), PLANNED, 0.7), (("proposed",), PLANNED, 0.6),
    (("to", "finalise"), PLANNED, 0.7), (("to", "finalize"), PLANNED, 0.7), (("negotiating",), PLANNED, 0.6),
    (("announced",), ANNOUNCED, 0.8), (("launched",), ANNOUNCED, 0.7), (("unveiled",), ANNOUNCED, 0.7),
    (("adopted",), ANNOUNCED, 0.65),
]
# Which date property a status verb makes of a date in its clause.
DATE_PROPERTY_FOR_STATUS = {SIGNED: IDD + "signingDate", ANNOUNCED: IDD + "announcementDate"}
YEAR_ONLY_PROPERTY = IDD + "announcementDate"  # a year alone is never a signing date (shapes/)

# Anaphors that stand for "the two countries" of a news item.
PAIR_ANAPHORS = [("the", "two", "sides"), ("the", "two", "countries"), ("the", "two", "nations"),
                 ("both", "countries"), ("both", "sides"), ("both", "nations"), ("the", "countries"),
                 ("the", "two", "governments")]

# Heads of organisation names that the graph may not know yet ("Ministry of Digital Affairs").
ORGANISATION_HEADS = {"ministry": IDD + "Ministry", "department": IDD + "Ministry", "agency": IDD + "Agency",
                      "commission": IDD + "Agency", "authority": IDD + "Agency", "office": IDD + "Agency",
                      "secretariat": IDD + "Agency", "bureau": IDD + "Agency"}
NAME_CONNECTORS = {"and", "&", ",", "of", "for", "the"}
HONORIFICS = {"shri", "smt", "smt.", "mr", "mr.", "ms", "ms.", "mrs", "mrs.", "dr", "dr.", "h.e.", "he", "prof",
              "prof.", "hon'ble", "hon", "sri", "sheri", "excellency", "his", "her", "h.", "e."}
POST_HEADS = {"minister", "secretary", "ambassador", "president", "prime", "vice", "deputy", "director",
              "chairman", "chairperson", "state", "union", "commissioner", "governor", "high", "chief",
              "parliamentary", "under"}

# Words that open a clause about something else, where an instrument's clause ends.
CLAUSE_BREAKS = {"when", "while", "whereas", "although", "because", ";"}

# Clauses of agreement texts: cue words (lower-case token sequences) for each provision kind.
PROVISION_WORDS: list[tuple[tuple[str, ...], str]] = [
    (("commence",), IDD + "CommencementProvision"), (("start", "on", "the"), IDD + "CommencementProvision"),
    (("enter", "into", "force"), IDD + "CommencementProvision"), (("come", "into", "force"), IDD + "CommencementProvision"),
    (("come", "into", "effect"), IDD + "CommencementProvision"), (("take", "effect"), IDD + "CommencementProvision"),
    (("renewed",), IDD + "RenewalProvision"), (("extended",), IDD + "RenewalProvision"),
    (("renewal",), IDD + "RenewalProvision"),
    (("discontinue",), IDD + "DiscontinuationProvision"), (("terminate",), IDD + "DiscontinuationProvision"),
    (("termination",), IDD + "DiscontinuationProvision"),
    (("modified",), IDD + "ModificationProvision"), (("amended",), IDD + "ModificationProvision"),
    (("dispute",), IDD + "DisputeSettlementProvision"), (("disputes",), IDD + "DisputeSettlementProvision"),
    (("costs",), IDD + "FundingProvision"), (("expenses",), IDD + "FundingProvision"),
    (("kept", "confidential"), IDD + "ConfidentialityProvision"), (("confidentiality",), IDD + "ConfidentialityProvision"),
    (("intellectual", "property"), IDD + "IntellectualPropertyProvision"),
    (("legal", "obligations"), IDD + "LegalStatusProvision"), (("legally", "binding"), IDD + "LegalStatusProvision"),
    (("nodal", "agencies"), IDD + "ImplementationProvision"), (("nodal", "agency"), IDD + "ImplementationProvision"),
    (("joint", "working", "group"), IDD + "ImplementationProvision"),
]
DURATION_CUES = {"last", "remain", "valid", "force", "period", "duration", "continue", "term", "years", "year"}
NOTICE_CUES = {"notice", "advance"}
WRITTEN_CONSENT = ("written", "consent")
NOT_BINDING = [("does", "not", "create", "any", "legal", "obligations"), ("not", "legally", "binding"),
               ("does", "not", "create", "legal", "obligations"), ("non", "-", "binding")]

# Events: nouns and verbs that name them, with the class of event they make.
EVENT_WORDS: list[tuple[tuple[str, ...], str]] = [
    (("roundtable",), IDD + "Roundtable"), (("round", "table"), IDD + "Roundtable"),
    (("summit",), IDD + "Summit"), (("meets",), IDD + "Meeting"), (("will", "meet"), IDD + "Meeting"),
    (("met",), IDD + "Meeting"), (("meeting",), IDD + "Meeting"), (("visit",), IDD + "Visit"),
    (("conference",), IDD + "Conference"), (("symposium",), IDD + "Conference"), (("dialogue",), IDD + "Meeting"),
    (("fair",), IDD + "Fair"), (("expo",), IDD + "Fair"), (("exhibition",), IDD + "Fair"),
]
EVENT_ANAPHORS = {"event", "roundtable", "summit", "meeting", "discussions", "conference", "dialogue"}
OUTCOME_CUES = {"takeaways", "outcomes", "outcome", "results", "agreed", "decided", "conclusions"}
ORGANISED_CUES = {"organized", "organised", "hosted", "convened"}
SIDE_EVENT = ("side", "-", "event")

# Concepts that describe the form of cooperation rather than its field.
FORM_OF_COOPERATION = {"bilateral cooperation", "multilateral cooperation"}

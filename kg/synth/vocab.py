"""The fixed vocabulary of the synthetic corpus (see :mod:`kg.synth.corpus`).

The real registry's entities (indications, antigens, phases, measures, drug classes, with their
keys, names and verified identifiers), the meeting series, and the word lists the random world
and the articles are drawn from. Data only: nothing here draws a random number.
"""

from __future__ import annotations

import re

# key, label, synonyms, verified identifiers (from the real registry), is a treatment target
INDICATIONS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], bool], ...] = (
    ("autoimmune-disease", "autoimmune disease", ("autoimmune diseases", "autoimmune conditions"),
     (), False),
    ("systemic-sclerosis", "systemic sclerosis", ("SSc",),
     ("MONDO:0005100", "DOID:418", "MESH:D012595", "NCIT:C72070"), True),
    ("diffuse-cutaneous-ssc", "diffuse cutaneous systemic sclerosis", ("diffuse SSc", "dcSSc"),
     ("MONDO:0016356", "NCIT:C116791"), True),
    ("ssc-ild", "systemic sclerosis-associated interstitial lung disease", ("SSc-ILD",), (), True),
    ("sle", "systemic lupus erythematosus", ("SLE", "lupus"),
     ("MONDO:0007915", "DOID:9074", "MESH:D008180", "NCIT:C3201"), True),
    ("lupus-nephritis", "lupus nephritis", ("LN",),
     ("MONDO:0005556", "DOID:0080162", "MESH:D008181", "NCIT:C34789"), True),
    ("idiopathic-inflammatory-myopathy", "idiopathic inflammatory myopathy",
     ("IIM", "idiopathic inflammatory myopathies"), ("MONDO:0600023", "NCIT:C116796"), True),
    ("myositis", "myositis", (), ("MONDO:0021167", "DOID:633", "MESH:D009220", "NCIT:C27578"),
     True),
    ("dermatomyositis", "dermatomyositis", ("DM",),
     ("MONDO:0016367", "DOID:10223", "MESH:D003882", "NCIT:C26744"), True),
    ("antisynthetase-syndrome", "antisynthetase syndrome", ("ASyS",),
     ("MONDO:0019344", "DOID:0080744", "MESH:C537778"), True),
    ("psoriatic-arthritis", "psoriatic arthritis", ("PsA",),
     ("MONDO:0011849", "DOID:9008", "MESH:D015535", "NCIT:C61277"), True),
    ("rheumatoid-arthritis", "rheumatoid arthritis", ("RA",),
     ("MONDO:0008383", "DOID:7148", "MESH:D001172", "NCIT:C2884"), True),
    ("lymphoma", "lymphoma", ("lymphomas",), (), False),
    ("multiple-sclerosis", "multiple sclerosis", ("MS",), (), True),
    ("myasthenia-gravis", "myasthenia gravis", ("MG",), (), True),
    ("nmosd", "neuromyelitis optica spectrum disorder", ("NMOSD",), (), True),
    ("anca-vasculitis", "ANCA-associated vasculitis", ("AAV",), (), True),
    ("sjogrens-disease", "Sjögren's disease", ("Sjögren's syndrome",), (), True),
    ("immune-thrombocytopenia", "immune thrombocytopenia", ("ITP",), (), True),
    ("autoimmune-hemolytic-anemia", "autoimmune hemolytic anemia", ("AIHA",), (), True),
    ("pemphigus-vulgaris", "pemphigus vulgaris", (), (), True),
    ("igg4-related-disease", "IgG4-related disease", ("IgG4-RD",), (), True),
    ("membranous-nephropathy", "membranous nephropathy", (), (), True),
    ("cidp", "chronic inflammatory demyelinating polyneuropathy", ("CIDP",), (), True),
    ("stiff-person-syndrome", "stiff person syndrome", ("SPS",), (), True),
)

ANTIGENS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("cd19", "CD19", ("B-lymphocyte antigen CD19",), ("HGNC:1633",)),
    ("bcma", "BCMA", ("B-cell maturation antigen",), ()),
    ("cd20", "CD20", ("B-lymphocyte antigen CD20",), ()),
    ("cd7", "CD7", ("T-cell antigen CD7",), ()),
)

PHASES: tuple[tuple[str, str, str], ...] = (
    ("phase-1", "Phase 1", "Phase I"),
    ("phase-1-2", "Phase 1/2", "Phase I/II"),
    ("phase-2", "Phase 2", "Phase II"),
    ("phase-3", "Phase 3", "Phase III"),
)

# key, label, synonyms, default category
MEASURES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("pfvc", "percent-predicted forced vital capacity", ("pFVC", "ppFVC"), "efficacy"),
    ("lung-function", "lung function", (), "efficacy"),
    ("mrss", "modified Rodnan skin score", ("mRSS",), "efficacy"),
    ("skin-thickness", "skin thickness", ("skin thickening",), "efficacy"),
    ("muscle-strength", "muscle strength", (), "efficacy"),
    ("acr-eular-myositis-response", "ACR/EULAR myositis response (Total Improvement Score)",
     ("Total Improvement Score", "TIS"), "efficacy"),
    ("disease-remission", "disease remission", ("remission",), "efficacy"),
    ("complete-renal-response", "complete renal response", ("CRR",), "efficacy"),
    ("sle-disease-activity", "SLE disease activity", ("SLEDAI-2K",), "efficacy"),
    ("clinical-improvement", "clinical improvement", (), "efficacy"),
    ("immunosuppressant-free", "off immunosuppressive therapy", ("immunosuppressant-free",),
     "efficacy"),
    ("therapy-free", "off all disease-directed therapy", ("therapy-free",), "efficacy"),
    ("car-t-expansion", "CAR T-cell expansion", (), "pharmacodynamic"),
    ("b-cell-depletion", "B-cell depletion", (), "pharmacodynamic"),
    ("naive-b-cell-reemergence", "re-emergence of naive B cells", (), "pharmacodynamic"),
    ("autoantibody-normalisation", "autoantibody normalisation", (), "pharmacodynamic"),
    ("adverse-events", "adverse events", ("AEs",), "safety"),
    ("crs", "cytokine release syndrome", ("CRS",), "safety"),
    ("icans", "immune effector cell-associated neurotoxicity syndrome", ("ICANS",), "safety"),
    ("prolonged-cytopenia", "prolonged cytopenia", (), "safety"),
    ("infections", "infections", (), "safety"),
)

DRUG_CLASSES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("immunosuppressant", "immunosuppressant", ("immunosuppressants",)),
    ("immunomodulator", "immunomodulator", ("immunomodulators",)),
    ("glucocorticoid", "glucocorticoid", ("steroids", "corticosteroid")),
)

MEETING_SERIES: tuple[tuple[str, str, str], ...] = (
    ("acr-convergence", "ACR Convergence {y}", "{y} American College of Rheumatology congress"),
    ("eular", "EULAR {y} Congress", "EULAR {y}"),
    ("ash", "ASH Annual Meeting {y}", "{y} American Society of Hematology meeting"),
    ("aan", "AAN Annual Meeting {y}", "{y} American Academy of Neurology meeting"),
    ("ectrims", "ECTRIMS Congress {y}", "ECTRIMS {y}"),
    ("asn-kidney-week", "ASN Kidney Week {y}", "Kidney Week {y}"),
    ("ebmt", "EBMT Annual Meeting {y}", "EBMT {y}"),
    ("asgct", "ASGCT Annual Meeting {y}", "ASGCT {y}"),
)
#: The years of meetings and article dates; small corpora get the meetings of the first ones.
YEARS = (2025, 2024, 2026, 2023)

SYLLABLES = ("ba", "ce", "di", "fo", "ga", "le", "mi", "no", "pa", "ra", "se", "ti", "vo", "xa",
             "ze", "lu", "ri", "ka", "te", "mo", "ne", "so", "va", "li", "do", "ru", "zi", "ta")
TRIAL_WORDS = ("Lumina", "Kestrel", "Aurora", "Summit", "Clarity", "Phoenix", "Meridian",
               "Cascade", "Zenith", "Harbor", "Atlas", "Nova", "Vertex", "Solace", "Tandem",
               "Beacon", "Compass", "Horizon", "Pinnacle", "Keystone", "Resolve", "Restore",
               "Renew", "Unity", "Vantage", "Sentinel", "Emerge", "Ascend", "Equinox", "Polaris",
               "Odyssey", "Catalyst", "Quantum", "Serene", "Tempo", "Anchor", "Evolve",
               "Liberty", "Radiant", "Spectrum")
SPONSOR_SUFFIXES = ("Bio", "Therapeutics", "Biosciences", "Pharma", "Cell Therapy", "Immune")
CITIES = ("Ann Arbor", "Erlangen", "Boston", "Heidelberg", "Toronto", "Lyon", "Leiden",
          "Uppsala", "Zurich", "Melbourne", "Osaka", "Seoul", "Madrid", "Milan", "Vienna",
          "Oslo", "Helsinki", "Dublin", "Edinburgh", "Manchester", "Montreal", "Chicago",
          "Houston", "Denver", "Seattle", "Atlanta", "Baltimore", "Pittsburgh", "Nashville",
          "Rochester", "Munich", "Hamburg", "Leuven", "Ghent", "Bordeaux", "Barcelona",
          "Bologna", "Prague", "Warsaw", "Copenhagen", "Stockholm", "Gothenburg", "Bergen",
          "Sydney", "Auckland", "Kyoto", "Shanghai", "Singapore", "Tel Aviv", "Cape Town")
ORG_FORMS = ("University of {c}", "{c} University Hospital", "{c} Medical Center")
FIRST_NAMES = ("Dinesh", "Georg", "Maria", "Aiko", "Samuel", "Fatima", "Lukas", "Elena", "Rahul",
               "Ingrid", "Tomás", "Grace", "Yusuf", "Hannah", "Mateo", "Priya", "Oskar", "Chloe",
               "Kenji", "Amara", "Felix", "Sofia", "Daniel", "Leila", "Marco", "Nadia", "Jonas",
               "Ruth", "Victor", "Mei")
LAST_NAMES = ("Khanna", "Schett", "Müller", "Tanaka", "Okafor", "Haddad", "Berg", "Rossi",
              "Mehta", "Larsen", "García", "Chen", "Novak", "Dubois", "Silva", "Kowalski",
              "Nakamura", "Moreau", "Fischer", "Andersen", "Patel", "Costa", "Weber", "Ivanova",
              "O'Brien", "Kim", "Lindqvist", "Santos", "Keller", "Ahmed")
PLATFORMS = ("NEX-T", "FasTCAR", "T-Charge", "rapid-CAR", "Lenti-7", "NovaCell", "CellFlex")
PUBLISHERS = ("Rheumatology Today", "Cell Therapy Wire", "BioPharma Dispatch",
              "Autoimmunity Report", "Clinical Trials Weekly", "Immunology News Desk")
COUNTRIES = ("the United States", "Germany", "France", "Spain", "Italy", "Canada", "Australia",
             "Japan", "the United Kingdom", "the Netherlands")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
NUMBER_WORDS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten")
TIMEFRAMES = ("next year", "this year", "in the second half of the year", "in 2026",
              "later this year", "early next year")
FILLERS = (
    "CAR T-cell therapy reprograms a patient's own T cells to recognise and eliminate "
    "disease-causing cells.",
    "While CAR T therapies have so far been confined mostly to cancer, these studies point to "
    "a wider use.",
    "The approach aims to reset the immune system rather than suppress it for life.",
    "Many of the patients had not responded to several conventional treatments.",
    "Experts caution that the numbers are still small and follow-up is short.",
    "Larger, controlled studies will be needed to confirm the findings.",
    "The field has grown quickly since the first case reports were published.",
    "Investors have followed the autoimmune programmes closely.",
    "Manufacturing capacity remains a challenge for autologous cell therapies.",
    "Patient advocates welcomed the data.",
    "The paradigm is shifting.",
    "What happens after the B cells return is still being studied.",
    "Regulators have signalled openness to single-arm designs in refractory disease.",
    "Competition in the space is intensifying.",
)
TITLES = (
    "{x} Shows Promise in {i}",
    "CAR T Therapy {x} Posts Encouraging {i} Data",
    "{s} Reports Early Results for {x} in Autoimmune Disease",
    "New Data for {x} Presented at {m}",
    "CAR T-Cell Therapy Offers New Hope in {i}",
    "{s} Expands Its Autoimmune Cell Therapy Programme",
)
ARTICLE_KINDS = (("news", 60), ("press-release", 20), ("congress-abstract", 15), ("paper", 5))

#: What a trial's key must look like: lower case, starting with a letter.
PLAIN_KEY = re.compile(r"^[a-z][a-z0-9-]*$")
#: The indications that share outcome measures: systemic sclerosis, lupus, myositis.
DISEASE_FAMILY = {
    **dict.fromkeys(("systemic-sclerosis", "diffuse-cutaneous-ssc", "ssc-ild"), "ssc"),
    **dict.fromkeys(("sle", "lupus-nephritis"), "sle"),
    **dict.fromkeys(("idiopathic-inflammatory-myopathy", "myositis", "dermatomyositis",
                     "antisynthetase-syndrome"), "myo"),
}

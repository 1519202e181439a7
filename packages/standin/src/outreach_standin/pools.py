"""Name pools the seeded crowd draws its users and courses from.

The pools mix plain ASCII with accents, apostrophes, commas, parentheses, ``&``,
``.`` and ``-`` so that every generated name exercises the same escaping paths
as the named fixtures, not just the few rows of ``world.py``. Order matters:
the generator draws by position, so a pool only ever grows at its end.
"""

from __future__ import annotations

# Crowd usernames are "First Last" pairs, shuffled by the seed.
FIRST_NAMES = (
    "Ada", "Adaeze", "Aiko", "Alejandro", "Amara", "Anaïs", "Arjun", "Astrid", "Aylin",
    "Bao", "Beatriz", "Björn", "Chidi", "Chloé", "Dalia", "Dmitri", "Efua", "Elif", "Émile",
    "Farah", "Fatima", "Folake", "Gabriel", "Hana", "Hugo", "Ingrid", "Iñaki", "Jamal",
    "Jana", "José", "Kalani", "Kemal", "Kwame", "Lars", "Leilani", "Lucía", "Malik",
    "Maëlle", "Mateus", "Mei", "Mihai", "Nadia", "Niamh", "Noor", "Olúwaseun", "Oscar",
    "Paulo", "Priya", "Rafael", "Rania", "Renée", "Sakura", "Saoirse", "Sione", "Søren",
    "Tala", "Thandiwe", "Tomás", "Uma", "Valentina", "Wanjiru", "Xavier", "Yusuf", "Zainab",
)  # fmt: skip
LAST_NAMES = (
    "Abara", "Achebe", "Almeida", "Andersson", "Bakare", "Bernard", "Castillo", "Chen",
    "Costa", "Dąbrowski", "Diallo", "Dubois", "Eriksen", "Fernández", "Fischer", "García",
    "Haddad", "Hansen", "Horvát", "Ibáñez", "Ivanova", "Jansen", "Kahale", "Kowalczyk",
    "Kuznetsova", "Larsen", "Lefèvre", "Mbeki", "Mendoza", "Müller", "Nakamura", "Novák",
    "Nwosu", "Okafor", "Olsen", "Oyelaran", "Park", "Pereira", "Quispe", "Rossi", "Sánchez",
    "Schäfer", "Silva", "Søndergaard", "Takahashi", "Tanaka", "Tremblay", "Uçar", "Varga",
    "Vasquez", "Wójcik", "Yamamoto", "Yüksel", "Zhang",
)  # fmt: skip

# Course schools ("institution" in the UI), each with the language of its
# Wikipedia. Every school is slug-safe: no ``/``.
SCHOOLS = (
    ("Igbo Wikimedian User Group, WAFTAI", "ig"),
    ("Smith & Jones Public Library", "en"),
    ("Universität Zürich - Historisches Seminar", "de"),
    ("Łódź Digital Humanities Lab", "pl"),
    ("St. Mary's College (Dublin)", "en"),
    ("Wikimedia Norge", "no"),
    ("Bibliothèque nationale, Département des cartes", "fr"),
    ("Kyoto Open Data Circle", "ja"),
    ("Wikimedians of the Río de la Plata", "es"),
    ("Dr. B. R. Ambedkar Univ.", "en"),
    ("Côte d'Ivoire Wiki Club", "fr"),
    ("Women in Red - Nordic Chapter", "en"),
    ("Reykjavík City Archives", "is"),
    ("Art & Feminism Hub Lagos", "en"),
    ("Museo Nacional (Lima)", "es"),
    ("Te Herenga Waka, Victoria Univ.", "mi"),
    ("Çukurova Student Society", "tr"),
    ("Ελληνική Βικιπαιδεία Ομάδα", "el"),
)

# Course titles are a theme and a number; file names of uploads use themes too.
THEMES = (
    "Women in Science Edit-a-thon",
    "Wikidata Basics Workshop",
    "Local History Sprint",
    "Art & Feminism",
    "Wiki Loves Monuments Follow-up",
    "Climate Data Days",
    "Indigenous Languages Write-in",
    "Botany & Mycology Drive",
    "Museum Collections Tagging",
    "Public Domain Day Uploads",
    "Music of the 1920's",
    "Translatathon (EN-ES)",
    "Biographies de femmes",
    "Städte und Dörfer",
    "Health Literacy Edit-a-thon",
    "Reference Rescue",
)

SEASONS = ("Spring 2026", "Summer 2026", "Autumn 2026", "Winter 2026-27", "2026", "Q4")

SUBJECTS = (
    "Libraries",
    "History",
    "Biology",
    "Art History",
    "Linguistics",
    "Environmental Science",
    "Public Health",
    "Music",
)

# --- The Wiki Education Dashboard's crowd (``world_wikiedu.py``) ---------------
# US and Canadian universities and colleges (invented), a few with ".", "'", "&",
# "-" or accents, all slug-safe.
UNIVERSITIES = (
    "Lakemont State University",
    "Harbor City College",
    "Northbrook University",
    "Saint Brendan's College",
    "Université du Lac-Bleu",
    "Prairie Plains Community College",
    "Univ. of the Upper Valley",
    "Calder & Finch Institute of Technology",
    "Eastfield A&M University",
    "Mont-Royal Polytechnique",
)
# Class titles, as instructors name their courses.
CLASS_TITLES = (
    "Introduction to Sociology",
    "Environmental Science",
    "Women's and Gender Studies",
    "Biochemistry II",
    "History of Latin America",
    "Psychology of Language",
    "Art History: 1400-1700",
    "Public Health Policy",
    "Marine Biology",
    "Technical Writing",
    "Indigenous Studies",
    "Economics of Development",
)
# Terms of ended classes, each with the days from the anchor (2026-11-22 when
# tests run) that roughly bound it: start range, end range.
PAST_TERMS = (
    ("Fall 2025", (-460, -440), (-350, -340)),
    ("Spring 2026", (-315, -300), (-200, -185)),
    ("Summer 2026", (-170, -150), (-110, -95)),
)
# The term of every running class, and of every class still to start.
CURRENT_TERM = "Fall 2026"
NEXT_TERM = "Spring 2027"

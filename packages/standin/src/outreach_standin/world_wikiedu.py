"""The Wiki Education Dashboard's invented world, written as data.

The second public instance of WikiEduDashboard (``Features.wiki_ed?`` true)
serves US and Canadian university classes: its default course type, and the
only one its course creator makes, is ``ClassroomProgramCourse``, whose form
hides the wiki choice, so classes get the default wiki (ENV ``wiki_language``
``en``: en.wikipedia); staff also run Wikidata classes. A class ends at the
end of its last day (``...T23:59:59.000Z``), its term reads like "Fall 2026",
its slug ``School/Title_(Term)``, and a Wiki Education staff member (role 4,
a "Wikipedia Expert") sits on nearly every roster. Campaigns are terms
(``fall_2026``). Routes, shapes and role codes are the Outreach Dashboard's.

Tests name the people, courses and campaigns below by constant. Two of them
tie this world to the Outreach one (``world.py``): ``TWO_HATS`` has courses on
both dashboards, and ``SHARED_SLUG`` is a slug both dashboards hold for two
different courses; ``OUTREACH_ONLY`` exists on the Outreach Dashboard only.

Dates are offsets from the anchor, midnight UTC of the day the world is built
for; with the tests' instant 2026-11-22T12:00Z the anchor is Sunday
2026-11-22, so day -81 is 2026-09-02 and day 24 is 2026-12-16. Rows are read
in order with one seeded generator (``builder.py``), as in ``world.py``.
"""

from __future__ import annotations

import sys

from outreach_standin import world as outreach
from outreach_standin.instances import WIKIEDU
from outreach_standin.model import (
    ROLE_INSTRUCTOR,
    ROLE_STAFF,
    ROLE_STUDENT,
    CourseStats,
    UserProfile,
)
from outreach_standin.rows import (
    Batch,
    CampaignRow,
    CourseRow,
    CrowdMember,
    CrowdPlan,
    EnrollmentRow,
    PersonRow,
    WorldDefinition,
)

DEFAULT_SEED = outreach.DEFAULT_SEED

# --- Named users ---------------------------------------------------------------
# The Outreach world's TWO_HATS (instructor of its COURSE_TWO_HATS, student in its
# COURSE_ACTIVE), here a student in CLASS_ACTIVE only: one person with courses on
# both dashboards. The same global account, so the same global_id (69846905) and
# registration; the user id is this dashboard's own.
TWO_HATS = outreach.TWO_HATS
# Exists on the Outreach Dashboard only: unknown here (profile 302, user_stats 404).
OUTREACH_ONLY = outreach.MARTA
# Wiki-Ed-only student, plain ASCII and without look-alikes: student in CLASS_ACTIVE
# (running) and CLASS_ENDED.
WIKIED_STUDENT = "Jordan Ellery"
# Wiki-Ed-only professor: instructor of CLASS_ACTIVE and CLASS_ENDED.
PROFESSOR = "Rosalind Achterberg"
# Wiki Education staff (role 4) on every course of this world, named and generated:
# a "Wikipedia Expert", i.e. an admin and greeter (users.json: content_expert true;
# real name and e-mail shown to anyone). "(Wiki Ed)" names are how staff accounts look.
WIKIED_STAFF = "Tamsin (Wiki Ed)"
# A program manager (admin, not a greeter: program_manager true), staff on CLASS_ACTIVE.
PROGRAM_MANAGER = "Corwin (Wiki Ed)"

PEOPLE = (
    PersonRow(TWO_HATS, user_id=191402, global_id=69846905, registered=(-4273, 0, 36), uploads=0),
    PersonRow(WIKIED_STUDENT, user_id=198877, global_id=73150228, registered=(-88, 20, 3, 41)),
    PersonRow(PROFESSOR, user_id=185330, global_id=66021874, registered=(-1620, 15, 12)),
    PersonRow(
        WIKIED_STAFF, user_id=9412, registered=(-3300, 17), admin=True, greeter=True, uploads=0
    ),
    PersonRow(PROGRAM_MANAGER, user_id=3120, registered=(-4015, 16, 30), admin=True, uploads=0),
)
NAMED_USERS = tuple(person.username for person in PEOPLE)

# What named users wrote on their profile pages here (a profile is per dashboard).
PROFILES = {
    TWO_HATS: UserProfile(
        "Graduate student in an online class; also teaches a Tagalog Wikipedia workshop.",
        "Quezon City",
        "Lakemont State University",
    ),
    WIKIED_STUDENT: UserProfile("History major.", "", "Lakemont State University"),
    PROFESSOR: UserProfile(
        "Professor of environmental history.", "Lakemont", "Lakemont State University"
    ),
    WIKIED_STAFF: UserProfile("Wikipedia Expert at Wiki Education.", "", "Wiki Education"),
    PROGRAM_MANAGER: UserProfile("Program manager, Student Program.", "", "Wiki Education"),
}

# --- Campaigns (terms) -----------------------------------------------------------
# This term: CLASS_ACTIVE and CLASS_WIKIDATA (running), SHARED_SLUG (ended 10 days
# ago: listed) and CLASS_HALF_TERM (ended 40 days ago: not listed). active_courses
# lists, by recent_revision_count: CLASS_ACTIVE (1840), CLASS_WIKIDATA (655),
# SHARED_SLUG (0).
CAMPAIGN_FALL_2026 = "fall_2026"
# Next term: only CLASS_FUTURE, not started, so listed.
CAMPAIGN_SPRING_2027 = "spring_2027"
# A past term: only CLASS_ENDED, so active_courses is an empty list.
CAMPAIGN_SPRING_2026 = "spring_2026"

CAMPAIGNS = (
    CampaignRow(CAMPAIGN_FALL_2026, "Fall 2026"),
    CampaignRow(CAMPAIGN_SPRING_2027, "Spring 2027"),
    CampaignRow(CAMPAIGN_SPRING_2026, "Spring 2026"),
)

# --- Wikis (the same table as the Outreach world's) ---------------------------------
EN_WIKIPEDIA = outreach.WIKIPEDIAS["en"]
WIKIDATA = outreach.WIKIDATA

# --- Named courses (slugs); every one a ClassroomProgramCourse ------------------------
# Running now (2026-09-02 to 2026-12-16, ends "2026-12-16T23:59:59.000Z"); en.wikipedia;
# PROFESSOR instructs, WIKIED_STAFF and PROGRAM_MANAGER are staff, WIKIED_STUDENT and
# TWO_HATS among its 23 students.
CLASS_ACTIVE = "Lakemont_State_University/Environmental_History_of_the_Americas_(Fall_2026)"
# Ended (2026-01-21 to 2026-05-20); PROFESSOR instructs, WIKIED_STUDENT a student.
CLASS_ENDED = "Lakemont_State_University/Medieval_Literature_in_Translation_(Spring_2026)"
# Not started (2027-01-18 to 2027-05-12); no students yet.
CLASS_FUTURE = "Harbor_City_College/Introduction_to_Neuroscience_(Spring_2027)"
# Running now (2026-10-27 to 2026-12-22); home wiki wikidata (language null), made
# through the course creator and moved to Wikidata by staff.
CLASS_WIKIDATA = "Wiki_Education/Wikidata_Institute_(Fall_2026)"
# A half-term class of CAMPAIGN_FALL_2026 that ended 40 days ago (2026-10-13):
# outside the update window, so not listed.
CLASS_HALF_TERM = "Harbor_City_College/First-Year_Writing_Seminar_(Fall_2026)"
# The Outreach world's COURSE_ACTIVE slug, held here by another course: id 23561
# (there 30517), term "Fall 2026" (there "2026"), a ClassroomProgramCourse on
# en.wikipedia (there an Editathon on wikidata), ended 10 days ago (2026-08-19 to
# 2026-11-12; there running), 9 students (there 37), none of them named.
SHARED_SLUG = outreach.COURSE_ACTIVE

CLASSROOM = "ClassroomProgramCourse"
# The crowd's first CROWD_INSTRUCTORS members instruct; named courses draw their
# crowd students from the rest.
CROWD_INSTRUCTORS = 20

COURSES = (
    CourseRow(
        slug=CLASS_ACTIVE,
        course_id=24107,
        school="Lakemont State University",
        title="Environmental History of the Americas",
        term="Fall 2026",
        description=(
            "Students research and write Wikipedia articles on the environmental "
            "history of North and South America."
        ),
        start=-81, end=24, timeline_start=-81, timeline_end=24,
        home=EN_WIKIPEDIA,
        course_type=CLASSROOM,
        stats=CourseStats(
            word_count=48_210, references_count=612, view_sum=1_204_330,
            character_sum=250_692, article_count=41, created_count=6, edit_count=1377,
            upload_count=2, uploads_in_use_count=1, upload_usages_count=1,
            recent_revision_count=1840, trained_count=22, expected_students=25,
            update_log_count=70,
        ),
        campaigns=(CAMPAIGN_FALL_2026,),
        crowd_students=21,  # with 2 named students: 23
        crowd_from=CROWD_INSTRUCTORS,
    ),
    CourseRow(
        slug=CLASS_ENDED,
        course_id=22950,
        school="Lakemont State University",
        title="Medieval Literature in Translation",
        term="Spring 2026",
        description="Students improve articles on medieval texts and their translators.",
        start=-305, end=-186, timeline_start=-305, timeline_end=-186,
        home=EN_WIKIPEDIA,
        course_type=CLASSROOM,
        campaigns=(CAMPAIGN_SPRING_2026,),
        crowd_students=14,  # with 1 named student: 15
        crowd_from=CROWD_INSTRUCTORS,
    ),
    CourseRow(
        slug=CLASS_FUTURE,
        course_id=24388,
        school="Harbor City College",
        title="Introduction to Neuroscience",
        term="Spring 2027",
        description="Students expand neuroscience stubs.",
        start=57, end=171, timeline_start=57, timeline_end=171,
        home=EN_WIKIPEDIA,
        course_type=CLASSROOM,
        campaigns=(CAMPAIGN_SPRING_2027,),
    ),
    CourseRow(
        slug=CLASS_WIKIDATA,
        course_id=24020,
        school="Wiki Education",
        title="Wikidata Institute",
        term="Fall 2026",
        description="Eight weeks of Wikidata for librarians, archivists and researchers.",
        start=-26, end=30, timeline_start=-26, timeline_end=30,
        home=WIKIDATA,
        wikis=(WIKIDATA,),
        course_type=CLASSROOM,
        stats=CourseStats(
            word_count=3150, references_count=2904, view_sum=18_220,
            character_sum=16_380, article_count=410, created_count=97, edit_count=5230,
            upload_count=0, uploads_in_use_count=0, upload_usages_count=0,
            recent_revision_count=655, trained_count=11, expected_students=15,
            update_log_count=45,
        ),
        campaigns=(CAMPAIGN_FALL_2026,),
        crowd_students=11,
        crowd_from=CROWD_INSTRUCTORS,
    ),
    CourseRow(
        slug=CLASS_HALF_TERM,
        course_id=24215,
        school="Harbor City College",
        title="First-Year Writing Seminar",
        term="Fall 2026",
        description="A seven-week seminar: one Wikipedia article per student.",
        start=-81, end=-40, timeline_start=-81, timeline_end=-40,
        home=EN_WIKIPEDIA,
        course_type=CLASSROOM,
        campaigns=(CAMPAIGN_FALL_2026,),
        crowd_students=8,
        crowd_from=CROWD_INSTRUCTORS,
    ),
    CourseRow(
        slug=SHARED_SLUG,
        course_id=23561,
        school="Riverside Library Network",
        title="Wikidata Days (November)",
        term="Fall 2026",
        description="A library-school seminar that writes about local authors on Wikipedia.",
        start=-95, end=-10, timeline_start=-95, timeline_end=-10,
        home=EN_WIKIPEDIA,
        course_type=CLASSROOM,
        campaigns=(CAMPAIGN_FALL_2026,),
        crowd_students=9,
        crowd_from=CROWD_INSTRUCTORS,
    ),
)  # fmt: skip
NAMED_COURSES = tuple(course.slug for course in COURSES)

# --- Enrollments in named courses, each course's rows in the order they are made --
ENROLLMENTS = (
    EnrollmentRow(CLASS_ACTIVE, PROFESSOR, ROLE_INSTRUCTOR, (-110, 15, 4, 12)),
    EnrollmentRow(CLASS_ACTIVE, WIKIED_STAFF, ROLE_STAFF, (-104, 10, 30)),
    EnrollmentRow(CLASS_ACTIVE, PROGRAM_MANAGER, ROLE_STAFF, (-104, 10, 31)),
    EnrollmentRow(CLASS_ACTIVE, WIKIED_STUDENT, ROLE_STUDENT, (-79, 13, 45, 9)),
    EnrollmentRow(CLASS_ACTIVE, TWO_HATS, ROLE_STUDENT, (-77, 2, 15)),
    EnrollmentRow(CLASS_ENDED, PROFESSOR, ROLE_INSTRUCTOR, (-330, 16, 20)),
    EnrollmentRow(CLASS_ENDED, WIKIED_STAFF, ROLE_STAFF, (-325, 9)),
    EnrollmentRow(CLASS_ENDED, WIKIED_STUDENT, ROLE_STUDENT, (-303, 11, 2)),
    EnrollmentRow(CLASS_FUTURE, CrowdMember(0), ROLE_INSTRUCTOR, (-6, 18, 40)),
    EnrollmentRow(CLASS_FUTURE, WIKIED_STAFF, ROLE_STAFF, (-2, 9, 15)),
    EnrollmentRow(CLASS_WIKIDATA, CrowdMember(1), ROLE_INSTRUCTOR, (-40, 17)),
    EnrollmentRow(CLASS_WIKIDATA, WIKIED_STAFF, ROLE_STAFF, (-38, 9, 5)),
    EnrollmentRow(CLASS_HALF_TERM, CrowdMember(3), ROLE_INSTRUCTOR, (-100, 12)),
    EnrollmentRow(CLASS_HALF_TERM, WIKIED_STAFF, ROLE_STAFF, (-98, 9)),
    EnrollmentRow(SHARED_SLUG, CrowdMember(2), ROLE_INSTRUCTOR, (-120, 14)),
    EnrollmentRow(SHARED_SLUG, WIKIED_STAFF, ROLE_STAFF, (-115, 10)),
)

# --- The crowd -----------------------------------------------------------------
# Smaller than the Outreach world's, to start fast. Generated classes belong to no
# campaign, so each campaign's listing is exactly the named rows above.
CROWD_SIZE = 150
GENERATED = (
    Batch(12, "active"),
    Batch(8, "ended"),
    Batch(4, "future"),
)
CROWD = CrowdPlan(
    size=CROWD_SIZE,
    instructors=CROWD_INSTRUCTORS,
    generated=GENERATED,
    style="classroom",
    staff=WIKIED_STAFF,
    staff_every=1,  # on every generated course's roster too
)

# What ``build_world(world="wikiedu")`` builds: the Wiki Education Dashboard's world.
# Its own id ranges: users from 210001, courses from 25001, enrollments from 1100000.
DEFINITION = WorldDefinition(
    instance=WIKIEDU,
    module=sys.modules[__name__],
    people=PEOPLE,
    profiles=PROFILES,
    campaigns=CAMPAIGNS,
    courses=COURSES,
    enrollments=ENROLLMENTS,
    crowd=CROWD,
    first_user_id=210_001,
    first_course_id=25_001,
    first_enrollment_id=1_100_000,
)

"""The stand-in's invented world, written as data.

Tests name the people, courses and campaigns below by constant; the tables say
what each one is. The named fixtures cover the dashboard's awkward cases:
re-enrollment, accents, ``+``/``%``/``@``/``:`` in usernames, look-alike
spellings its lookups fold onto a stored name, users without courses, staff
everywhere, private courses (which user_stats' flags count but its list
hides), course slugs with nearly any character and ``/`` inside the title, a
course whose page crashes, a greeter whose contact details any client sees,
legacy roster rows, and campaigns whose listings show what
``Course.current_and_future`` selects. Around them a seeded crowd (``crowd.py``)
adds hundreds of generated users and courses, shaped by the last tables here.

Dates are offsets from the anchor, midnight UTC of the day the world is built
for (see ``rows.py``). *Activity* (``ended``, which courses ``active_courses``
lists) is decided at request time from the stand-in's clock, so moving the
clock moves courses in and out of their windows without a rebuild.

To add a fixture, add its rows (and a constant, if tests are to name it).
Rows are read in order with one seeded generator, so a new row changes what
is drawn after it (the crowd), never what a row spells out.
"""

from __future__ import annotations

import sys

from outreach_standin.instances import OUTREACH
from outreach_standin.model import (
    ROLE_CAMPUS_VOLUNTEER,
    ROLE_INSTRUCTOR,
    ROLE_ONLINE_VOLUNTEER,
    ROLE_STAFF,
    ROLE_STUDENT,
    CourseStats,
    UserProfile,
    Wiki,
)
from outreach_standin.rows import (
    Batch,
    CampaignRow,
    CourseRow,
    CrowdMember,
    CrowdPlan,
    EnrollmentRow,
    PersonRow,
    Window,
    WorldDefinition,
)

DEFAULT_SEED = 2026

# --- Named users ---------------------------------------------------------------
# Instructor of several courses (active, ended, future, private); student in one.
MARTA = "Marta Quill"
# Enrolled twice in COURSE_ACTIVE: student (role 0), later online volunteer (role 3).
NGOZI = "Ngozi Eze"
# Accented name; found as "ZOË ÅSTRÖM", "zoe astrom", "Zoë_Åström".
ZOE = "Zoë Åström"
# Holds "+": only found when the client form-escapes it before percent-encoding.
KAI = "Kai+Lani Makoa"
# Holds "%" followed by hex digits ("%Ed"): sent once-encoded it decodes to garbage.
PERCENT = "Percent%Editor"
# Old account with "@" and ":" (not allowed for new accounts, but real).
OLD_TIMER = "Old:Timer@Wiki"
# Exists, enrolled nowhere: user_stats answers 200 with no courses.
QUIET = "Quiet Reader"
# Role 4 ("Wiki Education Staff") in many courses, dashboard admin.
STAFF = "Dashboard Helper Staff"
# Enrolled in 26 visible courses: active, ended and future.
BUSY = "Busy Bee"
# Instructor of COURSE_TWO_HATS and student in COURSE_ACTIVE, both active now.
TWO_HATS = "Ama Twohats"
# Stored exactly so; student in COURSE_ACTIVE. HASHTAG_LOOKALIKE folds onto it.
HASHTAG = "Hashtag Hero"
# Student in every course whose slug holds awkward characters (COURSE_HASH to
# COURSE_QUERY_PERCENT), instructor nowhere.
SLUGGER = "Slug Collector"
# Student in COURSE_BROKEN, COURSE_ACTIVE and COURSE_ENDED.
BROKEN_STUDENT = "Brittle Learner"
# Instructor only in COURSE_PRIVATE, student in COURSE_COMMONS: user_stats has
# ``as_instructor`` (its flag counts private courses) but lists only the student row.
PRIVATE_TEACHER = "Private Tutor"
# A greeter (and admin) on COURSE_ACTIVE's staff (role 4): the dashboard shows a
# greeter's real name and e-mail in users.json even to anonymous clients.
GREETER = "Greta Greeter"

# --- Look-alikes ---------------------------------------------------------------
# Other MediaWiki accounts (MediaWiki folds only the first letter) that have no
# dashboard row: its usernames are unique under a case- and accent-insensitive
# collation, so it holds one name per class, and user_stats.json and /users/NAME
# answer with the stored user for these spellings. Not in PEOPLE.
ZOE_LOOKALIKE = "Zoe Åström"
HASHTAG_LOOKALIKE = "Hashtag HERO"

PEOPLE = (
    PersonRow(MARTA, user_id=20031, global_id=5512093, registered=(-1349, 18, 2, 51), uploads=2),
    PersonRow(NGOZI, user_id=73410, global_id=70022145, registered=(-26, 11, 31, 50), uploads=0),
    PersonRow(ZOE, user_id=73388, global_id=69981002, registered=(-934, 8, 44, 10), uploads=1),
    PersonRow(KAI, user_id=73501, uploads=1),
    PersonRow(PERCENT, user_id=73502, uploads=0),
    PersonRow(OLD_TIMER, user_id=412, registered=(-6900, 3, 14, 15), uploads=3),
    PersonRow(QUIET, user_id=74007, uploads=0),
    PersonRow(STAFF, user_id=118, global_id=1200331, registered=(-5431, 12), admin=True, uploads=0),
    # 25 uploads, more than user_stats lists (20).
    PersonRow(BUSY, user_id=61234, uploads=2, more_uploads=23),
    PersonRow(TWO_HATS, user_id=70555, uploads=1),
    PersonRow(HASHTAG, user_id=75120, global_id=71230455, uploads=0),
    PersonRow(SLUGGER, user_id=75388, uploads=0),
    PersonRow(BROKEN_STUDENT, user_id=75402, uploads=0),
    PersonRow(PRIVATE_TEACHER, user_id=75417, uploads=0),
    PersonRow(GREETER, user_id=1377, registered=(-2900, 9), admin=True, greeter=True, uploads=0),
)
NAMED_USERS = tuple(person.username for person in PEOPLE)

# What named users wrote on their profile pages (/users/NAME). Users missing
# here (QUIET, the crowd) never saved a profile: bio, location and institution
# are null.
PROFILES = {
    MARTA: UserProfile(
        "Librarian; runs Wikidata Days for the branch libraries.",
        "Riverside",
        "Riverside Library Network",
    ),
    NGOZI: UserProfile("Writes about women in science.", "Enugu", ""),
    ZOE: UserProfile(
        "Translates between Swedish, French and English.", "Lyon", "Université de Lyon"
    ),
    KAI: UserProfile("Photographer; uploads to Commons.", "Hilo", ""),
    PERCENT: UserProfile("", "", ""),
    OLD_TIMER: UserProfile("Editing since the early days.", "", ""),
    STAFF: UserProfile("Dashboard support.", "", "Wiki Education"),
    BUSY: UserProfile("Joins every edit-a-thon going.", "Everywhere", ""),
    TWO_HATS: UserProfile(
        "Teaches a Tagalog Wikipedia workshop.", "Quezon City", "Ateneo de Manila"
    ),
    HASHTAG: UserProfile("Adds citations, one hashtag at a time.", "Oslo", ""),
    SLUGGER: UserProfile("Signs up for every oddly named course.", "", ""),
    BROKEN_STUDENT: UserProfile("Learning to edit.", "Leeds", ""),
    PRIVATE_TEACHER: UserProfile("Runs staff training.", "", "Hidden Valley School"),
    GREETER: UserProfile("Here to help new organisers.", "", "Wiki Education"),
}

# --- Campaigns -----------------------------------------------------------------
# Courses in every state active_courses sorts: running now, not started and ended
# 10 days ago (listed), ended 40 days ago and private (left out).
NORMAL_CAMPAIGN = "wikidata_days_2026"
# More than 100 current and future courses; the endpoint returns only 100.
BIG_CAMPAIGN = "wiki_loves_everything_2026"
# Only a course that ended long ago: active_courses is an empty list.
ENDED_CAMPAIGN = "art_feminism_2025"

CAMPAIGNS = (
    CampaignRow(NORMAL_CAMPAIGN, "Wikidata Days 2026"),
    CampaignRow(BIG_CAMPAIGN, "Wiki Loves Everything 2026"),
    CampaignRow(ENDED_CAMPAIGN, "Art+Feminism 2025"),
)

# --- Wikis ---------------------------------------------------------------------
WIKIDATA = Wiki(3, None, "wikidata")
# Language null for wikidata only; Commons is language "commons" of "wikimedia".
COMMONS = Wiki(4, "commons", "wikimedia")
WIKIPEDIAS = {
    lang: Wiki(wiki_id, lang, "wikipedia")
    for wiki_id, lang in (
        (1, "en"), (6, "fr"), (7, "de"), (8, "es"), (9, "mi"), (10, "tl"), (11, "pl"),
        (12, "ig"), (13, "ja"), (14, "pt"), (15, "el"), (16, "no"), (17, "is"), (18, "tr"),
        (19, "sv"),
    )
}  # fmt: skip

# --- Named courses (slugs) -----------------------------------------------------
# Active in both windows (tracking and event); in NORMAL_CAMPAIGN; wikidata home
# (language null); an Editathon ending at a chosen time, "...T23:59:59.000Z".
COURSE_ACTIVE = "Riverside_Library_Network/Wikidata_Days_(November)_2026"
# Tracking-active, but the event window is over; no instructor; "Facilitator" label.
COURSE_EVENT_OVER = "Université_de_Lyon,_Bibliothèque/Women_in_Science_Edit-a-thon_(Autumn_2026)"
# Tracking-active, event window not started yet.
COURSE_EVENT_NOT_STARTED = "Aotearoa_Wikimedians_&_Friends/Māori_Language_Sprint_(Dec._2026)"
# Ended long ago (``ended`` true); only course of ENDED_CAMPAIGN; OLD_TIMER's row
# there is a legacy one (enrolled_at null).
COURSE_ENDED = "O'Connell_Arts_Collective/Art_&_Feminism_2025_(Spring)"
# Starts in the future; commons home wiki; empty passcode.
COURSE_FUTURE = "Kraków_Open_Knowledge_Club/Wiki_Loves_Folklore_2027_(Jan.-Feb.)"
# Private: has enrollments, but user_stats hides it and its JSON answers 404.
COURSE_PRIVATE = "Hidden_Valley_School/Staff_Onboarding_(2026)"
# Active course instructed by TWO_HATS; a ClassroomProgramCourse, so its days are
# whole (ends "...T23:59:59.000Z"); OLD_TIMER's row there is a legacy one
# (enrolled_at null).
COURSE_TWO_HATS = "Ateneo_de_Manila_Univ./Tagalog_Wikipedia_Workshop_(2026)"
# Active commons course with an empty passcode.
COURSE_COMMONS = "São_Paulo_Photo_Walkers_(Brasil)/Commons_Photo_Walk_(Dez._2026)"
# NORMAL_CAMPAIGN's course that has not started: active_courses lists it.
COURSE_UPCOMING = COURSE_FUTURE
# Ended 10 days ago, in NORMAL_CAMPAIGN: still inside the 30-day update window, so
# listed; a ClassroomProgramCourse.
COURSE_RECENTLY_ENDED = "Lagos_Wiki_Circle/Yoruba_Proverbs_Drive_(October_2026)"
# Ended 40 days ago, in NORMAL_CAMPAIGN: outside the update window, so not listed.
COURSE_LONG_ENDED = "Tartu_Open_Data_Club/Estonian_Manor_Houses_(Sept._2026)"
# Slugs with nearly any character, as courses made through the API or older code
# have them (the UI would refuse these titles); all active now, SLUGGER a student
# in each. COURSE_HASH: "#" in the title, an empty term (no "_(TERM)" suffix),
# and an end its organisers set at 18:00 ("...T18:00:00.000Z").
COURSE_HASH = "Wikimedia_Norge/#1Lib1Ref_2026"
# A "/" inside the title: only the greedy course.json route reaches it. Its
# passcode column is NULL, so course.json has no passcode key.
COURSE_SLASH = "Wikimedia_Sverige/WikiGap_2025/26_(Spring)"
# "[ ] { }" in the title; a BasicCourse.
COURSE_BRACKETS = "Bracket_Club/[draft]_Sandbox_Sprint_{March}"
# "&" in the school, "| < >" in the title.
COURSE_PIPE_ANGLE = "Pipe_&_Angle_Society/A|B_<test>_Week"
# "?", "%" and "+" in the title.
COURSE_QUERY_PERCENT = "Query_School/What?_100%_Done_+_More"
# Active, visible, in NORMAL_CAMPAIGN, but its course.json always answers 500 (JSON
# when asked for JSON); its users.json works.
COURSE_BROKEN = "Fragile_Archives_Collective/Edit-a-thon_with_a_Broken_Page_(2026)"

COURSES = (
    CourseRow(
        slug=COURSE_ACTIVE,
        course_id=30517,
        school="Riverside Library Network",
        title="Wikidata Days (November)",
        term="2026",
        description=(
            "Two weekends of Wikidata editing for library staff and volunteers: items for "
            "local authors, their works and the places they wrote about."
        ),
        start=-33, end=23, timeline_start=-8, timeline_end=1,
        home=WIKIDATA,
        wikis=(WIKIDATA, WIKIPEDIAS["en"]),
        passcode="ripvxkle",
        stats=CourseStats(
            word_count=1_401_220, references_count=6441, view_sum=5448,
            character_sum=7_243_118, article_count=1702, created_count=873, edit_count=21_600,
            upload_count=3, uploads_in_use_count=1, upload_usages_count=1,
            recent_revision_count=3120, trained_count=29, expected_students=40,
            update_log_count=60,
        ),
        campaigns=(NORMAL_CAMPAIGN,),
        crowd_students=29,  # with 8 named students: 37
    ),
    CourseRow(
        slug=COURSE_EVENT_OVER,
        course_id=30240,
        school="Université de Lyon, Bibliothèque",
        title="Women in Science Edit-a-thon",
        term="Autumn 2026",
        description="",
        start=-71, end=30, timeline_start=-50, timeline_end=-45,
        home=WIKIPEDIAS["fr"],
        wikis=(WIKIPEDIAS["fr"], WIKIDATA),
        campaigns=(NORMAL_CAMPAIGN,),
        crowd_students=40,
    ),
    CourseRow(
        slug=COURSE_EVENT_NOT_STARTED,
        school="Aotearoa Wikimedians & Friends",
        title="Māori Language Sprint",
        term="Dec. 2026",
        start=-5, end=45, timeline_start=12, timeline_end=14,
        home=WIKIPEDIAS["mi"],
        wikis=(WIKIPEDIAS["mi"], WIKIPEDIAS["en"]),
        campaigns=(NORMAL_CAMPAIGN,),
        crowd_students=9,
        crowd_from=1,  # the crowd's first member instructs it
    ),
    CourseRow(
        slug=COURSE_ENDED,
        course_id=27718,
        school="O'Connell Arts Collective",
        title="Art & Feminism 2025",
        term="Spring",
        start=-250, end=-190, timeline_start=-240, timeline_end=-238,
        home=WIKIPEDIAS["en"],
        campaigns=(ENDED_CAMPAIGN,),
        crowd_students=10,  # with 2 named students: 12
    ),
    CourseRow(
        slug=COURSE_FUTURE,
        school="Kraków Open Knowledge Club",
        title="Wiki Loves Folklore 2027",
        term="Jan.-Feb.",
        start=40, end=100, timeline_start=45, timeline_end=75,
        home=COMMONS,
        wikis=(COMMONS, WIKIPEDIAS["pl"]),
        passcode="",
        campaigns=(NORMAL_CAMPAIGN,),
        crowd_students=6,
    ),
    CourseRow(
        slug=COURSE_PRIVATE,
        school="Hidden Valley School",
        title="Staff Onboarding",
        term="2026",
        start=-12, end=20, timeline_start=-12, timeline_end=20,
        home=WIKIPEDIAS["en"],
        private=True,
        campaigns=(NORMAL_CAMPAIGN,),
        crowd_students=5,
    ),
    CourseRow(
        slug=COURSE_TWO_HATS,
        school="Ateneo de Manila Univ.",
        title="Tagalog Wikipedia Workshop",
        term="2026",
        start=-20, end=25, timeline_start=-2, timeline_end=3,
        home=WIKIPEDIAS["tl"],
        course_type="ClassroomProgramCourse",
        campaigns=(NORMAL_CAMPAIGN,),
        crowd_students=14,
    ),
    CourseRow(
        slug=COURSE_COMMONS,
        school="São Paulo Photo Walkers (Brasil)",
        title="Commons Photo Walk",
        term="Dez. 2026",
        start=-14, end=16, timeline_start=-1, timeline_end=2,
        home=COMMONS,
        wikis=(COMMONS, WIKIPEDIAS["pt"], WIKIDATA),
        passcode="",
        crowd_students=7,  # with 3 named students: 10
    ),
    CourseRow(
        slug=COURSE_RECENTLY_ENDED,
        school="Lagos Wiki Circle",
        title="Yoruba Proverbs Drive",
        term="October 2026",
        start=-50, end=-10, timeline_start=-45, timeline_end=-12,
        home=WIKIPEDIAS["en"],
        course_type="ClassroomProgramCourse",
        campaigns=(NORMAL_CAMPAIGN,),
        crowd_students=12,
    ),
    CourseRow(
        slug=COURSE_LONG_ENDED,
        school="Tartu Open Data Club",
        title="Estonian Manor Houses",
        term="Sept. 2026",
        start=-80, end=-40, timeline_start=-75, timeline_end=-42,
        home=WIKIDATA,
        campaigns=(NORMAL_CAMPAIGN,),
        crowd_students=7,
    ),
    CourseRow(
        slug=COURSE_HASH,
        school="Wikimedia Norge",
        title="#1Lib1Ref 2026",
        term="",
        start=-10, end=20, timeline_start=-3, timeline_end=13,
        home=WIKIPEDIAS["no"],
        end_time=(18, 0),
        crowd_students=6,
    ),
    CourseRow(
        slug=COURSE_SLASH,
        school="Wikimedia Sverige",
        title="WikiGap 2025/26",
        term="Spring",
        start=-30, end=60, timeline_start=-30, timeline_end=60,
        home=WIKIPEDIAS["sv"],
        wikis=(WIKIPEDIAS["sv"], WIKIPEDIAS["en"]),
        no_passcode=True,
        crowd_students=8,
    ),
    CourseRow(
        slug=COURSE_BRACKETS,
        school="Bracket Club",
        title="[draft] Sandbox Sprint {March}",
        term="",
        start=-7, end=14, timeline_start=-7, timeline_end=14,
        home=WIKIPEDIAS["en"],
        course_type="BasicCourse",
        crowd_students=3,
    ),
    CourseRow(
        slug=COURSE_PIPE_ANGLE,
        school="Pipe & Angle Society",
        title="A|B <test> Week",
        term="",
        start=-2, end=5, timeline_start=-2, timeline_end=5,
        home=WIKIPEDIAS["en"],
        crowd_students=4,
    ),
    CourseRow(
        slug=COURSE_QUERY_PERCENT,
        school="Query School",
        title="What? 100% Done + More",
        term="",
        start=-20, end=40, timeline_start=-1, timeline_end=6,
        home=WIKIPEDIAS["fr"],
        crowd_students=5,
    ),
    CourseRow(
        slug=COURSE_BROKEN,
        school="Fragile Archives Collective",
        title="Edit-a-thon with a Broken Page",
        term="2026",
        start=-15, end=30, timeline_start=-4, timeline_end=4,
        home=WIKIPEDIAS["en"],
        campaigns=(NORMAL_CAMPAIGN,),
        crowd_students=6,
        broken=True,
    ),
)  # fmt: skip
NAMED_COURSES = tuple(course.slug for course in COURSES)

# --- Enrollments in named courses, each course's rows in the order they are made --
ENROLLMENTS = (
    EnrollmentRow(COURSE_ACTIVE, MARTA, ROLE_INSTRUCTOR, (-33, 9, 12, 44)),
    EnrollmentRow(COURSE_ACTIVE, STAFF, ROLE_STAFF, (-33, 9, 13, 2)),
    EnrollmentRow(COURSE_ACTIVE, GREETER, ROLE_STAFF, (-33, 10, 0, 41)),
    EnrollmentRow(COURSE_ACTIVE, ZOE, ROLE_STUDENT, (-32, 16, 5, 19)),
    EnrollmentRow(COURSE_ACTIVE, NGOZI, ROLE_STUDENT, (-26, 11, 40, 2)),
    EnrollmentRow(COURSE_ACTIVE, NGOZI, ROLE_ONLINE_VOLUNTEER, (-20, 10)),
    EnrollmentRow(COURSE_ACTIVE, TWO_HATS, ROLE_STUDENT, (-25, 14, 30)),
    EnrollmentRow(COURSE_ACTIVE, KAI, ROLE_STUDENT, (-24, 9, 1)),
    EnrollmentRow(COURSE_ACTIVE, PERCENT, ROLE_STUDENT, (-23, 19, 45)),
    EnrollmentRow(COURSE_ACTIVE, BUSY, ROLE_STUDENT, (-22, 8, 8, 8)),
    EnrollmentRow(COURSE_ACTIVE, HASHTAG, ROLE_STUDENT, (-21, 17, 12)),
    EnrollmentRow(COURSE_ACTIVE, BROKEN_STUDENT, ROLE_STUDENT, (-21, 18, 40)),
    EnrollmentRow(COURSE_EVENT_OVER, STAFF, ROLE_STAFF, (-70, 10)),
    EnrollmentRow(COURSE_EVENT_OVER, MARTA, ROLE_STUDENT, (-52, 13, 20)),
    EnrollmentRow(COURSE_EVENT_OVER, ZOE, ROLE_STUDENT, (-51, 9, 2)),
    EnrollmentRow(COURSE_EVENT_OVER, BUSY, ROLE_CAMPUS_VOLUNTEER, (-50, 11, 11, 11)),
    EnrollmentRow(COURSE_EVENT_NOT_STARTED, CrowdMember(0), ROLE_INSTRUCTOR, (-5, 8)),
    EnrollmentRow(COURSE_EVENT_NOT_STARTED, STAFF, ROLE_STAFF, (-5, 8, 30)),
    EnrollmentRow(COURSE_ENDED, MARTA, ROLE_INSTRUCTOR, (-252, 17, 3)),
    EnrollmentRow(COURSE_ENDED, STAFF, ROLE_STAFF, (-252, 17, 10)),
    EnrollmentRow(COURSE_ENDED, OLD_TIMER, ROLE_STUDENT, (-240, 10, 4), legacy=True),
    EnrollmentRow(COURSE_ENDED, BROKEN_STUDENT, ROLE_STUDENT, (-239, 15, 30)),
    EnrollmentRow(COURSE_FUTURE, MARTA, ROLE_INSTRUCTOR, (-4, 15)),
    EnrollmentRow(COURSE_FUTURE, BUSY, ROLE_STUDENT, (-3, 15, 30)),
    EnrollmentRow(COURSE_PRIVATE, MARTA, ROLE_INSTRUCTOR, (-12, 9)),
    EnrollmentRow(COURSE_PRIVATE, STAFF, ROLE_STAFF, (-12, 9, 5)),
    EnrollmentRow(COURSE_PRIVATE, ZOE, ROLE_STUDENT, (-11, 10)),
    EnrollmentRow(COURSE_PRIVATE, PRIVATE_TEACHER, ROLE_INSTRUCTOR, (-11, 10, 30)),
    EnrollmentRow(COURSE_PRIVATE, TWO_HATS, ROLE_STUDENT, (-11, 11)),
    EnrollmentRow(COURSE_TWO_HATS, TWO_HATS, ROLE_INSTRUCTOR, (-21, 7, 45)),
    EnrollmentRow(COURSE_TWO_HATS, STAFF, ROLE_STAFF, (-21, 8)),
    EnrollmentRow(COURSE_TWO_HATS, OLD_TIMER, ROLE_CAMPUS_VOLUNTEER, (-19, 12), legacy=True),
    EnrollmentRow(COURSE_COMMONS, CrowdMember(1), ROLE_INSTRUCTOR, (-15, 13)),
    EnrollmentRow(COURSE_COMMONS, STAFF, ROLE_STAFF, (-15, 13, 30)),
    EnrollmentRow(COURSE_COMMONS, KAI, ROLE_STUDENT, (-10, 9)),
    EnrollmentRow(COURSE_COMMONS, PERCENT, ROLE_STUDENT, (-9, 9)),
    EnrollmentRow(COURSE_COMMONS, PRIVATE_TEACHER, ROLE_STUDENT, (-8, 19, 20)),
    EnrollmentRow(COURSE_RECENTLY_ENDED, CrowdMember(2), ROLE_INSTRUCTOR, (-55, 10)),
    EnrollmentRow(COURSE_LONG_ENDED, CrowdMember(3), ROLE_INSTRUCTOR, (-85, 16, 20)),
    EnrollmentRow(COURSE_HASH, CrowdMember(4), ROLE_INSTRUCTOR, (-30, 9)),
    EnrollmentRow(COURSE_HASH, SLUGGER, ROLE_STUDENT, (-9, 14, 2)),
    EnrollmentRow(COURSE_SLASH, CrowdMember(5), ROLE_INSTRUCTOR, (-40, 13)),
    EnrollmentRow(COURSE_SLASH, SLUGGER, ROLE_STUDENT, (-29, 10, 30)),
    EnrollmentRow(COURSE_BRACKETS, CrowdMember(6), ROLE_INSTRUCTOR, (-8, 11)),
    EnrollmentRow(COURSE_BRACKETS, SLUGGER, ROLE_STUDENT, (-6, 16, 45)),
    EnrollmentRow(COURSE_PIPE_ANGLE, CrowdMember(7), ROLE_INSTRUCTOR, (-3, 9)),
    EnrollmentRow(COURSE_PIPE_ANGLE, SLUGGER, ROLE_STUDENT, (-2, 10, 10)),
    EnrollmentRow(COURSE_QUERY_PERCENT, CrowdMember(8), ROLE_INSTRUCTOR, (-25, 8, 15)),
    EnrollmentRow(COURSE_QUERY_PERCENT, SLUGGER, ROLE_STUDENT, (-19, 12)),
    EnrollmentRow(COURSE_BROKEN, CrowdMember(9), ROLE_INSTRUCTOR, (-20, 10)),
    EnrollmentRow(COURSE_BROKEN, BROKEN_STUDENT, ROLE_STUDENT, (-14, 11, 5)),
)

# --- The crowd -----------------------------------------------------------------
# Generated users besides the named ones; the first CROWD_INSTRUCTORS of them
# instruct generated courses, the others are their students and volunteers.
CROWD_SIZE = 600
CROWD_INSTRUCTORS = 60
# Generated courses, made in this order after the named ones.
GENERATED = (
    Batch(130, "active", (BIG_CAMPAIGN,)),
    Batch(15, "ended", (BIG_CAMPAIGN,)),
    Batch(10, "future", (BIG_CAMPAIGN,)),
    Batch(3, "active", (NORMAL_CAMPAIGN,), busy=False),
    Batch(25, "active"),
    Batch(25, "ended"),
    Batch(10, "future"),
)
# STAFF joins every this many-th generated course.
STAFF_EVERY = 4
# BUSY's generated courses (with three named ones: 26 visible), and the roles
# of some of them by position in that list; the others are student roles.
BUSY_GENERATED: tuple[tuple[Window, int], ...] = (("active", 12), ("ended", 9), ("future", 2))
BUSY_ROLES = {3: ROLE_CAMPUS_VOLUNTEER, 7: ROLE_ONLINE_VOLUNTEER, 14: ROLE_CAMPUS_VOLUNTEER}

# --- The whole definition ------------------------------------------------------
CROWD = CrowdPlan(
    size=CROWD_SIZE,
    instructors=CROWD_INSTRUCTORS,
    generated=GENERATED,
    style="outreach",
    staff=STAFF,
    staff_every=STAFF_EVERY,
    busy=BUSY,
    busy_generated=BUSY_GENERATED,
    busy_roles=BUSY_ROLES,
)
# What ``build_world(world="outreach")`` builds: the Outreach Dashboard's world.
DEFINITION = WorldDefinition(
    instance=OUTREACH,
    module=sys.modules[__name__],
    people=PEOPLE,
    profiles=PROFILES,
    campaigns=CAMPAIGNS,
    courses=COURSES,
    enrollments=ENROLLMENTS,
    crowd=CROWD,
)

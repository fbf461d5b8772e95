"""The controlled words of the domain, as the pages offer them."""

SUBJECTS = [("ELA", "ELA"), ("math", "Math"), ("science", "Science"), ("ELD", "ELD"),
            ("other", "Other")]
GRADES = ["TK", "K", *(str(n) for n in range(1, 13))]
EVENT_KINDS = [
    ("workshop_series", "Workshop series"),
    ("conference", "Conference"),
    ("institute", "Institute"),
    ("webinar", "Webinar"),
    ("coaching_cycle", "Coaching cycle"),
    ("community_of_practice", "Community of practice"),
    ("lesson_study", "Lesson study"),
]
FORMATS = [("in_person", "In person"), ("virtual", "Virtual"), ("hybrid", "Hybrid")]
TIMEZONES = [
    ("America/Los_Angeles", "Pacific (Los Angeles)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Phoenix", "Mountain, no DST (Phoenix)"),
    ("America/Chicago", "Central (Chicago)"),
    ("America/New_York", "Eastern (New York)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
    ("UTC", "UTC"),
]

# The first line of a sign-in sheet, exactly as scheduling's import expects it.
SIGN_IN_SHEET_HEADER = ("email", "full_name", "role", "school", "district", "county")

# The first line of an events spreadsheet, exactly as scheduling's event import expects it, and
# example lines for the blank template: one line per session; lines with the same title and
# event_key make one event.
EVENT_SHEET_HEADER = ("event_key", "title", "kind", "subjects", "grades", "format", "venue",
                      "county", "timezone", "credit_hours", "session_title", "date", "start_time",
                      "end_time", "capacity", "room")
EVENT_SHEET_EXAMPLE = (
    ("fr-2026", "Fraction strips", "workshop_series", "math", "3-5", "in_person",
     "Lincoln Elementary", "Alameda", "America/Los_Angeles", "6", "Session I", "2026-03-03",
     "15:30", "17:00", "30", "Library"),
    ("fr-2026", "Fraction strips", "workshop_series", "math", "3-5", "in_person",
     "Lincoln Elementary", "Alameda", "America/Los_Angeles", "6", "Session II", "2026-03-17",
     "15:30", "17:00", "30", "Library"),
    ("", "Claims and evidence", "institute", "ELA;ELD", "TK-6", "virtual", "", "",
     "America/Los_Angeles", "3", "", "2026-04-11", "9:00 AM", "12:00 PM", "100", ""),
)

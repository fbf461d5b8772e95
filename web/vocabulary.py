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

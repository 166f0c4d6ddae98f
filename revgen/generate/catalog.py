"""The demo company's fixed vocabulary: channels, touch types, names."""

# channel: (daily spend range USD at 1,000 people, reach weight, chance a touch is engagement)
CHANNELS = {
    "paid_search": ((300, 600), 0.25, 0.45),
    "social": ((100, 250), 0.25, 0.20),
    "email": ((20, 60), 0.20, 0.60),
    "events": ((400, 900), 0.10, 0.80),
    "content": ((50, 120), 0.20, 0.50),
}
UNMEASURABLE_CHANNEL = ("tv", (800, 1200))  # spend that reaches nobody we can measure
TOUCH_POINTS = {  # touch type -> lead-score points
    "web_visit": 5,
    "ad_click": 5,
    "email_click": 10,
    "content_download": 15,
    "form_fill": 25,
    "webinar_attended": 20,
    "event_attended": 30,
    "demo_request": 40,
}
ENGAGEMENT_TYPES = {
    "paid_search": ["form_fill", "content_download", "demo_request"],
    "social": ["content_download", "form_fill"],
    "email": ["email_click", "webinar_attended", "content_download"],
    "events": ["event_attended", "demo_request"],
    "content": ["content_download", "webinar_attended"],
}
PASSIVE_TYPES = {
    "paid_search": "ad_click",
    "social": "ad_click",
    "email": "web_visit",
    "events": "web_visit",
    "content": "web_visit",
}
OTHER_INDUSTRIES = ["education", "government", "nonprofit", "media"]
OTHER_COUNTRIES = ["BR", "IN", "JP", "MX"]
TITLES = [
    "VP Marketing",
    "Head of Sales",
    "CTO",
    "Data Engineer",
    "Operations Manager",
    "CFO",
    "Analyst",
    "Founder",
]
FIRST = ["Dana", "Noa", "Avi", "Maya", "Lior", "Sam", "Alex", "Kim", "Rin", "Omer", "Tal", "Yael"]
LAST = ["Cohen", "Levi", "Smith", "Garcia", "Muller", "Martin", "Rossi", "Novak", "Sato", "Silva"]
COMPANY_WORDS = ["acme", "globex", "initech", "umbrella"]
OPEN_OPP_STAGES = ["discovery", "proposal", "negotiation"]
PRODUCTS = {"new_business": "platform", "upsell": "platform_seats", "cross_sell": "analytics_addon"}

"""HubSpot constants: endpoints, properties, and how HubSpot's words map onto the raw contract."""

CONN_ID = "revgen_hubspot"  # Airflow connection: host = API base URL, password = private-app token
DEFAULT_BASE_URL = "https://api.hubapi.com"
PAGE_SIZE = 100
SEARCH_RESULT_CAP = (
    10_000  # the search endpoint pages no further than this: restart from the cursor
)

CONTACT_PROPERTIES = [
    "email",
    "firstname",
    "lastname",
    "jobtitle",
    "company",
    "industry",
    "country",
    "numberofemployees",
    "createdate",
    "lastmodifieddate",
    "nurture_program",
]
DEAL_PROPERTIES = [
    "dealname",
    "dealtype",
    "dealstage",
    "amount",
    "deal_currency_code",
    "budget_confirmed",
    "hubspot_owner_id",
    "createdate",
    "closedate",
    "hs_lastmodifieddate",
]
CALL_PROPERTIES = ["hs_timestamp", "hs_call_duration", "hubspot_owner_id", "hs_lastmodifieddate"]
MEETING_PROPERTIES = [
    "hs_timestamp",
    "hs_meeting_start_time",
    "hs_meeting_end_time",
    "hubspot_owner_id",
    "hs_lastmodifieddate",
]
CAMPAIGN_PROPERTIES = ["hs_name", "hs_start_date", "hs_end_date", "hs_utm_medium"]

# HubSpot's default sales pipeline stages -> revgen's opportunity sub-stages
DEAL_STAGES = {
    "appointmentscheduled": "discovery",
    "qualifiedtobuy": "discovery",
    "presentationscheduled": "proposal",
    "decisionmakerboughtin": "proposal",
    "contractsent": "negotiation",
    "closedwon": "won",
    "closedlost": "lost",
}
DEAL_TYPES = {"newbusiness": "new_business", "existingbusiness": "upsell"}
# HubSpot owners carry no role: the role revgen assumes for an owner of each team
ROLE_BY_TEAM = {"sales": "ae", "marketing": "marketing"}

# the API objects revgen extracts, each with the contract stream it lands in (DAG wiring reads this)
STREAMS = {
    "owners": ("crm", "users"),
    "campaigns": ("marketing", "campaigns"),
    "contacts": ("marketing", "contacts"),
    "deals": ("crm", "opportunities"),
    "deal_stage_history": ("crm", "opportunity_history"),
    "engagements": ("crm", "activities"),
}

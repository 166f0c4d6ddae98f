"""Salesforce constants: API version, SOQL per object, and Salesforce's words -> the raw contract."""

CONN_ID = "revgen_salesforce"  # host = instance URL; password = access token, or extra
#                                {"client_id", "client_secret"} for the client-credentials flow
API_VERSION = "v60.0"

LEAD_STATUS = {
    "open - not contacted": "new",
    "working - contacted": "working",
    "nurture": "recycled",
    "closed - not converted": "disqualified",
    "closed - converted": "converted",
}
OPPORTUNITY_STAGES = {
    "prospecting": "discovery",
    "qualification": "discovery",
    "needs analysis": "discovery",
    "value proposition": "proposal",
    "proposal/price quote": "proposal",
    "negotiation/review": "negotiation",
    "closed won": "won",
    "closed lost": "lost",
}
OPPORTUNITY_TYPES = {
    "new business": "new_business",
    "existing customer - upgrade": "upsell",
    "existing customer - cross-sell": "cross_sell",
    "existing customer - renewal": "renewal",
}
ROLE_WORDS = {
    "sdr": "sdr",
    "development": "sdr",
    "executive": "ae",
    "account manager": "am",
    "marketing": "marketing",
}
# custom fields a company adds (documented in README.md); absent fields simply load as null
MARKETING_CONTACT_FIELD = "Marketing_Contact_Id__c"
REVENUE_TARGET_FIELD = "Annual_Revenue_Target__c"
BUDGET_FIELD = "Budget_Confirmed__c"
LEAD_FIELD = "Converted_Lead_Id__c"

# the API objects revgen extracts, each with the contract stream it lands in (DAG wiring reads this)
STREAMS = {
    "User": ("crm", "users"),
    "Account": ("crm", "accounts"),
    "Lead": ("crm", "leads"),
    "LeadHistory": ("crm", "lead_history"),
    "Contact": ("crm", "contacts"),
    "Opportunity": ("crm", "opportunities"),
    "OpportunityHistory": ("crm", "opportunity_history"),
    "Task": ("crm", "activities"),
    "Event": ("crm", "activities"),
    "Campaign": ("marketing", "campaigns"),
    "CampaignMember": ("marketing", "touchpoints"),
}

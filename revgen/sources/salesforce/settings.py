"""Salesforce constants: API version, the objects revgen reads (declared as data: fields, cursor,
stream, column mapping), and Salesforce's words -> the raw contract."""

from revgen.sources.columns import (
    ApiObject,
    ChangedValue,
    Choice,
    Const,
    Field,
    FieldName,
    First,
    Keywords,
    Minutes,
    Slug,
    Text,
    When,
    Word,
)

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

# The API objects revgen extracts, in extraction order: each with the contract stream it lands in,
# its SOQL cursor, and each contract column made from its fields (the SOQL selects exactly the
# fields the columns read, then the cursor). The client reads this table; no code per object.
MODSTAMP = "SystemModstamp"
OBJECTS = (
    ApiObject(
        "User",
        ("crm", "users"),
        {
            "user_id": Field("Id"),
            "name": Field("Name"),
            "email": Field("Email"),
            "role": Keywords(("Title", "Department"), ROLE_WORDS, default="ae"),
            "team": Keywords(("Department",), {"marketing": "marketing"}, default="sales"),
            "is_active": Text("IsActive"),
            "deactivated_at": When("LastModifiedDate", flag="IsActive", expect=False),
            "annual_revenue_target": Text(REVENUE_TARGET_FIELD),
        },
        cursor=MODSTAMP,
    ),
    ApiObject(
        "Account",
        ("crm", "accounts"),
        {
            "account_id": Field("Id"),
            "name": Field("Name"),
            "industry": Field("Industry"),
            "country": Field("BillingCountry"),
            "company_size": Text("NumberOfEmployees"),
            "owner_id": Field("OwnerId"),
            "created_at": Field("CreatedDate"),
        },
        cursor=MODSTAMP,
    ),
    ApiObject(
        "Lead",
        ("crm", "leads"),
        {
            "lead_id": Field("Id"),
            "contact_id": Field(MARKETING_CONTACT_FIELD),
            "email": Field("Email"),
            "status": Word("Status", LEAD_STATUS),
            "lead_source": Text("LeadSource"),
            "owner_id": Field("OwnerId"),
            "created_at": Field("CreatedDate"),
            "updated_at": Field("LastModifiedDate"),
        },
        cursor=MODSTAMP,
    ),
    ApiObject(
        "LeadHistory",
        ("crm", "lead_history"),
        {
            "history_id": Field("Id"),
            "lead_id": Field("LeadId"),
            "field": FieldName("Field", {"Owner": "owner_id"}),
            "old_value": ChangedValue("OldValue", changed="Field", words={"Status": LEAD_STATUS}),
            "new_value": ChangedValue("NewValue", changed="Field", words={"Status": LEAD_STATUS}),
            "changed_at": Field("CreatedDate"),
        },
        cursor="CreatedDate",  # no SystemModstamp: history rows never change once written
    ),
    ApiObject(
        "Contact",
        ("crm", "contacts"),
        {
            "contact_id": Field("Id"),
            "account_id": Field("AccountId"),
            "lead_id": Const(None),
            "email": Field("Email"),
            "first_name": Field("FirstName"),
            "last_name": Field("LastName"),
            "created_at": Field("CreatedDate"),
        },
        cursor=MODSTAMP,
    ),
    ApiObject(
        "Opportunity",
        ("crm", "opportunities"),
        {
            "opportunity_id": Field("Id"),
            "account_id": Field("AccountId"),
            "lead_id": Field(LEAD_FIELD),
            "name": Field("Name"),
            "opportunity_type": Word("Type", OPPORTUNITY_TYPES),
            "stage": Word("StageName", OPPORTUNITY_STAGES),
            "amount": Text("Amount"),
            "currency": Const("USD"),
            "has_budget": Text(BUDGET_FIELD),
            "owner_id": Field("OwnerId"),
            "created_at": Field("CreatedDate"),
            "closed_at": When("CloseDate", flag="IsClosed"),
        },
        cursor=MODSTAMP,
    ),
    ApiObject(
        "OpportunityHistory",
        ("crm", "opportunity_history"),
        {
            "history_id": Field("Id"),
            "opportunity_id": Field("OpportunityId"),
            "stage": Word("StageName", OPPORTUNITY_STAGES),
            "amount": Text("Amount"),
            "changed_at": Field("CreatedDate"),
        },
        cursor=MODSTAMP,
    ),
    ApiObject(
        "Task",
        ("crm", "activities"),
        {
            "activity_id": Field("Id"),
            "activity_type": Choice("TaskSubtype", {"Email": "email"}, default="call"),
            "owner_id": Field("OwnerId"),
            "lead_id": Field("WhoId"),
            "opportunity_id": Field("WhatId"),
            "started_at": Field("CreatedDate"),
            "duration_minutes": Minutes("CallDurationInSeconds"),
        },
        cursor=MODSTAMP,
    ),
    ApiObject(
        "Event",
        ("crm", "activities"),
        {
            "activity_id": Field("Id"),
            "activity_type": Const("meeting"),
            "owner_id": Field("OwnerId"),
            "lead_id": Field("WhoId"),
            "opportunity_id": Field("WhatId"),
            "started_at": Field("StartDateTime"),
            "duration_minutes": Text("DurationInMinutes"),
        },
        cursor=MODSTAMP,
    ),
    ApiObject(
        "Campaign",
        ("marketing", "campaigns"),
        {
            "campaign_id": Field("Id"),
            "name": Field("Name"),
            "channel": Text("Type"),
            "started_on": Field("StartDate"),
            "ended_on": Field("EndDate"),
        },
        cursor=MODSTAMP,
    ),
    ApiObject(
        "CampaignMember",
        ("marketing", "touchpoints"),
        {
            "touchpoint_id": Field("Id"),
            "contact_id": First(("LeadId", "ContactId")),  # a lead's id, else the contact's
            "campaign_id": Field("CampaignId"),
            "channel": Const("campaign"),
            "touch_type": Slug("Status", default="member"),
            "touched_at": Field("CreatedDate"),
        },
        cursor=MODSTAMP,
    ),
)
# each object's contract stream (DAG wiring reads this, as for every API source)
STREAMS = {item.name: item.lands_in for item in OBJECTS}

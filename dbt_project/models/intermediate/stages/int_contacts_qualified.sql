{#- Per person (contact_id is the person's id: a surviving contact, or `lead:<id>`): does it fit the ICP, when did it become a prospect (fit + first interest touch),
    and when an MQL (lead score at or over the policy threshold, from prospect on). -#}
{%- set icp = policy()['icp'] -%}
{{ config(materialized='incremental', incremental_strategy='append',
    indexes=[{'columns': ['contact_id'], 'unique': True}],
    pre_hook="{{ delete_rebuilt_people('contact_id') }}", post_hook="{{ record_build() }}") }}
{{ changed_people_depends_on() }}

with contacts as (
    select person_id as contact_id, job_title, industry, country, company_size, created_at
    from {{ ref('int_people') }}
    where {{ only_rebuilt_people(by_key=true) }}
),

touchpoints as (
    select person_id as contact_id, touch_type, touched_at
    from {{ ref('int_touchpoints_resolved') }}
    where person_id is not null and {{ only_rebuilt_people(by_key=true) }}
),

resolved_contacts as (
    -- the rebuilt people's records only: their scores are all that is read
    select contact_id, person_id
    from {{ ref('int_contacts_resolved') }}
    where person_id is not null and {{ only_rebuilt_people() }}
),

lead_scores as (
    select resolved_contacts.person_id as contact_id, scores.score, scores.scored_at
    from {{ ref('stg_marketing__lead_scores') }} as scores
    inner join resolved_contacts on scores.contact_id = resolved_contacts.contact_id
),

fit as (
    select
        contact_id,
        case
            when industry in {{ sql_list(icp['industries']) }}
                and country in {{ sql_list(icp['countries']) }}
                and company_size >= {{ icp['min_company_size'] }}
                {%- if icp['job_title_keywords'] %}
                and (
                    {%- for keyword in icp['job_title_keywords'] %}
                    strpos(lower(job_title), {{ sql_string(keyword | lower) }}) > 0{{ " or" if not loop.last }}
                    {%- endfor %}
                )
                {%- endif %}
                then true
            else false
        end as is_icp_fit
    from contacts
),

first_interest as (
    select contact_id, min(touched_at) as first_interest_at
    from touchpoints
    where touch_type in {{ sql_list(policy()['interest']['touch_types']) }}
    group by contact_id
),

prospects as (
    select
        fit.contact_id,
        fit.is_icp_fit,
        case when fit.is_icp_fit then first_interest.first_interest_at end as prospect_at
    from fit
    left join first_interest on fit.contact_id = first_interest.contact_id
),

mqls as (
    select prospects.contact_id, min(lead_scores.scored_at) as mql_at
    from prospects
    inner join lead_scores
        on prospects.contact_id = lead_scores.contact_id
        and prospects.prospect_at <= lead_scores.scored_at
        and lead_scores.score >= {{ policy()['mql']['score_threshold'] }}
    group by prospects.contact_id
),

final as (
    select
        prospects.contact_id,
        prospects.is_icp_fit,
        prospects.prospect_at,
        mqls.mql_at
    from prospects
    left join mqls on prospects.contact_id = mqls.contact_id
)

select * from final

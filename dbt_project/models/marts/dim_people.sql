{#- Incremental: the rows of the people int_changed_people names are rebuilt. -#}
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    indexes=[{'columns': ['person_id'], 'unique': True}],
    pre_hook="{{ delete_rebuilt_people() }}", post_hook="{{ record_build() }}") }}
{{ changed_people_depends_on() }}

with people as (
    select * from {{ ref('int_people_staged') }}
    where {{ only_rebuilt_people(by_key=true) }}
),

final as (
    select
        person_id,
        email_hash,
        current_stage,
        stage_order,
        case when stage_order >= {{ stage_order("'prospect'") }} then true else false end as is_open,
        is_icp_fit,
        created_at,
        prospect_at,
        mql_at,
        stage_entered_at,
        lead_id,
        lead_status,
        opportunity_id,
        opportunity_stage,
        owner_type,
        owner_id,
        owner_name,
        owner_team,
        expected_owner_team,
        owner_is_active,
        owner_deactivated_at,
        last_owner_touch_at,
        has_reached_prospect,
        has_reached_lead,
        has_reached_opportunity,
        has_reached_customer
    from people
)

select * from final

{#- Recycling: the share of leads returned to marketing and of those the share that came back as
    MQLs; the share of opportunities lost and handed back to nurture. One row. -#}

with transitions as (
    select person_id, to_stage, reason, transition_number
    from {{ ref('fct_stage_transitions') }}
),

people as (
    select
        person_id,
        max(case when to_stage = 'lead' then 1 else 0 end) as reached_lead,
        max(case when to_stage = 'opportunity' then 1 else 0 end) as reached_opportunity,
        min(case when reason = 'recycled' then transition_number end) as first_recycled_at,
        max(case when to_stage = 'lead' then transition_number end) as last_lead_entry,
        max(case when reason = 'lost' then 1 else 0 end) as was_lost
    from transitions
    group by person_id
),

final as (
    select
        {{ as_of() }} as as_of,
        cast(coalesce(sum(reached_lead), 0) as {{ dbt.type_bigint() }}) as people_reached_lead,
        cast(coalesce(sum(case when first_recycled_at is not null then 1 else 0 end), 0) as {{ dbt.type_bigint() }})
            as people_recycled,
        cast(
            coalesce(sum(case when last_lead_entry > first_recycled_at then 1 else 0 end), 0) as {{ dbt.type_bigint() }}
        )
            as people_recycled_came_back,
        cast(coalesce(sum(reached_opportunity), 0) as {{ dbt.type_bigint() }}) as people_reached_opportunity,
        cast(coalesce(sum(was_lost), 0) as {{ dbt.type_bigint() }}) as people_lost_to_nurture
    from people
)

select
    final.*,
    case when people_reached_lead > 0
        then cast(people_recycled as {{ dbt.type_float() }}) / people_reached_lead end
        as recycle_rate,
    case when people_recycled > 0
        then cast(people_recycled_came_back as {{ dbt.type_float() }}) / people_recycled end
        as came_back_rate,
    case when people_reached_opportunity > 0
        then cast(people_lost_to_nurture as {{ dbt.type_float() }}) / people_reached_opportunity end
        as lost_to_nurture_rate
from final

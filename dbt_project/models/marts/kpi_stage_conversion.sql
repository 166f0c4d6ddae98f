{#- Of the people who ever entered a stage (first entries), how many later entered the next one,
    and how fast: days from the first entry into the stage to the first entry into the next
    (median and 90th percentile). Re-entries into the stage are counted apart. Awareness and
    preference are measured per campaign, not per person, so the pairs start at the third stage. -#}
with first_entries as (
    select person_id, stage, first_entered_at, entries
    from {{ ref('int_stage_first_entries') }}
),

pairs as (
    {{ stage_pairs() }}
),

journeys as (
    select
        pairs.from_stage_order,
        pairs.from_stage,
        pairs.to_stage,
        entered.person_id,
        entered.entries - 1 as re_entries,
        case
            when reached.first_entered_at >= entered.first_entered_at
                then cast({{ dbt.datediff('entered.first_entered_at', 'reached.first_entered_at', 'second') }} as {{ dbt.type_float() }}) / 86400
        end as days_to_next
    from pairs
    inner join first_entries as entered on entered.stage = pairs.from_stage
    left join first_entries as reached
        on reached.person_id = entered.person_id and reached.stage = pairs.to_stage
),

final as (
    select
        from_stage_order,
        from_stage,
        to_stage,
        count(*) as people_entered,
        count(days_to_next) as people_converted,
        case when count(*) > 0
            then cast(count(days_to_next) as {{ dbt.type_float() }}) / count(*)
        end as conversion_rate,
        percentile_cont(0.5) within group (order by days_to_next) as velocity_days_median,
        percentile_cont(0.9) within group (order by days_to_next) as velocity_days_p90,
        cast(sum(re_entries) as {{ dbt.type_bigint() }}) as re_entries,
        {{ as_of() }} as as_of
    from journeys
    group by from_stage_order, from_stage, to_stage
)

select * from final

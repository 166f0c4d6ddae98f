{#- Of the people who ever entered a stage (first entries), how many later entered the next one,
    and how fast: days from the first entry into the stage to the first entry into the next
    (median and 90th percentile). Re-entries into the stage are counted apart. Awareness and
    preference are measured per campaign, not per person, so the pairs start at the third stage. -#}
with journeys as (
    select
        from_stage_order,
        from_stage,
        to_stage,
        re_entries,
        case when reached_next_at is not null
            then cast({{ seconds_between('first_entered_at', 'reached_next_at') }}
                as {{ dbt.type_float() }}) / 86400
        end as days_to_next
    from {{ ref('int_stage_journeys') }}
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
        {{ exact_mean("days_to_next") }} as velocity_days_mean,
        percentile_cont(0.5) within group (order by days_to_next) as velocity_days_median,
        percentile_cont(0.9) within group (order by days_to_next) as velocity_days_p90,
        cast(sum(re_entries) as {{ dbt.type_bigint() }}) as re_entries,
        {{ as_of() }} as as_of
    from journeys
    group by from_stage_order, from_stage, to_stage
)

select * from final

{#- Of the people who ever entered a stage (first entries), how many later entered the next one,
    and how fast: days from the first entry into the stage to the first entry into the next
    (median and 90th percentile). Re-entries into the stage are counted apart. Awareness and
    preference are measured per campaign, not per person, so the pairs start at the third stage.
    The counts are hashed over every journey; only the converted are sorted for the percentiles. -#}
with journeys as not materialized (
    select
        from_stage_order,
        from_stage,
        to_stage,
        re_entries,
        case when reached_next_at is not null
            then {{ seconds_between('first_entered_at', 'reached_next_at') }}
        end as seconds_to_next
    from {{ ref('int_stage_journeys') }}
),

counted as (
    select
        from_stage_order,
        from_stage,
        to_stage,
        count(*) as people_entered,
        count(seconds_to_next) as people_converted,
        {{ exact_mean('seconds_to_next', 86400) }} as velocity_days_mean,
        cast(sum(re_entries) as {{ dbt.type_bigint() }}) as re_entries
    from journeys
    group by from_stage_order, from_stage, to_stage
),

velocities as (
    select
        from_stage,
        {{ percentiles('seconds_to_next', [0.5, 0.9], 86400) }} as days
    from journeys
    where seconds_to_next is not null
    group by from_stage
),

final as (
    select
        counted.from_stage_order,
        counted.from_stage,
        counted.to_stage,
        counted.people_entered,
        counted.people_converted,
        case when counted.people_entered > 0
            then cast(counted.people_converted as {{ dbt.type_float() }}) / counted.people_entered
        end as conversion_rate,
        counted.velocity_days_mean,
        velocities.days[1] as velocity_days_median,
        velocities.days[2] as velocity_days_p90,
        counted.re_entries,
        {{ as_of() }} as as_of
    from counted
    left join velocities on counted.from_stage = velocities.from_stage
)

select * from final

{#- Of the people who ever entered a stage (first entries), how many later entered the next one,
    and how fast: days from the first entry into the stage to the first entry into the next
    (median and 90th percentile). Re-entries into the stage are counted apart. Awareness and
    preference are measured per campaign, not per person, so the pairs start at the third stage.
    The counts and the mean are the journeys' kept totals; only the converted are read and sorted
    for the percentiles. -#}
with journeys as (
    select
        from_stage,
        {{ seconds_between('first_entered_at', 'reached_next_at') }} as seconds_to_next
    from {{ ref('int_stage_journeys') }}
    where reached_next_at is not null
),

-- the sums int_stage_journeys keeps per journey and cohort month as its rows change
-- (macros/stages.sql); a journey whose people all left has no row
counted as (
    select
        from_stage_order,
        from_stage,
        to_stage,
        cast(sum(people_entered) as {{ dbt.type_bigint() }}) as people_entered,
        cast(sum(people_converted) as {{ dbt.type_bigint() }}) as people_converted,
        {{ exact_mean_of('sum(seconds_to_next)', 'sum(people_converted)', 86400) }} as velocity_days_mean,
        cast(sum(re_entries) as {{ dbt.type_bigint() }}) as re_entries
    from {{ totals_of(ref('int_stage_journeys'), journey_cohorts()) }}
    group by from_stage_order, from_stage, to_stage
    having sum(people_entered) > 0
),

velocities as (
    select
        from_stage,
        {{ percentiles('seconds_to_next', [0.5, 0.9], 86400) }} as days
    from journeys
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

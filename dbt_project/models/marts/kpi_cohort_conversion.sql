{#- Cohort conversion: of the people whose first entry into a stage fell in a month, how many
    later entered the next stage (first entries only). -#}
-- the sums per journey and month int_stage_journeys keeps as its rows change (macros/stages.sql);
-- a month whose people all left has no cohort
with cohorts as (
    select from_stage, to_stage, cohort_month, people_entered, people_converted
    from {{ totals_of(ref('int_stage_journeys'), journey_cohorts()) }}
    where people_entered > 0
),

final as (
    select
        from_stage || '>' || to_stage || '@' || cast(cohort_month as {{ dbt.type_string() }})
            as cohort_id,
        from_stage,
        to_stage,
        cohort_month,
        cast(people_entered as {{ dbt.type_bigint() }}) as people_entered,
        cast(people_converted as {{ dbt.type_bigint() }}) as people_converted,
        cast(people_converted as {{ dbt.type_float() }}) / cast(people_entered as {{ dbt.type_bigint() }})
            as conversion_rate
    from cohorts
)

select * from final

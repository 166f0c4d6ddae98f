{#- Cohort conversion: of the people whose first entry into a stage fell in a month, how many
    later entered the next stage (first entries only). -#}
with cohorts as (
    select
        from_stage,
        to_stage,
        cast({{ dbt.date_trunc('month', 'first_entered_at') }} as date) as cohort_month,
        case when reached_next_at is not null then 1 else 0 end as has_converted
    from {{ ref('int_stage_journeys') }}
),

final as (
    select
        from_stage || '>' || to_stage || '@' || cast(cohort_month as {{ dbt.type_string() }})
            as cohort_id,
        from_stage,
        to_stage,
        cohort_month,
        count(*) as people_entered,
        cast(sum(has_converted) as {{ dbt.type_bigint() }}) as people_converted,
        cast(sum(has_converted) as {{ dbt.type_float() }}) / count(*) as conversion_rate
    from cohorts
    group by from_stage, to_stage, cohort_month
)

select * from final

{#- Cohort conversion: of the people whose first entry into a stage fell in a month, how many
    later entered the next stage (first entries only). -#}
with first_entries as (
    select person_id, stage, first_entered_at
    from {{ ref('int_stage_first_entries') }}
),

pairs as (
    {{ stage_pairs() }}
),

cohorts as (
    select
        pairs.from_stage,
        pairs.to_stage,
        cast({{ dbt.date_trunc('month', 'entered.first_entered_at') }} as date) as cohort_month,
        case when reached.first_entered_at >= entered.first_entered_at then 1 else 0 end
            as has_converted
    from pairs
    inner join first_entries as entered on entered.stage = pairs.from_stage
    left join first_entries as reached
        on reached.person_id = entered.person_id and reached.stage = pairs.to_stage
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

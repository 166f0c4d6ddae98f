{#- Of the people who ever reached a stage, the share that went on to reach the next one. -#}

with people as (
    select
        has_reached_prospect,
        has_reached_lead,
        has_reached_opportunity,
        has_reached_customer
    from {{ ref('dim_people') }}
),

reached as (
    select
        count(*) as database_people,
        sum(case when has_reached_prospect then 1 else 0 end) as prospect_people,
        sum(case when has_reached_lead then 1 else 0 end) as lead_people,
        sum(case when has_reached_opportunity then 1 else 0 end) as opportunity_people,
        sum(case when has_reached_customer then 1 else 0 end) as customer_people
    from people
),

pairs as (
    select 'database' as from_stage, 'prospect' as to_stage, database_people as people_in, prospect_people as people_converted from reached
    union all
    select 'prospect', 'lead', prospect_people, lead_people from reached
    union all
    select 'lead', 'opportunity', lead_people, opportunity_people from reached
    union all
    select 'opportunity', 'customer', opportunity_people, customer_people from reached
),

final as (
    select
        {{ stage_order('from_stage') }} as from_stage_order,
        from_stage,
        to_stage,
        people_in,
        people_converted,
        case
            when people_in > 0 then cast(people_converted as {{ dbt.type_numeric() }}) / people_in
        end as conversion_rate,
        {{ as_of() }} as as_of
    from pairs
)

select * from final

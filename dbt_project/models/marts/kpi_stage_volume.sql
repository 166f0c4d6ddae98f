{#- People in each stage at the run's as-of time (stages from the policy file). -#}

with people as (
    select current_stage, is_open from {{ ref('dim_people') }}
),

stages as (
    {%- for stage in policy()['stages'] %}
    select {{ sql_string(stage.name) }} as stage_name, {{ loop.index }} as stage_order
    {{- " union all" if not loop.last }}
    {%- endfor %}
),

counted as (
    select current_stage, count(*) as people
    from people
    group by current_stage
),

final as (
    select
        stages.stage_order,
        stages.stage_name,
        coalesce(counted.people, 0) as people,
        stages.stage_order >= {{ policy()['per_person_from'] }} as is_per_person,
        {{ as_of() }} as as_of
    from stages
    left join counted on stages.stage_name = counted.current_stage
)

select * from final

{#- Each stage against the targets in the policy file: measured conversion to the next stage and
    median velocity, the hand-over SLA compliance, and whether each is on target. -#}

with conversion as (
    select from_stage, conversion_rate, velocity_days_median
    from {{ ref('kpi_stage_conversion') }}
),

sla as (
    select stage_name, sla_hours, compliance
    from {{ ref('kpi_sla_compliance') }}
),

targets as (
    {%- for stage in policy()['stages'] %}
    {%- set conversion = stage.target_conversion if stage.target_conversion is not none else 'null' %}
    {%- set velocity = stage.target_velocity_days if stage.target_velocity_days is not none else 'null' %}
    select
        {{ loop.index }} as stage_order,
        {{ sql_string(stage.name) }} as stage_name,
        cast({{ conversion }} as {{ dbt.type_float() }}) as target_conversion,
        cast({{ velocity }} as {{ dbt.type_float() }}) as target_velocity_days
    {{- " union all" if not loop.last }}
    {%- endfor %}
),

final as (
    select
        targets.stage_order,
        targets.stage_name,
        conversion.conversion_rate,
        targets.target_conversion,
        case when targets.target_conversion is null or conversion.conversion_rate is null then null
             when conversion.conversion_rate >= targets.target_conversion then true
             else false end as is_conversion_on_target,
        conversion.velocity_days_median,
        targets.target_velocity_days,
        case when targets.target_velocity_days is null or conversion.velocity_days_median is null
                then null
             when conversion.velocity_days_median <= targets.target_velocity_days then true
             else false end as is_velocity_on_target,
        sla.sla_hours,
        sla.compliance as sla_compliance
    from targets
    left join conversion on targets.stage_name = conversion.from_stage
    left join sla on targets.stage_name = sla.stage_name
)

select * from final

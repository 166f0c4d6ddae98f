{#- The activities an incremental build of int_activities_resolved rewrites or deletes, as they
    were before it: the person each worked on, stamped with the build (replaced_at).
    int_changed_people rebuilds from here the person an activity left (handed to another lead, or
    its deal's lead changed); the one it joins is named by the activity. Kept back to the window's
    start, as int_touchpoints_replaced; empty after a full refresh. -#}
{{ config(materialized='incremental', incremental_strategy='append',
    pre_hook="{{ forget_replaced() }}") }}
-- depends_on: {{ ref('stg_crm__activities') }}, {{ ref('int_opportunities_resolved') }}

{% call(since) replaced_records('int_activities_resolved', 'activity_id', ['person_id']) %}
    before.activity_id in (
        select activity_id from {{ ref('stg_crm__activities') }}
        where _loaded_at >= {{ since }}
        union
        select activity_id from ({{ removed_rows('crm', 'activities', since) }}) as removed
    )
    or before.opportunity_id in (
        select opportunity_id from {{ ref('int_opportunities_resolved') }}
        where _loaded_at >= {{ since }}
    )
{% endcall %}

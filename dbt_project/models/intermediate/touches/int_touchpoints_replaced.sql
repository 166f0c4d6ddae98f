{#- The touchpoints an incremental build of int_touchpoints_resolved rewrites or deletes, as they
    were before it: the person and visitor each belonged to, stamped with the build (replaced_at).
    What is kept per person or per visitor (int_changed_people, int_campaign_reach) rebuilds the
    person or visitor a touchpoint left from here; the one it joins is named by the touchpoint.
    Rows are kept back to the window's start (macros/incremental.sql), as long as a recorded build
    may still need them; empty after a full refresh. -#}
{{ config(materialized='incremental', incremental_strategy='append',
    pre_hook="{{ forget_replaced() }}") }}
-- depends_on: {{ ref('stg_marketing__touchpoints') }}

{% call(since) replaced_records('int_touchpoints_resolved', 'touchpoint_id', ['person_id', 'visitor_id']) %}
    before.touchpoint_id in (
        select touchpoint_id from {{ ref('stg_marketing__touchpoints') }}
        where _loaded_at >= {{ since }}
        union
        select touchpoint_id from ({{ removed_rows('marketing', 'touchpoints', since) }}) as removed
    )
{% endcall %}

with source as (
    {{ live_rows('crm', 'lead_history') }}
),

renamed as (
    select
        history_id,
        lead_id,
        lower(trim(field)) as field,
        case when lower(trim(field)) = 'status'
            then {{ translated('old_value', 'lead_statuses') }} else old_value end as old_value,
        case when lower(trim(field)) = 'status'
            then {{ translated('new_value', 'lead_statuses') }} else new_value end as new_value,
        changed_at,
        _loaded_at  -- when revgen loaded the row: incremental models start from it
    from source
)

select * from renamed

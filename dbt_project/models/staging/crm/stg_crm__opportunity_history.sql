with source as (
    {{ live_rows('crm', 'opportunity_history') }}
),

renamed as (
    select
        history_id,
        opportunity_id,
        lower(trim(stage)) as stage,
        amount as amount_usd,
        changed_at,
        _loaded_at  -- when revgen loaded the row: incremental models start from it
    from source
)

select * from renamed

with source as (
    select * from {{ source('crm', 'opportunity_history') }}
),

renamed as (
    select
        history_id,
        opportunity_id,
        lower(trim(stage)) as stage,
        amount as amount_usd,
        changed_at
    from source
)

select * from renamed

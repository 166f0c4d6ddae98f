{#- The column holds only stages measured per person (the policy's, database onward): the stage
    list is read from the policy, never repeated in a yml. Nulls pass, as in accepted_values. -#}
{% test is_a_person_stage(model, column_name) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} not in {{ sql_list(person_stages() | map(attribute='name') | list) }}
{% endtest %}

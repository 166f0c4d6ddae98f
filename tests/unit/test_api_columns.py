"""API objects declared as data (revgen.sources.columns): the fields an object is queried with
come from its columns, and each kind of column makes its value as declared."""

from revgen.contract import stream
from revgen.sources.columns import (
    ApiObject,
    ChangedValue,
    Choice,
    Const,
    Field,
    FieldName,
    First,
    Keywords,
    Minutes,
    Slug,
    Text,
    When,
    Word,
)
from revgen.sources.salesforce import settings


def test_an_object_selects_the_fields_its_columns_read_once_then_its_cursor():
    item = ApiObject(
        "Opportunity",
        ("crm", "opportunities"),
        {"id": Field("Id"), "closed_at": When("CloseDate", flag="IsClosed"), "x": Text("Id")},
        cursor="SystemModstamp",
    )
    assert item.fields == ["Id", "IsClosed", "CloseDate", "SystemModstamp"]
    history = ApiObject(
        "LeadHistory", ("crm", "lead_history"), {"at": Field("CreatedDate")}, "CreatedDate"
    )
    assert history.fields == ["CreatedDate"]  # the cursor is not selected twice


def test_each_kind_of_column_makes_its_value_as_declared():
    record = {"On": True, "Off": False, "N": 3, "Empty": "", "S": "Closed Won", "Secs": 125}
    assert [Text(name)(record) for name in ("On", "Off", "N", "Empty", "None")] == [
        "true",
        "false",
        "3",
        None,
        None,
    ]
    assert Word("S", {"closed won": "won"})(record) == "won"
    assert Word("S", {})(record) == "closed won" and Word("None", {})(record) is None
    assert Choice("S", {"Closed Won": "w"}, default="d")(record) == "w"
    assert Choice("N", {"Closed Won": "w"}, default="d")(record) == "d"
    assert Slug("S", default="member")(record) == "closed_won"
    assert Slug("Empty", default="member")(record) == "member"
    assert Minutes("Secs")(record) == "2" and Minutes("None")(record) == "0"
    assert When("N", flag="On")(record) == 3 and When("N", flag="Off")(record) is None
    assert When("N", flag="Off", expect=False)(record) == 3
    assert First(("Empty", "N"))(record) == 3 and First(("Empty", "None"))(record) is None
    assert Keywords(("S", "None"), {"won": "a", "closed": "b"}, default="c")(record) == "a"
    assert Keywords(("None",), {"won": "a"}, default="c")(record) == "c"
    assert Const("USD")(record) == "USD" and Const("USD").fields == ()


def test_a_history_value_is_translated_only_for_a_field_with_words():
    words = {"Status": {"nurture": "recycled"}}
    status = {"Field": "Status", "OldValue": "Nurture"}
    owner = {"Field": "Owner", "OldValue": "005A"}
    assert ChangedValue("OldValue", changed="Field", words=words)(status) == "recycled"
    assert ChangedValue("OldValue", changed="Field", words=words)(owner) == "005A"
    assert FieldName("Field", {"Owner": "owner_id"})(owner) == "owner_id"
    assert FieldName("Field", {"Owner": "owner_id"})(status) == "status"


def test_every_salesforce_object_fills_its_required_columns_and_only_contract_columns():
    for item in settings.OBJECTS:  # a misspelt column would be dropped by the loader unseen
        target = stream(*item.lands_in)
        required = {column.name for column in target.columns if column.required}
        assert required <= set(item.columns) <= set(target.column_names), item.name

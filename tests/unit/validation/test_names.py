from vhelpers import LABEL_ERR, SUBDOMAIN_ERR

from apimachinery.validation.field import GoTime, go_aggregate, go_quote, go_quote_list, go_slice, go_value
from apimachinery.validation.names import (
    is_config_map_key,
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_value,
    is_qualified_name,
    is_valid_path_segment_name,
    is_valid_port_name,
    name_is_dns_subdomain,
)


def test_dns1123_subdomain() -> None:
    assert is_dns1123_subdomain("example.com") == []
    assert is_dns1123_subdomain("Foo") == [SUBDOMAIN_ERR]
    assert is_dns1123_subdomain("a" * 254) == ["must be no more than 253 bytes"]


def test_dns1123_label() -> None:
    assert is_dns1123_label("my-name") == []
    assert is_dns1123_label("a.b") == ["must not contain dots"]
    assert is_dns1123_label("-a") == [LABEL_ERR]
    assert is_dns1123_label("a" * 64) == ["must be no more than 63 bytes"]


def test_dns1035_label() -> None:
    assert is_dns1035_label("v1beta1") == []
    assert is_dns1035_label("1v")[0].startswith("a DNS-1035 label must consist of lower case alphanumeric characters")


def test_qualified_name() -> None:
    assert is_qualified_name("example.com/MyName") == []
    assert is_qualified_name("MyName") == []
    assert is_qualified_name("/name") == ["prefix part must be non-empty"]
    assert is_qualified_name("Bad_Prefix/name") == ["prefix part " + SUBDOMAIN_ERR]
    assert is_qualified_name("example.com/") == [
        "name part must be non-empty",
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
        "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]
    assert is_qualified_name("a" * 64) == ["name part must be no more than 63 bytes"]
    assert is_qualified_name("a/b/c")[0].startswith("a valid label key must consist of")


def test_label_value() -> None:
    assert is_label_value("") == []
    assert is_label_value("my_value.1") == []
    assert is_label_value("-x")[0].startswith("a valid label must be an empty string or consist of")
    assert is_label_value("a" * 64) == ["must be no more than 63 bytes"]


def test_config_map_key() -> None:
    assert is_config_map_key("KEY_name-1.txt") == []
    assert is_config_map_key(".") == ["must not be '.'"]
    assert is_config_map_key("..") == ["must not be '..'"]
    assert is_config_map_key("..x") == ["must not start with '..'"]
    assert is_config_map_key("a b") == [
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
        "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"]


def test_path_segment_names() -> None:
    assert is_valid_path_segment_name("system:admin") == []
    assert is_valid_path_segment_name(".") == ["may not be '.'"]
    assert is_valid_path_segment_name("..") == ["may not be '..'"]
    assert is_valid_path_segment_name("a/b%c") == ["may not contain '/'", "may not contain '%'"]


def test_generate_name_prefix_allows_trailing_dash() -> None:
    assert name_is_dns_subdomain("web-", True) == []
    assert name_is_dns_subdomain("web-", False) == [SUBDOMAIN_ERR]


def test_port_name() -> None:
    assert is_valid_port_name("http") == []
    assert is_valid_port_name("a--b") == ["must not contain consecutive hyphens"]
    assert is_valid_port_name("123") == ["must contain at least one letter (a-z)"]


def test_go_formatting() -> None:
    assert go_quote('a"b\n\x01é') == '"a\\"b\\n\\x01é"'
    assert go_value(None) == "null"
    assert go_value(True) == "true"
    assert go_value(5) == "5"
    assert go_value(["a", "b"]) == '[]string{"a", "b"}'
    assert go_slice("string", []) == "[]string(nil)"
    assert go_value(GoTime(1704164645)) == "2024-01-02 03:04:05 +0000 UTC"
    # floats as %v prints a float64
    assert [go_value(v) for v in (2.0, 2.5, 1e21, 1.5e-7, 1e-4)] == ["2", "2.5", "1e+21", "1.5e-07", "0.0001"]
    assert [go_value(v) for v in (float("inf"), float("-inf"), float("nan"))] == ["+Inf", "-Inf", "NaN"]


def test_go_quote_list_and_aggregate() -> None:
    assert go_quote_list(["a", 'b"c']) == '["a" "b\\"c"]'
    assert go_quote_list([]) == "[]"
    assert go_aggregate([]) == ""
    assert go_aggregate(["one"]) == "one"
    assert go_aggregate(["one", "two", "one"]) == "[one, two]"
    assert go_aggregate(["same", "same"]) == "same"  # repeats dropped, then one reads as itself

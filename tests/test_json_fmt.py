"""JSON/JSONL ⇄ TOON converters: strict JSON reading with located errors, the `auto` delimiter, round trips."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import examples
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import json_model_equal, json_values

from toon_hooks import decode, encode
from toon_hooks.errors import ConfigError, ConversionError, ToonDecodeError
from toon_hooks.formats.json_fmt import (
    AUTO_ORDER,
    JsonlToJson,
    JsonlToToon,
    JsonToJsonl,
    JsonToToon,
    MarkdownToJson,
    ToonToJson,
    ToonToJsonl,
    choose_delimiter,
    count_quoted,
    parse_json,
    parse_jsonl,
)
from toon_hooks.formats.registry import get
from toon_hooks.options import Options

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "export.json"
PROPERTY = settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def json_text(value: Any) -> str:
    """Return `value` as JSON, or skip the example when it is not JSON (NaN/Infinity from the strategy)."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except ValueError:
        assume(False)
        raise


def to_toon(text: str | bytes, **options: Any) -> str:
    data = text.encode() if isinstance(text, str) else text
    return JsonToToon().convert(data, Options(**options), "data.json")


def jsonl_to_toon(text: str, **options: Any) -> str:
    return JsonlToToon().convert(text.encode(), Options(**options), "data.jsonl")


def to_json(toon_text: str, **options: Any) -> str:
    return ToonToJson().convert(toon_text.encode(), Options(**options), "data.toon")


def located(call: Any, *args: Any) -> ConversionError:
    with pytest.raises(ConversionError) as info:
        call(*args)
    return info.value


# --- reading JSON: pure, no codec involved ----------------------------------------------------------------------


@PROPERTY
@given(json_values())
def test_parse_json_reads_every_json_text(value: Any) -> None:
    assert json_model_equal(value, parse_json(json_text(value)))


def test_parse_json_keeps_big_ints_exact_and_any_root() -> None:
    assert parse_json(str(2**200)) == 2**200
    assert parse_json('"just a string"') == "just a string"
    assert parse_json("null") is None
    assert parse_json('{"b": 1, "a": [0.1, -0]}') == {"b": 1, "a": [0.1, 0]}
    assert list(parse_json('{"b": 1, "a": 2}')) == ["b", "a"]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ('{\n  "a": 1,\n  "b": NaN\n}', 3, 8, "NaN is not valid JSON"),
        ("[1,\n -Infinity]", 2, 2, "-Infinity is not valid JSON"),
        ('{"Infinity": Infinity}', 1, 14, "Infinity is not valid JSON"),
        ('{"x": [1e400]}', 1, 8, "too large"),
        ("[0,\n" + "9" * 5000 + "]", 2, 1, "5000 digits"),
        ('{"k": 1,\n "k": 2}', 2, 2, 'duplicate key "k"'),
        ('[{"a": {"a": 1}}, {"b": 1, "c": {}, "\\u0062": 2}]', 1, 37, 'duplicate key "b"'),
        ('{"s": "ok",\n "t": "\\ud800 lone"}', 2, 7, "surrogate"),
        ('{\n  "a": 1\n  "b": 2\n}', 3, 3, "Expecting ',' delimiter"),
        ("", 1, 1, "Expecting value"),
        ('{"a": 1} {"b": 2}', 1, 10, "Extra data"),
    ],
)
def test_parse_json_locates_bad_input(text: str, line: int, column: int, message: str) -> None:
    error = located(parse_json, text)
    assert (error.line, error.column) == (line, column)
    assert message in error.msg
    assert error.source_line == text.split("\n")[line - 1]


def test_paired_surrogates_are_one_character() -> None:
    assert parse_json('"\\ud83d\\ude00"') == "\U0001f600"


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    error = located(parse_json, "[" * 100_000)
    assert "nested too deeply" in error.msg


def test_invalid_utf8_is_located() -> None:
    error = located(JsonToToon().convert, b'{"a":\n "\xff"}', Options(), "x.json")
    assert (error.line, error.column) == (2, 3)


def test_jsonl_skips_blank_lines_and_keeps_line_separators_in_strings() -> None:
    text = '{"a": 1}\r\n\n   \n{"a": "x\u2028y"}\n[1]\n'
    assert parse_jsonl(text) == [{"a": 1}, {"a": "x\u2028y"}, [1]]
    assert parse_jsonl("") == []


def test_jsonl_error_names_the_file_line_of_a_broken_record() -> None:
    lines = ['{"id": 1, "ok": true}', "", '{"id": 2, "ok": true}', '{"id": 3, "ok": tru}', '{"id": 4, "ok": true}']
    error = located(JsonlToToon().convert, "\n".join(lines).encode(), Options(), "log.jsonl")
    assert (error.line, error.column) == (4, 17)
    assert error.source_line == lines[3]


def test_jsonl_rejections_are_located_too() -> None:
    error = located(parse_jsonl, '{"a": 1}\n{"a": 2, "a": 3}\n')
    assert (error.line, error.column, error.msg) == (2, 10, 'duplicate key "a"')


# --- count_quoted: pure ----------------------------------------------------------------------------------------


def test_count_quoted_counts_quoted_keys_and_values() -> None:
    toon_text = '\n'.join(
        [
            'name: "a:b"',
            '"my key": 1',
            'tags[3]: x,"y,z",""',
            'say: "he said \\"hi\\""',
            'path: "C:\\\\"',
            "plain: hello world",
        ]
    )
    assert count_quoted(toon_text) == 6
    assert count_quoted("a: 1\nb: text") == 0


# --- writing TOON (codec) --------------------------------------------------------------------------------------


@PROPERTY
@given(json_values(), st.sampled_from([",", "tab", "|", "auto"]), st.integers(min_value=1, max_value=4))
def test_json_round_trips_through_toon(value: Any, delimiter: str, indent: int) -> None:
    toon_text = to_toon(json_text(value), delimiter=delimiter, indent=indent)
    assert json_model_equal(value, decode(toon_text, indent_size=indent))
    assert json_model_equal(value, json.loads(to_json(toon_text, indent=indent)))
    assert toon_text == "" or (toon_text.endswith("\n") and not toon_text.endswith("\n\n"))


@PROPERTY
@given(json_values())
def test_auto_picks_the_fewest_quotes_with_earlier_delimiters_winning_ties(value: Any) -> None:
    counts = {d: count_quoted(encode(value, delimiter=d)) for d in AUTO_ORDER}
    chosen = choose_delimiter(value)
    assert counts[chosen] == min(counts.values())
    assert all(counts[d] > counts[chosen] for d in AUTO_ORDER[: AUTO_ORDER.index(chosen)])
    # A string holding a tab is quoted under every delimiter, so tab never needs more quotes than pipe.
    assert counts["\t"] <= counts["|"]


def test_auto_keeps_comma_when_nothing_needs_quoting_for_it() -> None:
    value = {"users": [{"id": 1, "name": "Ada Lovelace"}, {"id": 2, "name": "a|b"}]}
    assert choose_delimiter(value) == ","
    assert to_toon(json.dumps(value), delimiter="auto") == encode(value) + "\n"


def test_auto_switches_to_tab_when_commas_would_be_quoted() -> None:
    records = '{"id": 1, "note": "a, b"}\n{"id": 2, "note": "c"}\n'
    assert jsonl_to_toon(records, delimiter="auto") == "[2\t]{id\tnote}:\n  1\ta, b\n  2\tc\n"
    assert jsonl_to_toon(records) == '[2]{id,note}:\n  1,"a, b"\n  2,c\n'


@pytest.mark.parametrize(
    ("name", "header"), [("comma", "tags[2]: a,b"), ("tab", "tags[2\t]: a\tb"), ("pipe", "tags[2|]: a|b")]
)
def test_named_delimiters(name: str, header: str) -> None:
    assert to_toon('{"tags": ["a", "b"]}', delimiter=name) == header + "\n"


def test_unknown_delimiter_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="delimiter"):
        to_toon("[1]", delimiter=";")


def test_indent_option_is_used() -> None:
    assert to_toon('{"a": {"b": 1}}', indent=4) == "a:\n    b: 1\n"


def test_jsonl_uniform_records_become_a_table_with_nested_field_groups() -> None:
    records = '{"id": 1, "pos": {"x": 1, "y": 2}}\n\n{"id": 2, "pos": {"y": 4, "x": 3}}\n'
    assert jsonl_to_toon(records) == "[2]{id,pos{x,y}}:\n  1,1,2\n  2,3,4\n"
    assert decode(jsonl_to_toon("")) == []


def test_empty_root_object_is_an_empty_file() -> None:
    assert to_toon("{}") == ""
    assert to_json("") == "{}\n"


def test_big_ints_stay_exact() -> None:
    assert decode(to_toon(f'{{"n": {2**100}, "m": -{2**70}}}')) == {"n": 2**100, "m": -(2**70)}


# --- TOON → JSON -----------------------------------------------------------------------------------------------


def test_toon_to_json_pretty_keeps_key_order_and_unicode() -> None:
    assert to_json("b: 1\na[2]: x,é") == '{\n  "b": 1,\n  "a": [\n    "x",\n    "é"\n  ]\n}\n'


def test_toon_to_json_compact_and_custom_indent() -> None:
    assert to_json("b: 1\na[2]: 1,2", json_indent=None) == '{"b":1,"a":[1,2]}\n'
    assert to_json("a: 1", json_indent=4) == '{\n    "a": 1\n}\n'


@pytest.mark.parametrize(("toon_text", "line"), [("a: 1\nb[3]: 1,2", 2), ("a:\n  x: 1e400", 2)])
def test_toon_errors_propagate_located(toon_text: str, line: int) -> None:
    with pytest.raises(ToonDecodeError) as info:
        to_json(toon_text)
    assert info.value.line == line


def test_registry_finds_the_converters() -> None:
    assert isinstance(get("json", "toon"), JsonToToon)
    assert isinstance(get("jsonl", "toon"), JsonlToToon)
    assert isinstance(get("toon", "json"), ToonToJson)
    assert isinstance(get("toon", "jsonl"), ToonToJsonl)
    assert isinstance(get("json", "jsonl"), JsonToJsonl)
    assert isinstance(get("jsonl", "json"), JsonlToJson)
    assert isinstance(get("md", "json"), MarkdownToJson)


def test_example_export_round_trips_and_is_tabular() -> None:
    data = EXAMPLE.read_bytes()
    toon_text = JsonToToon().convert(data, Options(delimiter="auto"), str(EXAMPLE))
    assert decode(toon_text) == json.loads(data)
    assert json.loads(ToonToJson().convert(toon_text.encode(), Options(), "x.toon")) == json.loads(data)
    header = next(line for line in toon_text.splitlines() if line.startswith("agents["))
    assert "limits{" in header and "stats{" in header


@PROPERTY
@given(st.lists(json_values(max_leaves=8), max_size=5))
def test_jsonl_round_trips_through_toon(records: list[Any]) -> None:
    jsonl = "".join(json_text(record) + "\n" for record in records)
    toon_text = get("jsonl", "toon").convert(jsonl.encode(), Options(), "x.jsonl")
    back = get("toon", "jsonl").convert(toon_text.encode(), Options(), "x.toon")
    assert json_model_equal(records, parse_jsonl(back))
    assert back.count("\n") == len(records) and "\n " not in back  # one compact value per line


def test_jsonl_output_keeps_line_separators_inside_strings() -> None:
    back = get("json", "jsonl").convert('[{"s": "a\u2028b"}, 2]'.encode(), Options(), "x.json")
    assert back == '{"s":"a\u2028b"}\n2\n' and parse_jsonl(back) == [{"s": "a\u2028b"}, 2]
    assert get("toon", "jsonl").convert(b"[0]:\n", Options(), "x.toon") == ""


@pytest.mark.parametrize(("source", "text", "line", "column", "kind"), [
    ("toon", "\n# not a comment: x\n", 2, 1, "an object"),
    ("toon", "", 1, 1, "an object"),
    ("json", '  \n  "just text"', 2, 3, "a single value"),
])
def test_jsonl_output_needs_an_array_root(source: str, text: str, line: int, column: int, kind: str) -> None:
    with pytest.raises(ConversionError) as info:
        get(source, "jsonl").convert(text.encode(), Options(), "x")
    assert (info.value.line, info.value.column) == (line, column)
    assert info.value.msg == f"JSONL output needs an array root, got {kind}"


def test_jsonl_to_json_is_the_array_of_records() -> None:
    text = get("jsonl", "json").convert(b'{"a":1}\n\n[2]\n', Options(json_indent=None), "x.jsonl")
    assert text == '[{"a":1},[2]]\n'


def test_markdown_to_json_holds_the_data_of_markdown_to_toon_and_names_both_versions() -> None:
    markdown = "# Notes\n\n" + "".join(f"- item {n}\n" for n in range(30))
    toon_text = get("md", "toon").convert(markdown.encode(), Options(), "notes.md")
    assert json.loads(get("md", "json").convert(markdown.encode(), Options(), "notes.md")) == decode(toon_text)
    assert get("md", "json").cache_id() == f"md-to-json@1+{get('md', 'toon').cache_id()}"


def test_a_rejected_literal_glued_to_more_text_is_still_located() -> None:
    """Found by the CLI fuzz test: the literal is the start of a longer bare token."""
    for text, column in (("[1e999-0.5]", 2), ('{"a": NaN2}', 7)):
        with pytest.raises(ConversionError) as info:
            parse_json(text)
        assert (info.value.line, info.value.column) == (1, column)


def test_toon_to_json_writes_any_depth_the_decoder_returns() -> None:
    deep = "".join(" " * (2 * i) + "k:\n" for i in range(1500)) + " " * 3000 + "v: 1\n"
    text = ToonToJson().convert(deep.encode(), Options(json_indent=None), "deep.toon")
    assert text.startswith('{"k":{"k":') and text.endswith('{"v":1}' + "}" * 1500 + "\n")

from __future__ import annotations

import pickle
from decimal import Decimal
from typing import Optional

import pytest

from estream.core.errors import Diagnostic, EstreamError
from estream.core.frozen import FrozenDict
from estream.core.manifest import (
    Author,
    CircuitSpec,
    Dependency,
    FpgaSpec,
    Governance,
    Manifest,
    Resources,
    SchemaSpec,
    WireAdapterSpec,
    parse_manifest,
)
from estream.core.semver import Version, VersionReq
from estream.core.toml_validator import MAX_DIAGNOSTICS

PATH = "components/demo/estream-component.toml"

# SmartCircuit package format spec §3.1, verbatim.
SPEC_3_1 = """\
[component]
name = "estream-wire-fix"
version = "1.0.0"
category = "smart-circuit"              # or "wire-adapter" for adapter packages
description = "FIX protocol parser and order router"
license = "Apache-2.0"
keywords = ["fix", "trading", "capital-markets"]

[component.author]
name = "eStream Contributors"
url = "https://github.com/toddrooke"

# Circuit-specific metadata
[component.circuit]
# Primary circuit entry point
entry = "circuits/fix-parser.circuit.yaml"

# All circuits in this package
circuits = [
    "circuits/fix-parser.circuit.yaml",
    "circuits/fix-order-router.circuit.yaml",
]

# Execution targets
targets = ["cpu", "fpga"]                # cpu | fpga | wasm | native

# Witness tier requirement
witness_tier = 2                         # 0-4 (see witness spec)

# Resource budget estimates (8D metering)
[component.circuit.resources]
compute_budget = 5000                    # Compute units per execution
memory_bytes = 16384                     # Peak memory usage
storage_bytes = 0                        # Persistent storage per execution
estimated_cost_es = "0.005"              # Estimated ES cost per execution

# Governance requirements
[component.circuit.governance]
category = "Generic"                     # Generic | InfraOps | MpcThresholdDecrypt |
                                         # AiModelDeployment | AiCriticalExecution
required_approvals = 1                   # Number of governance approvals to deploy
auto_approve = true                      # Whether the circuit can be auto-approved
                                         # (only for Generic category)

# FPGA metadata (if targets includes "fpga")
[component.circuit.fpga]
device_families = ["xcvu9p", "xcvu13p"]
resource_estimate = { luts = 50000, brams = 100, dsps = 0 }
clock_mhz = 250
pipeline_stages = 8

# Dependencies
[component.dependencies]
esf-trading = "^1.0.0"

[component.schemas]
provides = ["FixNewOrderSingle", "FixExecutionReport", "FixMarketData"]
requires = ["EStreamOrder", "EStreamFill"]
"""

# eStream marketplace spec §6.4, verbatim.
SPEC_6_4 = """\
# esf-iot/estream-component.toml
[component]
name = "esf-iot"
version = "1.0.0"
category = "esf-schema"
description = "IoT domain schemas: Telemetry, Command, Alert"
license = "Apache-2.0"
keywords = ["iot", "telemetry", "devices", "edge"]

[component.author]
name = "eStream Contributors"

[component.schemas]
provides = ["IoTTelemetry", "IoTCommand", "IoTAlert"]
requires = []

[component.include]
schemas = ["schemas/*.esf.yaml"]
"""

# A minimal valid smart-circuit manifest that tests edit one line at a time.
BASE = """\
[component]
name = "demo-circuit"
version = "0.1.0"
category = "smart-circuit"
description = "A demo circuit"
license = "Apache-2.0"

[component.circuit]
entry = "circuits/demo.circuit.yaml"
targets = ["cpu"]
witness_tier = 1
"""


def parse(text: str) -> Manifest:
    return parse_manifest(text.encode("utf-8"), PATH)


def edit(text: str, old: str, new: str) -> str:
    assert old in text, f"test bug: {old!r} not in the manifest"
    return text.replace(old, new, 1)


def errors(text: str | bytes) -> EstreamError:
    content = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(EstreamError) as exc:
        parse_manifest(content, PATH)
    return exc.value


def diagnostic(
    text: str | bytes, key: Optional[str], fragment: str, line: Optional[int] = None
) -> Diagnostic:
    """The one diagnostic for `key` containing `fragment`; also checks its rendering."""
    error = errors(text)
    found = [d for d in error.diagnostics if d.key == key and fragment in d.message]
    assert found, f"no diagnostic for {key!r} containing {fragment!r} in:\n{error}"
    d = found[0]
    if line is not None:
        assert d.line == line, f"expected line {line}, got {d.line}:\n{error}"
    rendered = d.render()
    assert rendered.startswith(f"error: {PATH}")
    if key:
        assert f"`{key}`" in rendered
    return d


# --- the specs' own examples ----------------------------------------------------------------


def test_spec_3_1_circuit_manifest_parses() -> None:
    m = parse(SPEC_3_1)
    assert m.path == PATH
    assert (m.name, m.version, m.category) == ("estream-wire-fix", Version.parse("1.0.0"), "smart-circuit")
    assert m.description == "FIX protocol parser and order router"
    assert m.license == "Apache-2.0"
    assert m.keywords == ("fix", "trading", "capital-markets")
    assert m.author == Author(name="eStream Contributors", url="https://github.com/toddrooke")
    assert m.schemas == SchemaSpec(
        provides=("FixNewOrderSingle", "FixExecutionReport", "FixMarketData"),
        requires=("EStreamOrder", "EStreamFill"),
    )
    assert m.include == {}
    assert m.dependencies == {"esf-trading": Dependency("esf-trading", VersionReq.parse("^1.0.0"), "^1.0.0")}
    assert m.circuit == CircuitSpec(
        entry="circuits/fix-parser.circuit.yaml",
        circuits=("circuits/fix-parser.circuit.yaml", "circuits/fix-order-router.circuit.yaml"),
        targets=("cpu", "fpga"),
        witness_tier=2,
        resources=Resources(
            compute_budget=5000, memory_bytes=16384, storage_bytes=0, estimated_cost_es="0.005"
        ),
        governance=Governance(category="Generic", required_approvals=1, auto_approve=True),
        fpga=FpgaSpec(
            device_families=("xcvu9p", "xcvu13p"),
            resource_estimate=FrozenDict({"luts": 50000, "brams": 100, "dsps": 0}),
            clock_mhz=250,
            pipeline_stages=8,
        ),
    )
    assert m.circuit.resources is not None and m.circuit.resources.estimated_cost == Decimal("0.005")


def test_spec_6_4_schema_pack_manifest_parses() -> None:
    m = parse(SPEC_6_4)
    assert (m.name, str(m.version), m.category) == ("esf-iot", "1.0.0", "esf-schema")
    assert m.keywords == ("iot", "telemetry", "devices", "edge")
    assert m.author == Author(name="eStream Contributors")
    assert m.schemas == SchemaSpec(provides=("IoTTelemetry", "IoTCommand", "IoTAlert"), requires=())
    assert dict(m.include) == {"schemas": ("schemas/*.esf.yaml",)}
    assert m.circuit is None and m.dependencies == {}


def test_manifest_is_frozen_hashable_and_picklable() -> None:
    m = parse(SPEC_3_1)
    assert hash(m) == hash(parse(SPEC_3_1)) and m == parse(SPEC_3_1)
    assert m != parse(edit(SPEC_3_1, 'version = "1.0.0"', 'version = "1.0.1"'))
    assert {m: 1}[parse(SPEC_3_1)] == 1
    assert pickle.loads(pickle.dumps(m)) == m
    with pytest.raises(AttributeError):
        m.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        m.dependencies["x"] = None  # type: ignore[index]


def test_minimal_manifest_defaults() -> None:
    m = parse(BASE)
    assert m.keywords == () and m.author is None and m.schemas == SchemaSpec()
    assert m.circuit == CircuitSpec(
        "circuits/demo.circuit.yaml", ("circuits/demo.circuit.yaml",), ("cpu",), 1
    )
    assert (m.homepage, m.repository, m.documentation) == (None, None, None)


def test_optional_fields() -> None:
    text = edit(
        BASE,
        'license = "Apache-2.0"\n',
        'license = "MIT OR Apache-2.0"\nhomepage = "https://estream.dev"\n'
        'repository = "https://github.com/example/demo"\ndocumentation = "https://docs.estream.dev/demo"\n'
        '\n[component.author]\nname = "Dev"\nemail = "dev@example.com"\n'
        '\n[component.dependencies]\nesf-iot = { version = "~1.2" }\n"esf-trading" = ">=1.0, <3"\n',
    )
    m = parse(text)
    assert m.homepage == "https://estream.dev" and m.documentation == "https://docs.estream.dev/demo"
    assert m.author == Author("Dev", email="dev@example.com")
    assert str(m.dependencies["esf-iot"].req) == "~1.2"
    assert m.dependencies["esf-trading"].req_text == ">=1.0, <3"


def test_governance_defaults_to_the_category_minimum() -> None:
    text = BASE + '\n[component.circuit.governance]\ncategory = "MpcThresholdDecrypt"\n'
    assert parse(text).circuit.governance == Governance("MpcThresholdDecrypt", 2, False)  # type: ignore[union-attr]


def test_bom_is_accepted() -> None:
    assert parse_manifest(b"\xef\xbb\xbf" + BASE.encode(), PATH).name == "demo-circuit"


# --- unknown keys ---------------------------------------------------------------------------


def test_unknown_key_with_suggestion() -> None:
    text = edit(BASE, "witness_tier = 1", "witness_tier = 1\nwitnes_tier = 2")
    d = diagnostic(
        text, "component.circuit.witnes_tier", "unknown key `witnes_tier` in `[component.circuit]`", line=12
    )
    assert d.help == "did you mean `witness_tier`?"


def test_unknown_key_without_close_match_lists_the_keys() -> None:
    text = edit(BASE, 'license = "Apache-2.0"', 'license = "Apache-2.0"\nflavour = "vanilla"')
    d = diagnostic(text, "component.flavour", "unknown key `flavour` in `[component]`", line=7)
    assert d.help is not None and "name, version, category" in d.help


def test_unknown_top_level_table() -> None:
    text = BASE + "\n[package]\nname = 'x'\n"
    d = diagnostic(text, "package", "unknown key `package` at the top level", line=13)
    assert d.help is not None


def test_unknown_key_in_inline_table() -> None:
    text = edit(SPEC_3_1, "dsps = 0 }", "dsp = 0 }")
    d = diagnostic(text, "component.circuit.fpga.resource_estimate.dsp", "unknown key `dsp`", line=48)
    assert d.help == "did you mean `dsps`?"


def test_unknown_key_in_dependency_table() -> None:
    text = edit(SPEC_3_1, 'esf-trading = "^1.0.0"', 'esf-trading = { vesion = "^1.0.0" }')
    diagnostic(text, "component.dependencies.esf-trading.vesion", "unknown key `vesion`", line=54)
    diagnostic(text, "component.dependencies.esf-trading.version", "missing required key `version`", line=54)


def test_unknown_include_category() -> None:
    text = edit(SPEC_6_4, "schemas = [", "schema = [")
    d = diagnostic(text, "component.include.schema", "unknown key `schema` in `[component.include]`", line=18)
    assert d.help == "did you mean `schemas`?"


# --- missing keys and wrong types -----------------------------------------------------------


def test_missing_component_table() -> None:
    diagnostic('title = "x"\n', "component", "missing the `[component]` table")
    diagnostic('title = "x"\n', "title", "unknown key `title` at the top level", line=1)


def test_missing_required_keys_are_all_reported() -> None:
    error = errors('[component]\nname = "demo"\n')
    keys = {d.key for d in error.diagnostics}
    assert {"component.version", "component.category", "component.description", "component.license"} <= keys
    assert all(d.line == 1 for d in error.diagnostics)
    assert "4 errors found" in str(error)


@pytest.mark.parametrize(
    "value, found",
    [
        ('"2"', 'found string "2"'),
        ("true", "found boolean true"),
        ("5", "found integer 5"),
        ("-1", "found integer -1"),
        ("2.0", "found float 2.0"),
        ("[2]", "found an array of 1 item"),
    ],
)
def test_witness_tier_type_and_range(value: str, found: str) -> None:
    text = edit(BASE, "witness_tier = 1", f"witness_tier = {value}")
    diagnostic(text, "component.circuit.witness_tier", f"expected an integer from 0 to 4, {found}", line=11)


@pytest.mark.parametrize("tier", [0, 4])
def test_witness_tier_bounds_are_inclusive(tier: int) -> None:
    assert parse(edit(BASE, "witness_tier = 1", f"witness_tier = {tier}")).circuit.witness_tier == tier  # type: ignore[union-attr]


def test_wrong_table_type() -> None:
    text = edit(BASE, 'license = "Apache-2.0"', 'license = "Apache-2.0"\nauthor = "Dev"')
    diagnostic(text, "component.author", 'expected a table, found string "Dev"', line=7)


def test_component_as_array_of_tables() -> None:
    diagnostic(
        "[[component]]\nname = 'x'\n", "component", "expected a table, found an array of 1 item", line=1
    )


def test_description_rules() -> None:
    diagnostic(
        edit(BASE, '"A demo circuit"', '"  "'), "component.description", "found an empty string", line=5
    )
    d = diagnostic(
        edit(BASE, '"A demo circuit"', '"' + "x" * 501 + '"'), "component.description", "found 501 characters"
    )
    assert "at most 500" in d.message
    diagnostic(edit(BASE, '"A demo circuit"', "42"), "component.description", "found integer 42")


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["esf-iot", "estream-wire-fix", "a", "a1-b2-3c", "x" * 64])
def test_valid_names(name: str) -> None:
    assert parse(edit(BASE, '"demo-circuit"', f'"{name}"')).name == name


@pytest.mark.parametrize(
    "name, reason, suggestion",
    [
        ("Esf-IoT", "must start with a lowercase ASCII letter", "esf-iot"),
        ("esf_iot", "`_` is not allowed", "esf-iot"),
        ("esf--iot", "no `--` or trailing `-`", "esf-iot"),
        ("esf-", "no `--` or trailing `-`", "esf"),
        ("1esf", "must start with a lowercase ASCII letter", None),
        ("-esf", "must start with a lowercase ASCII letter", "esf"),
        ("esf iot", "` ` is not allowed", "esf-iot"),
        ("ésf", "must start with a lowercase ASCII letter", None),
        ("", "it is empty", None),
        ("x" * 65, "longer than 64 characters", None),
    ],
)
def test_invalid_names(name: str, reason: str, suggestion: Optional[str]) -> None:
    text = edit(BASE, '"demo-circuit"', f'"{name}"')
    d = diagnostic(text, "component.name", 'expected a package name like "esf-iot"', line=2)
    assert reason in d.message
    assert d.help == (f'did you mean "{suggestion}"?' if suggestion else None)


# --- version, category, license, keywords, URLs ----------------------------------------------


def test_bad_semver() -> None:
    text = edit(BASE, '"0.1.0"', '"1.0"')
    d = diagnostic(text, "component.version", 'expected a SemVer version like "1.0.0", found "1.0"', line=3)
    assert d.help == "missing the patch version number"
    assert d.render().startswith(
        f'error: {PATH}:3: `component.version`: expected a SemVer version like "1.0.0", found "1.0"'
    )


def test_version_with_prerelease_and_build() -> None:
    assert str(parse(edit(BASE, '"0.1.0"', '"1.0.0-rc.1+sha.5114f85"')).version) == "1.0.0-rc.1+sha.5114f85"


def test_version_wrong_type() -> None:
    diagnostic(edit(BASE, '"0.1.0"', "1.0"), "component.version", "found float 1.0", line=3)


def test_bad_category_with_suggestion() -> None:
    d = diagnostic(
        edit(BASE, '"smart-circuit"', '"smart_circuit"'),
        "component.category",
        'found "smart_circuit"',
        line=4,
    )
    assert '"esf-schema"' in d.message and d.help == 'did you mean "smart-circuit"?'


@pytest.mark.parametrize(
    "expression",
    [
        "Apache-2.0",
        "MIT OR Apache-2.0",
        "(MIT OR Apache-2.0) AND BSD-3-Clause",
        "GPL-2.0-or-later WITH Classpath-exception-2.0",
        "BSL-1.1",
        "LicenseRef-eStream-Enterprise",
        "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
        "GPL-2.0+",
        "((MIT))",
    ],
)
def test_license_is_an_spdx_expression(expression: str) -> None:
    # The grammar itself is tested in spdx_test.py; this is the manifest's use of it.
    assert parse(edit(BASE, '"Apache-2.0"', f'"{expression}"')).license == expression


@pytest.mark.parametrize(
    "expression, reason",
    [
        ("", "empty"),
        ("MIT/Apache-2.0", "`/` is not an SPDX operator"),
        ("MIT or Apache-2.0", "write `OR`, not `or`"),
        ("MIT OR", "ends where a license identifier was expected"),
        ("AND MIT", "found `AND`"),
        ("(MIT", "never closed"),
        ("MIT)", "no matching `(`"),
        ("MIT Apache-2.0", "found `Apache-2.0`"),
        ("MIT WITH", "`WITH` must be followed"),
        ("MIT, Apache-2.0", "unexpected character `,`"),
        ("(" * 40 + "MIT" + ")" * 40, "nested too deeply"),
    ],
)
def test_license_that_is_not_an_spdx_expression(expression: str, reason: str) -> None:
    d = diagnostic(
        edit(BASE, '"Apache-2.0"', f'"{expression}"'),
        "component.license",
        "expected an SPDX license expression",
    )
    assert d.help is not None and reason in d.help


def test_keyword_rules() -> None:
    too_many = "[" + ", ".join(f'"k{i}"' for i in range(11)) + "]"
    text = edit(BASE, 'license = "Apache-2.0"', f'license = "Apache-2.0"\nkeywords = {too_many}')
    diagnostic(text, "component.keywords", "expected at most 10 keywords, found 11", line=7)
    text = edit(
        BASE,
        'license = "Apache-2.0"',
        'license = "Apache-2.0"\nkeywords = ["iot", "IoT", "iot", "' + "k" * 33 + '", 7]',
    )
    error = errors(text)
    messages = [d.message for d in error.diagnostics if d.key == "component.keywords"]
    assert any("item 2: expected a keyword (lowercase" in m and '"IoT"' in m for m in messages)
    assert any('item 3: "iot" is listed twice' in m for m in messages)
    assert any("item 4" in m and "longer than 32 characters" in m for m in messages)
    assert any("item 5: expected a keyword" in m and "found integer 7" in m for m in messages)


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://estream.dev", "only https://"),
        ("javascript:alert(1)", "only https://"),
        ("https://", "no host name"),
        ("https://user:pw@estream.dev", "credentials"),
        ("https://estream.dev/a b", "spaces"),
        ("https://estream.dev:99999", "not a valid URL"),
    ],
)
def test_urls_must_be_https(url: str, reason: str) -> None:
    text = edit(BASE, 'license = "Apache-2.0"', f'license = "Apache-2.0"\nhomepage = "{url}"')
    d = diagnostic(text, "component.homepage", "expected an https:// URL", line=7)
    assert d.help is not None and reason in d.help


def test_author_rules() -> None:
    text = BASE + '\n[component.author]\nurl = "http://x.dev"\nemail = "nobody"\n'
    diagnostic(text, "component.author.name", "missing required key `name` in `[component.author]`", line=13)
    diagnostic(text, "component.author.url", "expected an https:// URL", line=14)
    diagnostic(
        text,
        "component.author.email",
        'expected an email address like "dev@example.com", found "nobody"',
        line=15,
    )


# --- schemas and include --------------------------------------------------------------------


def test_schema_name_rules() -> None:
    text = edit(SPEC_6_4, '"IoTCommand", "IoTAlert"]', '"iotCommand", "IoTAlert", "IoTAlert"]')
    diagnostic(
        text,
        "component.schemas.provides",
        'item 2: expected an UpperCamelCase schema name like "IoTTelemetry", found "iotCommand"',
        line=14,
    )
    diagnostic(text, "component.schemas.provides", 'item 4: "IoTAlert" is listed twice', line=14)


def test_schema_both_provided_and_required() -> None:
    text = edit(SPEC_6_4, "requires = []", 'requires = ["IoTAlert"]')
    diagnostic(text, "component.schemas.requires", "schema `IoTAlert` is both provided and required", line=15)


def test_schema_pack_must_provide_schemas() -> None:
    text = edit(SPEC_6_4, 'provides = ["IoTTelemetry", "IoTCommand", "IoTAlert"]', "provides = []")
    diagnostic(
        text, "component.schemas.provides", "`esf-schema` packages must provide at least one schema", line=14
    )


@pytest.mark.parametrize(
    "glob, reason",
    [
        ("/etc/passwd", "relative to the package root"),
        ("C:/schemas/*.yaml", "relative to the package root"),
        ("../other/*.yaml", "`..` would reach outside the package"),
        ("schemas/../../x", "`..` would reach outside the package"),
        ("schemas\\\\*.yaml", "use `/`"),
        ("", "it is empty"),
    ],
)
def test_include_glob_rules(glob: str, reason: str) -> None:
    text = edit(SPEC_6_4, '"schemas/*.esf.yaml"', f'"schemas/*.esf.yaml", "{glob}"')
    d = diagnostic(
        text,
        "component.include.schemas",
        'item 2: expected a relative glob like "schemas/*.esf.yaml"',
        line=18,
    )
    assert reason in d.message


def test_include_multi_line_array_points_at_the_item() -> None:
    text = edit(
        SPEC_6_4,
        'schemas = ["schemas/*.esf.yaml"]',
        'schemas = [\n  "schemas/*.esf.yaml",\n  "../x",\n]\ndocs = ["docs/**"]',
    )
    diagnostic(text, "component.include.schemas", 'found "../x"', line=20)


def test_include_values_must_be_arrays() -> None:
    diagnostic(
        edit(SPEC_6_4, '["schemas/*.esf.yaml"]', '"schemas/*.esf.yaml"'),
        "component.include.schemas",
        "expected an array whose items are each a relative glob",
    )


# --- dependencies ---------------------------------------------------------------------------


def test_bad_requirement() -> None:
    text = edit(SPEC_3_1, '"^1.0.0"', '"!1.0"')
    d = diagnostic(
        text,
        "component.dependencies.esf-trading",
        'expected a version requirement like "^1.2.3", found "!1.0"',
        line=54,
    )
    assert d.help is not None and "unexpected character `!`" in d.help


def test_bad_requirement_in_inline_table() -> None:
    text = edit(SPEC_3_1, 'esf-trading = "^1.0.0"', 'esf-trading = { version = "1.0 2.0" }')
    diagnostic(text, "component.dependencies.esf-trading.version", 'found "1.0 2.0"', line=54)


def test_requirement_wrong_type() -> None:
    text = edit(SPEC_3_1, '"^1.0.0"', "1")
    diagnostic(
        text,
        "component.dependencies.esf-trading",
        'expected a version requirement like "^1.2.3" (or an inline table',
        line=54,
    )


def test_self_dependency() -> None:
    text = edit(SPEC_3_1, 'esf-trading = "^1.0.0"', 'estream-wire-fix = "^1.0.0"')
    diagnostic(
        text,
        "component.dependencies.estream-wire-fix",
        "package `estream-wire-fix` cannot depend on itself",
        line=54,
    )


def test_bad_dependency_name() -> None:
    text = edit(SPEC_3_1, 'esf-trading = "^1.0.0"', '"ESF_Trading" = "^1.0.0"')
    d = diagnostic(
        text, "component.dependencies.ESF_Trading", 'invalid dependency name "ESF_Trading"', line=54
    )
    assert d.help == 'did you mean "esf-trading"?'


# --- circuits -------------------------------------------------------------------------------


def test_entry_must_be_listed_in_circuits() -> None:
    text = edit(SPEC_3_1, '    "circuits/fix-parser.circuit.yaml",\n', "")
    diagnostic(
        text,
        "component.circuit.entry",
        'entry "circuits/fix-parser.circuit.yaml" is not listed in `circuits`',
        line=16,
    )


@pytest.mark.parametrize(
    "entry, reason",
    [
        ("circuits/demo.yaml", "circuit files end with `.circuit.yaml`"),
        ("/abs/demo.circuit.yaml", "relative to the package root"),
        ("../demo.circuit.yaml", "`..`"),
        ("circuits/*.circuit.yaml", "a file path, not a glob"),
    ],
)
def test_entry_path_rules(entry: str, reason: str) -> None:
    text = edit(BASE, '"circuits/demo.circuit.yaml"', f'"{entry}"')
    d = diagnostic(
        text, "component.circuit.entry", 'expected a relative path like "circuits/main.circuit.yaml"', line=9
    )
    assert reason in d.message


def test_circuits_must_be_unique_and_non_empty() -> None:
    text = edit(SPEC_3_1, '"circuits/fix-order-router.circuit.yaml",', '"circuits/fix-parser.circuit.yaml",')
    diagnostic(
        text, "component.circuit.circuits", '"circuits/fix-parser.circuit.yaml" is listed twice', line=21
    )
    text = edit(BASE, "witness_tier = 1", "witness_tier = 1\ncircuits = []")
    diagnostic(text, "component.circuit.circuits", "expected at least one circuit file", line=12)


@pytest.mark.parametrize(
    "targets, fragment",
    [
        ("[]", "expected at least one execution target"),
        ('["cpu", "gpu"]', 'item 2: expected one of "cpu", "fpga", "wasm", "native", found "gpu"'),
        ('["cpu", "cpu"]', 'item 2: "cpu" is listed twice'),
        ('"cpu"', "expected an array whose items are each an execution target"),
    ],
)
def test_target_rules(targets: str, fragment: str) -> None:
    diagnostic(
        edit(BASE, 'targets = ["cpu"]', f"targets = {targets}"),
        "component.circuit.targets",
        fragment,
        line=10,
    )


def test_fpga_target_without_fpga_table() -> None:
    text = edit(BASE, 'targets = ["cpu"]', 'targets = ["cpu", "fpga"]')
    diagnostic(
        text,
        "component.circuit.targets",
        'targets include "fpga" but there is no `[component.circuit.fpga]` table',
        line=10,
    )


def test_fpga_table_without_fpga_target() -> None:
    text = edit(SPEC_3_1, 'targets = ["cpu", "fpga"]', 'targets = ["cpu", "wasm"]')
    diagnostic(
        text,
        "component.circuit.fpga",
        '`[component.circuit.fpga]` is present but "fpga" is not in `targets`',
        line=46,
    )


# --- resources, governance, fpga -------------------------------------------------------------


def test_resource_rules() -> None:
    text = edit(SPEC_3_1, "compute_budget = 5000", "compute_budget = -5")
    text = edit(text, "storage_bytes = 0", "storage_bytes = true")
    text = edit(text, 'estimated_cost_es = "0.005"', "estimated_cost_es = 0.005")
    diagnostic(
        text,
        "component.circuit.resources.compute_budget",
        "expected a non-negative integer, found integer -5",
        line=32,
    )
    diagnostic(
        text,
        "component.circuit.resources.storage_bytes",
        "expected a non-negative integer, found boolean true",
        line=34,
    )
    d = diagnostic(
        text,
        "component.circuit.resources.estimated_cost_es",
        'expected a decimal string like "0.005", found float 0.005',
        line=35,
    )
    assert d.help is not None and "quote it" in d.help


@pytest.mark.parametrize("cost", ["-1", "1e-3", ".5", "01.5", "0.", "abc", "0.1234567890123456789"])
def test_bad_cost_strings(cost: str) -> None:
    text = edit(SPEC_3_1, '"0.005"', f'"{cost}"')
    diagnostic(text, "component.circuit.resources.estimated_cost_es", f'found "{cost}"', line=35)


@pytest.mark.parametrize(
    "category, approvals, minimum",
    [
        ("InfraOps", 0, 1),
        ("MpcThresholdDecrypt", 1, 2),
        ("AiModelDeployment", 1, 2),
        ("AiCriticalExecution", 2, 3),
    ],
)
def test_governance_minimum_approvals(category: str, approvals: int, minimum: int) -> None:
    text = edit(SPEC_3_1, 'category = "Generic"', f'category = "{category}"')
    text = edit(text, "required_approvals = 1", f"required_approvals = {approvals}")
    text = edit(text, "auto_approve = true", "auto_approve = false")
    d = diagnostic(
        text,
        "component.circuit.governance.required_approvals",
        f"expected at least {minimum} for the `{category}`",
        line=41,
    )
    assert "§9.1" in d.message and f"found {approvals}" in d.message
    ok = edit(text, f"required_approvals = {approvals}", f"required_approvals = {minimum}")
    assert parse(ok).circuit.governance == Governance(category, minimum, False)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "category", ["InfraOps", "MpcThresholdDecrypt", "AiModelDeployment", "AiCriticalExecution"]
)
def test_auto_approve_only_for_generic(category: str) -> None:
    text = edit(SPEC_3_1, 'category = "Generic"', f'category = "{category}"')
    text = edit(text, "required_approvals = 1", "required_approvals = 3")
    d = diagnostic(
        text,
        "component.circuit.governance.auto_approve",
        "`auto_approve = true` is only allowed for the `Generic`",
        line=42,
    )
    assert "§9.1" in d.message and "reviewed" in d.message and f"not `{category}`" in d.message


def test_governance_type_errors() -> None:
    text = edit(SPEC_3_1, 'category = "Generic"', 'category = "generic"')
    text = edit(text, "required_approvals = 1", "required_approvals = true")
    text = edit(text, "auto_approve = true", 'auto_approve = "yes"')
    d = diagnostic(text, "component.circuit.governance.category", 'found "generic"', line=39)
    assert d.help == 'did you mean "Generic"?'
    diagnostic(
        text,
        "component.circuit.governance.required_approvals",
        "expected a non-negative integer, found boolean true",
        line=41,
    )
    diagnostic(
        text,
        "component.circuit.governance.auto_approve",
        'expected a boolean (true or false), found string "yes"',
        line=42,
    )


def test_governance_category_is_required() -> None:
    text = BASE + "\n[component.circuit.governance]\nrequired_approvals = 1\n"
    diagnostic(text, "component.circuit.governance.category", "missing required key `category`", line=13)


def test_fpga_rules() -> None:
    text = edit(SPEC_3_1, 'device_families = ["xcvu9p", "xcvu13p"]', "device_families = []")
    text = edit(text, "luts = 50000", "luts = -1")
    text = edit(text, "clock_mhz = 250", "clock_mhz = 0")
    text = edit(text, "pipeline_stages = 8", 'pipeline_stages = 0\nlicense = "BSL 1.1"')
    diagnostic(text, "component.circuit.fpga.device_families", "expected at least one device family", line=47)
    diagnostic(
        text,
        "component.circuit.fpga.resource_estimate.luts",
        "expected a non-negative integer, found integer -1",
        line=48,
    )
    diagnostic(
        text,
        "component.circuit.fpga.clock_mhz",
        "expected a positive number of MHz, found integer 0",
        line=49,
    )
    diagnostic(
        text,
        "component.circuit.fpga.pipeline_stages",
        "expected a positive integer, found integer 0",
        line=50,
    )
    diagnostic(
        text,
        "component.circuit.fpga.license",
        'expected an SPDX license expression like "Apache-2.0"',
        line=51,
    )


@pytest.mark.parametrize("clock", ["nan", "inf", "-250.0", "true", '"250"'])
def test_fpga_clock_must_be_a_positive_finite_number(clock: str) -> None:
    diagnostic(
        edit(SPEC_3_1, "clock_mhz = 250", f"clock_mhz = {clock}"),
        "component.circuit.fpga.clock_mhz",
        "expected a positive number of MHz",
        line=49,
    )


def test_fpga_optional_fields_and_license() -> None:
    text = edit(SPEC_3_1, "pipeline_stages = 8", 'pipeline_stages = 8\nlicense = "BSL-1.1"')
    text = edit(text, "clock_mhz = 250", "clock_mhz = 312.5")
    fpga = parse(text).circuit.fpga  # type: ignore[union-attr]
    assert fpga is not None and fpga.license == "BSL-1.1" and fpga.clock_mhz == 312.5
    minimal = (
        BASE.replace('targets = ["cpu"]', 'targets = ["fpga"]')
        + '\n[component.circuit.fpga]\ndevice_families = ["xc7a35t"]\n'
    )
    assert parse(minimal).circuit.fpga == FpgaSpec(("xc7a35t",))  # type: ignore[union-attr]


def test_fpga_device_family_names() -> None:
    text = edit(SPEC_3_1, '"xcvu13p"]', '"xcvu 13p"]')
    diagnostic(
        text,
        "component.circuit.fpga.device_families",
        'item 2: expected an FPGA part name like "xcvu9p", found "xcvu 13p"',
        line=47,
    )


# --- category rules -------------------------------------------------------------------------


def test_schema_pack_must_not_have_circuit() -> None:
    text = (
        SPEC_6_4
        + '\n[component.circuit]\nentry = "circuits/a.circuit.yaml"\ntargets = ["cpu"]\nwitness_tier = 0\n'
    )
    diagnostic(
        text,
        "component.circuit",
        "`esf-schema` packages must not have a `[component.circuit]` table",
        line=20,
    )


def test_smart_circuit_must_have_circuit() -> None:
    text = BASE.split("[component.circuit]")[0]
    diagnostic(
        text, "component.category", "`smart-circuit` packages must have a `[component.circuit]` table", line=4
    )


@pytest.mark.parametrize("category", ["wire-adapter", "fpga-circuit", "console-widget", "integration"])
def test_other_categories_may_omit_circuit(category: str) -> None:
    text = edit(BASE.split("[component.circuit]")[0], '"smart-circuit"', f'"{category}"')
    assert parse(text).category == category


# --- TOML syntax and hostile input ----------------------------------------------------------


def test_toml_syntax_error_has_line() -> None:
    text = edit(BASE, 'version = "0.1.0"', "version = = 1")
    error = errors(text)
    assert len(error.diagnostics) == 1
    d = error.diagnostics[0]
    assert d.line == 3 and d.message.startswith("invalid TOML: invalid value at column")
    assert str(error).startswith(f"error: {PATH}:3: invalid TOML")


def test_toml_error_at_end_of_document() -> None:
    d = errors('[component]\nkeywords = ["a",\n').diagnostics[0]
    assert d.message.startswith("invalid TOML") and d.line is not None


def test_duplicate_key_is_a_toml_error() -> None:
    d = errors(BASE + "witness_tier = 2\n").diagnostics[0]
    assert d.message.startswith("invalid TOML") and d.line == 12


def test_huge_file_rejected() -> None:
    content = BASE.encode() + b"# " + b"x" * (1024 * 1024) + b"\n"
    d = errors(content).diagnostics[0]
    assert "the limit is 1048576 bytes (1 MiB)" in d.message


def test_non_utf8_rejected_with_line() -> None:
    content = BASE.encode().replace(b"A demo circuit", b"A demo \xff circuit")
    d = errors(content).diagnostics[0]
    assert "not valid UTF-8" in d.message and "0xff" in d.message and d.line == 5


def test_deeply_nested_arrays() -> None:
    content = ("[component]\nkeywords = " + "[" * 100_000 + "]" * 100_000 + "\n").encode()
    assert errors(content).diagnostics


def test_deeply_nested_inline_tables() -> None:
    content = ("[component]\nx = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n").encode()
    assert errors(content).diagnostics


def test_deeply_nested_table_headers() -> None:
    # Refused before tomli parses it: tomli 2.0.1 is quadratic in the parts of a dotted key.
    content = BASE + "[component." + ".".join(["t"] * 5000) + "]\n"
    (d,) = errors(content).diagnostics
    assert "dotted key of more than 64 parts" in d.message and d.line == BASE.count("\n") + 1


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02",
        b"[component\n",
        b"component = 1\n",
        b"[component]\nname = 1979-05-27T07:32:00Z\n",
        b'[component]\nname = """\nmulti\nline\n"""\n',
        b"[component]\ncircuit = []\n",
        b"[component]\ndependencies = []\n",
        b"[component]\nschemas = { provides = 1, requires = [1, 2] }\n",
        b"[component]\ninclude = { schemas = [[1]] }\n",
        b'[component.circuit]\nfpga = { resource_estimate = [] }\ntargets = "x"\n',
        b'[component.circuit.governance]\ncategory = 1\nrequired_approvals = "x"\n',
        b"[component.circuit.resources]\nestimated_cost_es = []\n",
    ],
)
def test_garbage_gives_estream_error_not_traceback(content: bytes) -> None:
    assert errors(content).diagnostics


def test_all_problems_reported_together_in_line_order() -> None:
    text = edit(SPEC_3_1, 'name = "estream-wire-fix"', 'name = "Wire_Fix"')
    text = edit(text, "witness_tier = 2", "witness_tier = 9")
    text = edit(text, '"^1.0.0"', '"^1.0.0.0"')
    error = errors(text)
    assert [d.key for d in error.diagnostics] == [
        "component.name",
        "component.circuit.witness_tier",
        "component.dependencies.esf-trading",
    ]
    assert [d.line for d in error.diagnostics] == [2, 28, 54]
    assert str(error).endswith("3 errors found")


def test_locator_handles_dotted_quoted_and_inline_keys() -> None:
    text = """\
[component]
name = "demo-circuit"
version = "0.1.0"
category = "smart-circuit"
description = '''
[component.circuit]
witness_tier = "not a header: inside a multi-line string"
'''
license = "Apache-2.0"
circuit.entry = "circuits/demo.circuit.yaml"
"circuit" . 'targets' = ["cpu"]  # quoted and spaced dotted key
circuit.witness_tier = "1"
circuit.governance = { category = "InfraOps", "auto_approve" = true }
"""
    diagnostic(text, "component.circuit.witness_tier", 'found string "1"', line=12)
    diagnostic(text, "component.circuit.governance.auto_approve", "only allowed for the `Generic`", line=13)
    assert errors(text).diagnostics[0].line == 12


def test_locator_for_tables_defined_only_by_subtables() -> None:
    text = edit(BASE, "[component.circuit]\n", "[component.circuit]\nbogus = 1\n")
    text = text + "\n[component.circuit.resources]\nmemory_bytes = -1\n"
    diagnostic(text, "component.circuit.bogus", "unknown key", line=9)
    diagnostic(text, "component.circuit.resources.memory_bytes", "non-negative", line=15)


def test_diagnostics_are_capped() -> None:
    content = "[component]\n" + "".join(f"k{i} = 1\n" for i in range(5000))
    error = errors(content)
    assert len(error.diagnostics) == MAX_DIAGNOSTICS + 1
    assert any(f"stopped after {MAX_DIAGNOSTICS} problems" in d.message for d in error.diagnostics)


def test_long_arrays_with_many_problems_stay_fast() -> None:
    import time

    content = "[component]\nkeywords = [\n" + '"k",\n' * 100_000 + "]\n"
    start = time.monotonic()
    error = errors(content)
    assert time.monotonic() - start < 10
    assert error.diagnostics


def test_integers_beyond_64_bits_are_rejected() -> None:
    text = edit(SPEC_3_1, "memory_bytes = 16384", "memory_bytes = 99999999999999999999")
    d = diagnostic(
        text, "component.circuit.resources.memory_bytes", "expected a non-negative integer", line=33
    )
    assert d.help == "TOML integers are at most 9223372036854775807"


def test_odd_unknown_key_names_are_quoted() -> None:
    text = edit(BASE, 'license = "Apache-2.0"', 'license = "Apache-2.0"\n"bad`key\\n" = 1')
    d = diagnostic(text, 'component."bad`key\\n"', 'unknown key `"bad`key\\n"`', line=7)
    assert d.render().count("\n") == 1  # only the help line; the key itself is escaped


# --- [component.wire_adapter] ----------------------------------------------------------------

WIRE = """
[component.wire_adapter]
protocol = "mqtt"
protocol_versions = ["3.1.1", "5.0"]
encoding = "binary"
ingress = "circuits/mqtt-ingress.circuit.yaml"
egress = "circuits/mqtt-egress.circuit.yaml"
"""


def wire_manifest(table: str = WIRE) -> str:
    return edit(BASE, 'category = "smart-circuit"', 'category = "wire-adapter"') + table


def test_wire_adapter_table_parses() -> None:
    m = parse(wire_manifest())
    assert m.wire_adapter == WireAdapterSpec(
        "mqtt",
        ("3.1.1", "5.0"),
        "binary",
        "circuits/mqtt-ingress.circuit.yaml",
        "circuits/mqtt-egress.circuit.yaml",
    )
    assert parse(BASE).wire_adapter is None


def test_wire_adapter_errors_are_all_reported() -> None:
    text = wire_manifest(
        WIRE.replace('"binary"', '"binery"')
        .replace('["3.1.1", "5.0"]', "[]")
        .replace('"mqtt"', '"MQTT"')
        .replace('"circuits/mqtt-egress.circuit.yaml"', '"../egress.py"')
    )
    problems = {d.key: d for d in errors(text).diagnostics}
    assert set(problems) == {
        "component.wire_adapter.protocol",
        "component.wire_adapter.protocol_versions",
        "component.wire_adapter.encoding",
        "component.wire_adapter.egress",
    }
    assert problems["component.wire_adapter.encoding"].help == 'did you mean "binary"?'
    assert problems["component.wire_adapter.encoding"].line == 16


def test_wire_adapter_requires_its_keys_and_category() -> None:
    d = diagnostic(
        wire_manifest(WIRE.replace('encoding = "binary"\n', "")),
        "component.wire_adapter.encoding",
        "missing required key",
    )
    assert d.message
    d = diagnostic(BASE + WIRE, "component.wire_adapter", "only allowed in `wire-adapter` packages")
    assert d.help == 'set `category = "wire-adapter"` or remove the table'


def test_wire_adapter_ingress_and_egress_differ() -> None:
    text = wire_manifest(WIRE.replace("mqtt-egress", "mqtt-ingress"))
    diagnostic(text, "component.wire_adapter.egress", "same circuit as `ingress`")

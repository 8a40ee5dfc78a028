"""Target types of the estream backend: ESF schemas, marketplace packages, SmartCircuits and
registry components consumed by this repository."""

from __future__ import annotations

from dataclasses import dataclass

from pants.base.glob_match_error_behavior import GlobMatchErrorBehavior
from pants.core.goals.package import OutputPathField
from pants.core.goals.test import TestTimeoutField
from pants.engine.target import (
    COMMON_TARGET_FIELDS,
    BoolField,
    Dependencies,
    FieldSet,
    MultipleSourcesField,
    SingleSourceField,
    StringField,
    Target,
    TargetFilesGenerator,
    generate_multiple_sources_field_help_message,
)
from pants.util.docutil import bin_name
from pants.util.strutil import help_text

from estream.core.circuit import CIRCUIT_SUFFIX
from estream.core.esf import ESF_SUFFIX
from estream.core.manifest import MANIFEST_FILENAME
from estream.core.package_files import DOC_GLOBS

# -----------------------------------------------------------------------------------------------
# `esf_schema` and `esf_schemas`
# -----------------------------------------------------------------------------------------------


class EsfSchemaSourceField(SingleSourceField):
    # Pants compares extensions with os.path.splitext, which sees only `.yaml`; the full
    # `.esf.yaml` suffix is checked by the validation rule with a clearer message.
    expected_file_extensions = (".yaml",)
    help = help_text(
        f"""
        The ESF schema file (`*{ESF_SUFFIX}`) owned by this target.

        The file is parsed with a safe YAML loader and validated against the ESF rules: field
        types (`string`, `string(N)`, `u8`…`u64`, `i8`…`i64`, `f64`, `bool`, `bytes`, `bytes32`,
        `timestamp`, `pq_signature`, `object`, `array(T)`, `map(K, V)` and references to schemas
        and enums), `optional`, `privacy`, `retention`, `lattice` and `path` templates.
        """
    )


class EsfSchemaDependenciesField(Dependencies):
    pass


class EsfSchemaTarget(Target):
    alias = "esf_schema"
    core_fields = (*COMMON_TARGET_FIELDS, EsfSchemaDependenciesField, EsfSchemaSourceField)
    help = help_text(
        f"""
        One ESF schema file (`*{ESF_SUFFIX}`): schemas and enums of the eStream Format.

        `{bin_name()} check` validates it; a `marketplace_package` whose `[component.include]`
        globs match the file packages it.
        """
    )


class EsfSchemasGeneratorSourcesField(MultipleSourcesField):
    default = (f"*{ESF_SUFFIX}",)
    expected_file_extensions = (".yaml",)
    help = generate_multiple_sources_field_help_message(
        f"Example: `sources=['orders{ESF_SUFFIX}', '!legacy{ESF_SUFFIX}']`"
    )


class EsfSchemasGeneratorTarget(TargetFilesGenerator):
    alias = "esf_schemas"
    core_fields = (*COMMON_TARGET_FIELDS, EsfSchemasGeneratorSourcesField)
    generated_target_cls = EsfSchemaTarget
    copied_fields = COMMON_TARGET_FIELDS
    moved_fields = (EsfSchemaDependenciesField,)
    help = f"Generate an `esf_schema` target for each file in the `sources` field (default `*{ESF_SUFFIX}`)."


# -----------------------------------------------------------------------------------------------
# `marketplace_package`
# -----------------------------------------------------------------------------------------------


class MarketplaceManifestField(SingleSourceField):
    alias = "manifest"
    default = MANIFEST_FILENAME
    required = False
    expected_file_extensions = (".toml",)
    help = help_text(
        f"""
        The component manifest, `{MANIFEST_FILENAME}`, relative to the BUILD file.

        Its `[component]` table names and versions the package; `[component.include]` globs
        (relative to the manifest's directory) select the schema and circuit files that go into
        the archive, and the targets owning them become dependencies automatically.
        """
    )


class MarketplacePackageSourcesField(MultipleSourcesField):
    default = DOC_GLOBS
    # A package may legitimately have no README or docs; LICENSE is checked by package validation
    # (estream.core.package_validation), with a message saying why.
    default_glob_match_error_behavior = GlobMatchErrorBehavior.ignore
    help = generate_multiple_sources_field_help_message(
        "Extra files shipped in the archive besides the manifest and the files matched by "
        "`[component.include]`. Example: `sources=['README.md', 'LICENSE', 'docs/**/*']`"
    )


class MarketplacePackageDependenciesField(Dependencies):
    help = help_text(
        f"""
        Addresses of targets whose files belong to this package, in addition to those inferred.

        Dependencies on the owners of files matched by `[component.include]` in
        `{MANIFEST_FILENAME}` are inferred, so this field is rarely needed. Files of dependencies
        that live outside this package's directory are never copied into the archive.
        """
    )


class MarketplacePackageOutputPathField(OutputPathField):
    help = help_text(
        f"""
        Where the archive is written, relative to `--distdir` (default `dist/`).

        If undefined, the archive is `<name>-<version>.tar.gz`, with the name and version from
        `{MANIFEST_FILENAME}`, directly under the dist directory.
        """
    )


class MarketplacePackageTarget(Target):
    alias = "marketplace_package"
    core_fields = (
        *COMMON_TARGET_FIELDS,
        MarketplaceManifestField,
        MarketplacePackageSourcesField,
        MarketplacePackageDependenciesField,
        MarketplacePackageOutputPathField,
    )
    help = help_text(
        f"""
        An eStream marketplace package: a deterministic, ML-DSA-87-signed `.tar.gz` archive.

        `{bin_name()} package` validates the manifest and every schema, signs the files
        (`SIGNATURE.ml-dsa`: SHA3-256 per file, a domain-separated Merkle root binding paths, and an
        ML-DSA-87 signature) and writes `dist/<name>-<version>.tar.gz`, bit-identical on any
        machine. The signing key comes from `[estream-signing]`; without one, a per-user
        development key is used and the package is marked as signed by an untrusted key.
        """
    )


@dataclass(frozen=True)
class MarketplacePackageFieldSet(FieldSet):
    required_fields = (MarketplaceManifestField,)

    manifest: MarketplaceManifestField
    sources: MarketplacePackageSourcesField
    dependencies: MarketplacePackageDependenciesField
    output_path: MarketplacePackageOutputPathField


@dataclass(frozen=True)
class EsfSchemaFieldSet(FieldSet):
    required_fields = (EsfSchemaSourceField,)

    source: EsfSchemaSourceField


# -----------------------------------------------------------------------------------------------
# `smart_circuit` and `smart_circuits`
# -----------------------------------------------------------------------------------------------


class CircuitSourceField(SingleSourceField):
    expected_file_extensions = (".yaml",)
    help = help_text(
        f"""
        The ESCIR circuit file (`*{CIRCUIT_SUFFIX}`) owned by this target.

        It belongs to the package whose `{MANIFEST_FILENAME}` is in the nearest enclosing
        directory; its version, hardware targets, witness tier, category and governance must agree
        with that manifest, and its port types must be builtins, local `types` or ESF schemas of
        the package or of its dependencies.
        """
    )


class SmartCircuitDependenciesField(Dependencies):
    help = help_text(
        """
        Extra `esf_schema` targets whose schemas and enums the circuit's ports may use.

        Schemas of the package itself and of the packages named in its manifest's
        `[component.dependencies]` (found among the repository's `marketplace_package` targets)
        are found automatically.
        """
    )


class SkipSmartCircuitTestsField(BoolField):
    alias = "skip_tests"
    default = False
    help = "If true, `test` does not run this circuit's golden vectors and journeys."


class SmartCircuitTimeoutField(TestTimeoutField):
    help = help_text(
        """
        A timeout (in seconds) for the one process that runs all of this circuit's golden vectors
        and journeys. If unset, `[test].timeout_default` applies (never more than
        `[test].timeout_maximum`); only with `--test-timeouts` (the default).
        """
    )


class SmartCircuitTarget(Target):
    alias = "smart_circuit"
    core_fields = (
        *COMMON_TARGET_FIELDS,
        CircuitSourceField,
        SmartCircuitDependenciesField,
        SkipSmartCircuitTestsField,
        SmartCircuitTimeoutField,
    )
    help = help_text(
        f"""
        One ESCIR circuit (`*{CIRCUIT_SUFFIX}`) of an eStream SmartCircuit package.

        `{bin_name()} test` validates the circuit against its package and runs the package's golden
        vectors for it (and, for the entry circuit, the journeys) against the CPU reference
        implementation named by `implementation.cpu`, in a sandboxed process whose result is
        cached by its inputs.
        """
    )


class SmartCircuitsGeneratorSourcesField(MultipleSourcesField):
    default = (f"*{CIRCUIT_SUFFIX}",)
    expected_file_extensions = (".yaml",)
    help = generate_multiple_sources_field_help_message(
        f"Example: `sources=['parser{CIRCUIT_SUFFIX}', '!old{CIRCUIT_SUFFIX}']`"
    )


class SmartCircuitsGeneratorTarget(TargetFilesGenerator):
    alias = "smart_circuits"
    core_fields = (*COMMON_TARGET_FIELDS, SmartCircuitsGeneratorSourcesField)
    generated_target_cls = SmartCircuitTarget
    copied_fields = COMMON_TARGET_FIELDS
    moved_fields = (SmartCircuitDependenciesField, SkipSmartCircuitTestsField, SmartCircuitTimeoutField)
    help = f"Generate a `smart_circuit` target for each file in the `sources` field (default `*{CIRCUIT_SUFFIX}`)."


# -----------------------------------------------------------------------------------------------
# `estream_component`
# -----------------------------------------------------------------------------------------------


class ComponentNameField(StringField):
    alias = "component"
    required = True
    value: str
    help = "The registry component's name, e.g. `esf-iot`."


class ComponentVersionField(StringField):
    alias = "version"
    default = "*"
    help = 'A version requirement with Cargo semantics, e.g. `"^1.2"`; the lock pins the exact version.'


class EstreamComponentTarget(Target):
    alias = "estream_component"
    core_fields = (*COMMON_TARGET_FIELDS, ComponentNameField, ComponentVersionField)
    help = help_text(
        """
        A component from the eStream registry that this repository depends on, pinned by
        `[estream-components].lockfile` (regenerate with `./pants estream-lock ::`).
        `./pants package` on it downloads and verifies the locked archive.
        """
    )


def target_types():
    return [
        EsfSchemaTarget,
        EsfSchemasGeneratorTarget,
        EstreamComponentTarget,
        MarketplacePackageTarget,
        SmartCircuitTarget,
        SmartCircuitsGeneratorTarget,
    ]

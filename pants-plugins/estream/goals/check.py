"""`check` for ESF schemas, marketplace packages and SmartCircuits: validate without building."""

from __future__ import annotations

from dataclasses import dataclass

from pants.core.goals.check import CheckRequest, CheckResult, CheckResults
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.engine.target import FieldSet, HydratedSources, HydrateSourcesRequest
from pants.engine.unions import UnionRule
from pants.util.logging import LogLevel

from estream.core.errors import EstreamError
from estream.target_types import (
    CircuitSourceField,
    EsfSchemaFieldSet,
    MarketplacePackageFieldSet,
)
from estream.util_rules import circuits, esf, package_contents
from estream.util_rules.circuits import SmartCircuitPackage, SmartCircuitPackageRequest
from estream.util_rules.esf import EsfFileRequest, ParsedEsfFile
from estream.util_rules.package_contents import (
    MarketplacePackageContents,
    MarketplacePackageContentsRequest,
)


class EsfSchemaCheckRequest(CheckRequest):
    field_set_type = EsfSchemaFieldSet
    tool_name = "estream-esf"


class MarketplacePackageCheckRequest(CheckRequest):
    field_set_type = MarketplacePackageFieldSet
    tool_name = "estream-package"


@dataclass(frozen=True)
class SmartCircuitCheckFieldSet(FieldSet):
    required_fields = (CircuitSourceField,)

    source: CircuitSourceField


class SmartCircuitCheckRequest(CheckRequest):
    field_set_type = SmartCircuitCheckFieldSet
    tool_name = "estream-circuit"


def _result(address: str, error: EstreamError | None) -> CheckResult:
    if error is None:
        return CheckResult(0, f"{address}: ok\n", "", partition_description=address)
    return CheckResult(1, "", f"{error.render()}\n", partition_description=address)


# One rule per target, so the targets of a `check` run are validated concurrently (`MultiGet`);
# each catches its own `EstreamError`, so one bad target does not hide the others' results.


@rule(desc="Validate an ESF schema target", level=LogLevel.DEBUG)
async def check_esf_schema(field_set: EsfSchemaFieldSet) -> CheckResult:
    hydrated = await Get(HydratedSources, HydrateSourcesRequest(field_set.source))
    try:
        # One file after the other: the first invalid file is the one reported, run after run.
        for path in hydrated.snapshot.files:
            await Get(ParsedEsfFile, EsfFileRequest(path, hydrated.snapshot.digest))
    except EstreamError as e:
        return _result(str(field_set.address), e)
    return _result(str(field_set.address), None)


@rule(desc="Validate ESF schemas", level=LogLevel.DEBUG)
async def check_esf_schemas(request: EsfSchemaCheckRequest) -> CheckResults:
    results = await MultiGet(Get(CheckResult, EsfSchemaFieldSet, fs) for fs in request.field_sets)
    return CheckResults(results, checker_name="estream-esf")


@rule(desc="Validate a marketplace package", level=LogLevel.DEBUG)
async def check_marketplace_package(field_set: MarketplacePackageFieldSet) -> CheckResult:
    try:
        await Get(MarketplacePackageContents, MarketplacePackageContentsRequest(field_set.address))
    except EstreamError as e:
        return _result(str(field_set.address), e)
    return _result(str(field_set.address), None)


@rule(desc="Validate marketplace packages", level=LogLevel.DEBUG)
async def check_marketplace_packages(request: MarketplacePackageCheckRequest) -> CheckResults:
    results = await MultiGet(Get(CheckResult, MarketplacePackageFieldSet, fs) for fs in request.field_sets)
    return CheckResults(results, checker_name="estream-package")


@rule(desc="Validate a SmartCircuit", level=LogLevel.DEBUG)
async def check_smart_circuit(field_set: SmartCircuitCheckFieldSet) -> CheckResult:
    try:
        await Get(SmartCircuitPackage, SmartCircuitPackageRequest(field_set.address))
    except EstreamError as e:
        return _result(str(field_set.address), e)
    return _result(str(field_set.address), None)


@rule(desc="Validate SmartCircuits", level=LogLevel.DEBUG)
async def check_smart_circuits(request: SmartCircuitCheckRequest) -> CheckResults:
    results = await MultiGet(Get(CheckResult, SmartCircuitCheckFieldSet, fs) for fs in request.field_sets)
    return CheckResults(results, checker_name="estream-circuit")


def rules():
    return [
        *collect_rules(),
        *circuits.rules(),
        *esf.rules(),
        *package_contents.rules(),
        UnionRule(CheckRequest, SmartCircuitCheckRequest),
        UnionRule(CheckRequest, EsfSchemaCheckRequest),
        UnionRule(CheckRequest, MarketplacePackageCheckRequest),
    ]

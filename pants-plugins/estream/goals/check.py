"""`check` for ESF schemas, marketplace packages and SmartCircuits: validate without building."""

from __future__ import annotations

from dataclasses import dataclass

from estream.core.errors import EstreamError
from estream.target_types import (
    CircuitSourceField,
    EsfSchemaFieldSet,
    MarketplacePackageFieldSet,
)
from estream.util_rules.circuits import SmartCircuitPackage, SmartCircuitPackageRequest
from estream.util_rules.esf import EsfFileRequest, ParsedEsfFile
from estream.util_rules.package_contents import (
    MarketplacePackageContents,
    MarketplacePackageContentsRequest,
)
from pants.core.goals.check import CheckRequest, CheckResult, CheckResults
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.target import FieldSet, HydratedSources, HydrateSourcesRequest
from pants.engine.unions import UnionRule
from pants.util.logging import LogLevel



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


@rule(desc="Validate ESF schemas", level=LogLevel.DEBUG)
async def check_esf_schemas(request: EsfSchemaCheckRequest) -> CheckResults:
    results = []
    for field_set in request.field_sets:
        hydrated = await Get(HydratedSources, HydrateSourcesRequest(field_set.source))
        error = None
        try:
            for path in hydrated.snapshot.files:
                await Get(ParsedEsfFile, EsfFileRequest(path, hydrated.snapshot.digest))
        except EstreamError as e:
            error = e
        results.append(_result(str(field_set.address), error))
    return CheckResults(results, checker_name="estream-esf")


@rule(desc="Validate marketplace packages", level=LogLevel.DEBUG)
async def check_marketplace_packages(request: MarketplacePackageCheckRequest) -> CheckResults:
    results = []
    for field_set in request.field_sets:
        error = None
        try:
            await Get(
                MarketplacePackageContents, MarketplacePackageContentsRequest(field_set.address)
            )
        except EstreamError as e:
            error = e
        results.append(_result(str(field_set.address), error))
    return CheckResults(results, checker_name="estream-package")


@rule(desc="Validate SmartCircuits", level=LogLevel.DEBUG)
async def check_smart_circuits(request: SmartCircuitCheckRequest) -> CheckResults:
    results = []
    for field_set in request.field_sets:
        error = None
        try:
            await Get(SmartCircuitPackage, SmartCircuitPackageRequest(field_set.address))
        except EstreamError as e:
            error = e
        results.append(_result(str(field_set.address), error))
    return CheckResults(results, checker_name="estream-circuit")


def rules():
    return [
        *collect_rules(),
        UnionRule(CheckRequest, SmartCircuitCheckRequest),
        UnionRule(CheckRequest, EsfSchemaCheckRequest),
        UnionRule(CheckRequest, MarketplacePackageCheckRequest),
    ]

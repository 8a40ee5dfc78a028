"""`check` for ESF schemas and marketplace packages: validate without building archives."""

from __future__ import annotations


from estream.core.errors import EstreamError
from estream.target_types import EsfSchemaFieldSet, EsfSchemaSourceField, MarketplacePackageFieldSet
from estream.util_rules.esf import EsfFileRequest, ParsedEsfFile
from estream.util_rules.package_contents import (
    MarketplacePackageContents,
    MarketplacePackageContentsRequest,
)
from pants.core.goals.check import CheckRequest, CheckResult, CheckResults
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.target import HydratedSources, HydrateSourcesRequest
from pants.engine.unions import UnionRule
from pants.util.logging import LogLevel



class EsfSchemaCheckRequest(CheckRequest):
    field_set_type = EsfSchemaFieldSet
    tool_name = "estream-esf"


class MarketplacePackageCheckRequest(CheckRequest):
    field_set_type = MarketplacePackageFieldSet
    tool_name = "estream-package"


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


def rules():
    return [
        *collect_rules(),
        UnionRule(CheckRequest, EsfSchemaCheckRequest),
        UnionRule(CheckRequest, MarketplacePackageCheckRequest),
    ]

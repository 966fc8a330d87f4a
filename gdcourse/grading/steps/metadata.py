"""nbgrader's CheckCellMetadata, with the metadata's JSON schema compiled once per process.

nbgrader checks every cell's nbgrader metadata with `jsonschema.validate`, which checks the schema
itself and builds a new validator on every call: a quarter of a core-second per notebook, and
autograde checks twice (among the sanitizing steps, and at the end). Here the checks, their order
and their errors are nbgrader's own (MetadataValidator, schema v3, and CheckCellMetadata's
message); only the schema's validator is built once.
"""
import json
import traceback
from functools import cache
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match
from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import (BaseMetadataValidator, SchemaTooNewError,
                                            SchemaTooOldError)
from nbgrader.preprocessors import CheckCellMetadata


@cache
def _compiled(schema_text: str) -> Any:
    schema = json.loads(schema_text)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


class _CompiledSchema(BaseMetadataValidator):
    def validate_cell(self, cell: NotebookNode) -> None:
        """BaseMetadataValidator.validate_cell, with the schema's validator built once."""
        if "nbgrader" not in cell.metadata:
            return
        version = cell.metadata["nbgrader"].get("schema_version", 0)
        if version < self.schema_version:
            raise SchemaTooOldError(f"Outdated schema version: {version} (expected "
                                    f"{self.schema_version})", version, self.schema_version)
        if version > self.schema_version:
            raise SchemaTooNewError(f"Schema version is too new: {version} (expected "
                                    f"{self.schema_version})", version, self.schema_version)
        validator = _compiled(json.dumps(self.schema, sort_keys=True))
        error = best_match(validator.iter_errors(cell.metadata["nbgrader"]))
        if error is not None:
            raise error


class CompiledMetadataValidator(MetadataValidator, _CompiledSchema):
    """nbgrader's MetadataValidator: its own rules (unique grade ids, points...), then the
    schema, checked by the validator built once."""


class CheckCellMetadataOnce(CheckCellMetadata):
    def preprocess(self, nb: NotebookNode,
                   resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        # CheckCellMetadata.preprocess, with the validator above.
        try:
            CompiledMetadataValidator().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg)
        return nb, resources

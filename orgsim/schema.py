"""Strict numbers for every parameter schema: no text, no true/false, no NaN or infinity.

pydantic's default (lax) mode turns ``"0.5"`` into 0.5, ``True`` into 1 and accepts
``nan`` and ``inf`` where a range has no upper bound; a scenario typo would then run
a model nobody asked for. :class:`StrictSchema` refuses them, naming the parameter.
Numpy numbers (a sweep's values) are accepted as the Python numbers they are.

Core objects
------------
StrictSchema
    pydantic base class (frozen, unknown keys refused) whose ``int``, ``float`` and
    ``bool`` fields take only numbers (whole, finite) and true/false.
strict_value
    The check itself, for one annotation and one value.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError


def strict_value(annotation: Any, value: Any) -> Any:
    """``value`` as a field of type ``annotation`` (int, float or bool) accepts it, or raise.

    >>> strict_value(float, 1), strict_value(int, 4), strict_value(bool, False)
    (1.0, 4, False)
    >>> strict_value(int, 4.0)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.PydanticCustomError: a whole number
    >>> strict_value(float, "0.5")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.PydanticCustomError: a number
    """
    # pydantic's own error types, so every error formatter words them as usual
    if annotation is bool:
        if isinstance(value, bool) or type(value).__name__ == "bool_":
            return bool(value)
        raise PydanticCustomError("bool_type", "true or false")
    if annotation not in (int, float):
        return value
    wrong = (
        PydanticCustomError("int_type", "a whole number")
        if annotation is int
        else PydanticCustomError("float_type", "a number")
    )
    if isinstance(value, bool | str | bytes) or not isinstance(value, numbers.Real):
        raise wrong  # the message shows the value given: text, true, ...
    if type(value).__name__ == "bool_":
        raise wrong
    number = float(value)
    if not math.isfinite(number):
        raise PydanticCustomError("finite_number", "a finite number")
    if annotation is int:
        # a count is written as one: 4.0 is refused (it is a typo more often than not)
        if isinstance(value, numbers.Integral):
            return int(value)
        raise wrong
    return float(value)


class StrictSchema(BaseModel):
    """Frozen, unknown keys refused, numbers strict (:func:`strict_value`)."""

    # allow_inf_nan: inf and NaN are never a parameter value (they end up in results)
    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False
    )

    @field_validator("*", mode="before")
    @classmethod
    def _strict(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        return value if field is None else strict_value(field.annotation, value)

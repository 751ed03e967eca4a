"""Enumerations with Indonesian labels, stored as their string values."""

import enum

from sqlalchemy import Enum


class LabelledEnum(enum.StrEnum):
    """A string enum whose members are declared as (value, Indonesian label)."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for a select."""
        return [(m.value, m.label) for m in cls]


def enum_column(cls: type[enum.Enum], length: int = 16) -> Enum:
    """A string column holding an enum's values (not its names), portable across databases."""
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])

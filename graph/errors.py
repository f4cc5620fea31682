"""One error tree for the whole project, so callers can catch what they can handle."""

__all__ = [
    "AssetGraphError",
    "InvalidRecord",
    "StoreError",
    "RuleNotApplicable",
    "NotAllowed",
]


class AssetGraphError(Exception):
    """Base of every error assetgraph raises on purpose."""


class InvalidRecord(AssetGraphError):
    """A source value or row that cannot be taken in; the message is the quarantine reason."""

    def __init__(self, reason: str, column: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.column = column


class StoreError(AssetGraphError):
    """A store could not do what was asked (connection, schema, an id it does not hold)."""


class RuleNotApplicable(AssetGraphError):
    """A legal rule cannot be applied to this case (say, no proceedings date yet)."""


class NotAllowed(AssetGraphError):
    """A label, relation type or action outside the allow-list, or a role without the right."""

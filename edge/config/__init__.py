"""Typed YAML configuration: loading, validation and one-line error reports."""

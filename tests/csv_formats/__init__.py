"""Tests of the export-file reader of the CSV drop adapter."""

"""The configuration: pydantic models of the TOML, their types, the built-in rules, problem
messages and loading."""

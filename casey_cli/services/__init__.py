"""Use cases, one module per command: take the store's Tx and a RunContext, return result
types from schemas; never print, never commit."""

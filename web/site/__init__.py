"""The owner's site: server-rendered pages over matcher/ and programs/ (docs/site-contract.md)."""

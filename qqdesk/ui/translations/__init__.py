"""Translations of the interface (.ts sources, compiled .qm) and the script that updates them."""

"""Exports: a Plan value in, bytes out. No Flask, no database."""

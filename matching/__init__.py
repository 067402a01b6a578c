"""Matching: vector index, hard constraints, lexical signal, ESCO skills, score fusion and explanations.

Pure modules without database access; the service layer feeds them facts read from PostgreSQL.
"""

"""Job carving (silpputyö): small tasks found at employers, bundled into carved jobs that matching treats
as any other need."""

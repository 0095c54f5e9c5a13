"""The order flow: extract_orders → resolve_relations → transform → load_to_afas."""

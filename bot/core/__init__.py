"""Channel-agnostic conversation: types, flow runner and dispatcher."""

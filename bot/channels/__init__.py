"""Channel adapters: turn a platform's messages into `Inbound` and render `Reply`."""

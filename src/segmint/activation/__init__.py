"""segmint.activation: playbooks and the action queue (what to do, for whom, by whom)."""

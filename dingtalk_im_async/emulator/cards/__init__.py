"""The card family of the emulator: card instances, AI-card streaming, button presses."""

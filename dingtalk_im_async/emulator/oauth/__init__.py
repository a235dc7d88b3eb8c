"""The emulator's token endpoint: an internal app's access token for its key and secret."""

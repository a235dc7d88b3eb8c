"""The emulator's group family: create, update, ids, admins, the legacy read."""

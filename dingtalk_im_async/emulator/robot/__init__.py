"""The emulator's robot family: group messages, recall, read status, robots in a group."""

"""Turn findings into Chinese messages and deliver them through Apprise."""
